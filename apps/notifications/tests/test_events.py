"""Which journal messages make which alerts (pure)."""

from __future__ import annotations

from apps.notifications.events import (
    ERROR,
    FILL,
    KILL_SWITCH,
    PROTECTIVE_FILL,
    REFUSED,
    STALLED,
    alerts_of_bot_messages,
)


def _events(*messages: dict) -> list[str]:
    return [alert.event for alert in alerts_of_bot_messages(7, "Trend", list(messages))]


def test_each_kind_of_message_makes_its_event_and_the_rest_none() -> None:
    assert _events(
        {"kind": "fill", "message": "buy 0.1 at 60000 (c1)", "order": "c1", "leg": "entry"},
        {
            "kind": "fill",
            "message": "sell",
            "order": "c2",
            "leg": "stop_loss",
            "exit_reason": "stop_loss",
        },
        {"kind": "fill", "message": "sell", "order": "c3", "exit_reason": "take_profit"},
        {"kind": "fill", "message": "sell", "order": "c4", "exit_reason": "signal"},
        {"kind": "error", "message": "The strategy raised"},
        {"kind": "status", "message": "Killed", "status": "killed"},
        {"kind": "status", "message": "Running", "status": "running"},
        {"kind": "stalled", "message": "Stalled: no candle"},
        {"kind": "status", "message": "stalled", "status": "stalled"},
        {"kind": "warning", "message": "x", "refused": True},
        {"kind": "refused", "message": "no"},
        {"kind": "error", "message": "The exchange refused: funds", "refused": True},
        {"kind": "error", "message": "Order b7-c9 refused: -2010", "refused": True},
        {"kind": "error", "message": "Order b7-c9 refused: -2010"},  # unmarked: an error
        {"kind": "equity", "message": "1,000.00", "equity": 1000.0},
        {"kind": "skipped", "message": "stale"},
        {"kind": "position", "message": "flat"},
    ) == [
        *(FILL, PROTECTIVE_FILL, PROTECTIVE_FILL, FILL, ERROR, KILL_SWITCH, STALLED, STALLED),
        *(REFUSED, REFUSED, REFUSED, REFUSED, ERROR),
    ]


def test_a_bots_repeated_errors_share_one_dedupe_key_and_fills_do_not() -> None:
    alerts = alerts_of_bot_messages(
        7,
        "Trend",
        [
            {"kind": "error", "message": "boom"},
            {"kind": "error", "message": "boom again"},
            {"kind": "fill", "message": "buy", "order": "c1"},
            {"kind": "fill", "message": "sell", "order": "c2"},
        ],
    )
    assert [a.dedupe_key for a in alerts] == [
        "bot7:error",
        "bot7:error",
        "bot7:fill:c1",
        "bot7:fill:c2",
    ]
    assert alerts[0].title == "Bot 'Trend': error" and alerts[0].body == "boom"
