"""Replay of a stored run over WebSocket, through the real ASGI stack (routing, origin, session)
and the Redis channel layer, in process. The same socket through uvicorn: test_replay_live.py."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from apps.analytics import replay_selectors
from apps.analytics.equity import equity_encode, equity_window
from apps.analytics.models import BacktestRun, BacktestStatus
from apps.analytics.replay import (
    HISTORY,
    MAX_BATCH,
    MAX_CREDIT,
    PlaybackState,
    parse_speed,
    replay_chunk_build,
)
from apps.analytics.selectors import backtest_equity, backtest_trades
from apps.analytics.services import backtest_run_create, backtest_run_execute
from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.storage import candles_upsert
from apps.datafeeds.times import parse_time_ms
from apps.realtime.protocol import MessageInvalid
from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

START = parse_time_ms("2024-06-01")
END = parse_time_ms("2024-06-03")  # 576 bars of 5m
TOTAL = 576
TIMEOUT = 5  # seconds for any one expected message


@pytest.fixture
def run(ana, btc_symbol, btc_5m_candles) -> BacktestRun:
    """A done ema-cross run over two days, with only the candles it reads stored (cheap)."""
    times = btc_5m_candles.open_time
    keep = (times >= START - 86_400_000) & (times < END + 86_400_000)
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=btc_5m_candles.rows()[keep])
    made = backtest_run_create(
        owner=ana,
        strategy="ema-cross",
        symbol=btc_symbol,
        params={"fast_period": 12, "slow_period": 26},
        start_ms=START,
        end_ms=END,
    )
    backtest_run_execute(run_id=made.pk)
    made.refresh_from_db()
    assert made.status == BacktestStatus.DONE
    return made


def cookie_of(username: str, password: str) -> bytes:
    client = Client()
    assert client.login(username=username, password=password)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@pytest.fixture
def ana_cookie(ana) -> bytes:
    return cookie_of("ana", "pw-ana-123")


def communicator(run_id: int, cookie: bytes | None, origin: bytes = b"http://localhost"):
    headers = [(b"origin", origin)]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"/ws/backtests/{run_id}/replay/", headers=headers)


async def until(comm: WebsocketCommunicator, kind: str) -> list[dict[str, Any]]:
    """Every message up to and including the first of type `kind` (heartbeats left out)."""
    seen = []
    while True:
        message = await comm.receive_json_from(timeout=TIMEOUT)
        if message["type"] != "heartbeat":
            seen.append(message)
        if message["type"] == kind:
            return seen


async def opened(run_id: int, cookie: bytes) -> WebsocketCommunicator:
    comm = communicator(run_id, cookie)
    connected, _ = await comm.connect()
    assert connected
    start = await comm.receive_json_from(timeout=TIMEOUT)
    assert start == {
        "type": "ready",
        "push": True,  # the Redis channel layer carries events between processes
        "run": run_id,
        "total": TOTAL,
        "speed": 10.0,
        "heartbeat": 5.0,
        "max_credit": MAX_CREDIT,
        "history": HISTORY,
    }
    return comm


def events_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The candles, entries and exits of the batches among `messages`, in order."""
    return [e for m in messages if m["type"] == "batch" for e in m["events"]]


def candles_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events_of(messages) if e["type"] == "candle"]


async def play_to_end(comm: WebsocketCommunicator, begin: bool = True) -> list[dict[str, Any]]:
    """At max speed, granting credit back for every batch received (as the browser does)."""
    if begin:
        await comm.send_json_to({"action": "speed", "candles_per_second": "max"})
        await comm.send_json_to({"action": "credit", "candles": 100})
    seen = []
    while True:
        message = await comm.receive_json_from(timeout=TIMEOUT)
        seen.append(message)
        if message["type"] == "batch":
            await comm.send_json_to({"action": "credit", "candles": message["count"]})
        if message["type"] == "end":
            return seen


def test_the_whole_run_streams_in_time_order_matching_trades_and_equity(run, ana_cookie):
    async def scenario():
        comm = await opened(run.pk, ana_cookie)
        messages = await play_to_end(comm)
        assert await comm.receive_nothing(timeout=0.2)  # the end is the last word
        await comm.disconnect()
        return messages

    messages = async_to_sync(scenario)()
    assert messages[-1] == {"type": "end", "index": TOTAL}
    streamed = events_of(messages)
    candles = [m for m in streamed if m["type"] == "candle"]
    assert [c["index"] for c in candles] == list(range(TOTAL))
    times = [m["time"] for m in streamed]
    assert times == sorted(times)
    assert candles[0]["time"] * 1000 == START and candles[-1]["time"] * 1000 == END - 300_000

    curve = backtest_equity(run=run)
    np.testing.assert_array_equal([c["equity"] for c in candles], curve.values)
    np.testing.assert_array_equal([c["time"] * 1000 for c in candles], curve.times_ms)

    trades = backtest_trades(run=run)
    assert len(trades) > 5, "the span must trade for the check to mean something"
    entries = [m for m in streamed if m["type"] == "entry"]
    exits = [m for m in streamed if m["type"] == "exit"]
    assert [(e["time"] * 1000, e["side"], e["price"]) for e in entries] == [
        (t["entry_time"], t["side"], t["entry_price"]) for t in trades
    ]
    assert [(e["time"] * 1000, e["price"], e["pnl"]) for e in exits] == [
        (t["exit_time"], t["exit_price"], t["pnl"]) for t in trades
    ]
    # Each entry/exit comes right after its candle: the last candle before it is the one it
    # falls in (an "end" exit is stamped at the last candle's close).
    last_candle = None
    for message in streamed:
        if message["type"] == "candle":
            last_candle = message
        elif message.get("reason") != "end":
            assert last_candle["time"] <= message["time"] < last_candle["time"] + 300


def test_small_chunks_stream_exactly_what_one_big_chunk_does(run, ana_cookie, monkeypatch):
    """Chunk boundaries (every 7 candles here) never drop, repeat or move an entry or exit."""

    async def stream():
        comm = await opened(run.pk, ana_cookie)
        messages = await play_to_end(comm)
        await comm.disconnect()
        return events_of(messages)

    whole = async_to_sync(stream)()
    monkeypatch.setattr(replay_selectors, "CHUNK_CANDLES", 7)
    assert async_to_sync(stream)() == whole


def test_nothing_flows_without_credit_and_never_more_than_granted(run, ana_cookie):
    async def scenario():
        comm = await opened(run.pk, ana_cookie)
        await comm.send_json_to({"action": "speed", "candles_per_second": "max"})
        await until(comm, "speed")
        assert await comm.receive_nothing(timeout=0.3)  # playing, but no credit yet
        await comm.send_json_to({"action": "credit", "candles": 7})
        first = await until(comm, "batch")
        got = [c["index"] for c in candles_of(first)]
        while len(got) < 7:
            got += [c["index"] for c in candles_of(await until(comm, "batch"))]
        assert await comm.receive_nothing(timeout=0.3)  # credit spent: the stream waits
        await comm.send_json_to({"action": "credit", "candles": 3})
        more = []
        while len(more) < 3:
            more += [c["index"] for c in candles_of(await until(comm, "batch"))]
        assert await comm.receive_nothing(timeout=0.3)
        await comm.send_json_to({"action": "credit", "candles": MAX_CREDIT + 1})
        refused = (await until(comm, "error"))[-1]["detail"]
        await comm.disconnect()
        return got, more, refused

    got, more, refused = async_to_sync(scenario)()
    assert got == list(range(7)) and more == [7, 8, 9]
    assert refused == f"candles must be in [1, {MAX_CREDIT}]"


def test_pause_stops_the_stream_and_resume_continues_where_it_stopped(run, ana_cookie):
    async def scenario():
        comm = await opened(run.pk, ana_cookie)
        await comm.send_json_to({"action": "speed", "candles_per_second": 50})
        await comm.send_json_to({"action": "credit", "candles": MAX_CREDIT})
        first = await until(comm, "batch")
        await comm.send_json_to({"action": "pause"})
        before = first + await until(comm, "paused")
        assert await comm.receive_nothing(timeout=0.4)  # 20 candles at 50/s, had it not paused
        await comm.send_json_to({"action": "resume"})
        resumed = await until(comm, "resumed")
        after = await until(comm, "batch")
        await comm.disconnect()
        return before, resumed, after

    before, resumed, after = async_to_sync(scenario)()
    last_index = candles_of(before)[-1]["index"]
    assert before[-1]["index"] == resumed[-1]["index"] == last_index + 1
    assert candles_of(after)[0]["index"] == last_index + 1


def test_speed_sets_the_pace_and_bad_speeds_are_refused(run, ana_cookie):
    async def scenario():
        comm = await opened(run.pk, ana_cookie)
        for bad in (0, 1001, "fast", None, True, 10**310, float("inf"), [5]):
            await comm.send_json_to({"action": "speed", "candles_per_second": bad})
            assert (await until(comm, "error"))[-1]["detail"].startswith("candles_per_second")
        await comm.send_json_to({"action": "speed", "candles_per_second": 20})
        assert (await until(comm, "speed"))[-1]["speed"] == 20.0
        # The pace is an upper bound that holds however slow the machine: the server starts
        # counting after it gets the credit, so by the time the test has waited t seconds since
        # sending it, at most 1 + 20 t candles can have been sent.
        began = time.monotonic()
        await comm.send_json_to({"action": "credit", "candles": MAX_CREDIT})
        window, pace = [], []
        while time.monotonic() - began < 0.6:
            window.append(await comm.receive_json_from(timeout=TIMEOUT))
            pace.append((len(candles_of(window)), time.monotonic() - began))
        await comm.send_json_to({"action": "speed", "candles_per_second": "max"})
        rest = await until(comm, "end")
        await comm.disconnect()
        return window, pace, rest

    window, pace, rest = async_to_sync(scenario)()
    assert all(count <= 1 + 20 * elapsed for count, elapsed in pace)
    assert len(candles_of(window)) >= 2  # and it did play
    assert rest[0] == {"type": "speed", "speed": "max"}
    streamed = candles_of(window) + candles_of(rest)
    assert [c["index"] for c in streamed] == list(range(streamed[0]["index"], TOTAL))


def test_seek_sends_the_history_before_the_new_position(run, ana_cookie):
    target = START // 1000 + 400 * 300  # candle 400

    async def scenario():
        comm = await opened(run.pk, ana_cookie)
        await comm.send_json_to({"action": "pause"})
        await until(comm, "paused")
        await comm.send_json_to({"action": "seek", "time": target - 10})  # inside candle 399
        seeked = (await until(comm, "seeked"))[-1]
        await comm.send_json_to({"action": "resume"})
        jumped = await play_to_end(comm)
        await comm.send_json_to({"action": "seek", "time": 0})  # back to the start after the end
        again = await play_to_end(comm, begin=False)
        await comm.send_json_to({"action": "pause"})
        await until(comm, "paused")
        await comm.send_json_to({"action": "seek", "index": 100})
        by_index = (await until(comm, "seeked"))[-1]
        await comm.send_json_to({"action": "seek", "time": 2_000_000_000})
        await comm.send_json_to({"action": "resume"})
        past = await until(comm, "end")
        await comm.disconnect()
        return seeked, jumped, again, by_index, past

    seeked, jumped, again, by_index, past = async_to_sync(scenario)()
    assert (seeked["index"], seeked["time"]) == (400, target)
    history = [e for e in seeked["history"] if e["type"] == "candle"]
    assert [c["index"] for c in history] == list(range(400 - HISTORY, 400))
    assert history[-1]["equity"] is not None  # the equity to show at the new position
    assert [c["index"] for c in candles_of(jumped)] == list(range(400, TOTAL))
    assert [c["index"] for c in candles_of(again)] == list(range(TOTAL))
    assert again[0]["history"] == []  # nothing before the first candle
    assert [c["index"] for c in by_index["history"] if c["type"] == "candle"] == list(range(100))
    assert [m["type"] for m in past] == ["seeked", "resumed", "end"]
    assert past[0]["time"] is None and past[0]["index"] == TOTAL


def test_bad_messages_get_an_error_and_the_socket_stays_open(run, ana_cookie):
    async def scenario():
        comm = await opened(run.pk, ana_cookie)
        details = []
        for text in ("not json", "[1, 2]", '"pause"', '{"action": "fly"}', "{}", "[" * 100_000):
            await comm.send_to(text_data=text)
            details.append((await until(comm, "error"))[-1]["detail"])
        await comm.send_to(bytes_data=b"\x00")
        details.append((await until(comm, "error"))[-1]["detail"])
        for bad in (
            {"action": "seek", "time": "yesterday"},
            {"action": "seek", "time": 10**310},
            {"action": "seek", "index": -1},
            {"action": "seek"},
            {"action": "credit", "candles": 1.5},
        ):
            await comm.send_json_to(bad)
            details.append((await until(comm, "error"))[-1]["detail"])
        await comm.send_to(text_data='{"action": "seek", "time": ' + "[" * 900 + "]" * 900 + "}")
        details.append((await until(comm, "error"))[-1]["detail"])
        await comm.send_to(text_data='{"action": "pause", "x": ' + "[" * 2000 + "]" * 2000 + "}")
        details.append((await until(comm, "error"))[-1]["detail"])
        await comm.send_json_to({"action": "credit", "candles": 5})
        candle = candles_of(await until(comm, "batch"))[0]  # still streaming
        await comm.disconnect()
        return details, candle

    details, candle = async_to_sync(scenario)()
    assert details[:3] == ["messages must be JSON objects"] * 3
    assert details[3:5] == ["action must be one of credit, pause, resume, speed, seek"] * 2
    assert details[5] == "message too large: at most 4096 characters"
    assert details[6] == "binary frames are not accepted: send a JSON object as text"
    assert details[7:12] == [
        "time must be a number in [0, 253402300799]",
        "time must be in [0, 253402300799]",
        "index must be in [0, 576]",
        "seek needs an index (a candle) or a time (epoch seconds)",
        "candles must be a whole number in [1, 2000]",
    ]
    assert details[12] == "time must be a number in [0, 253402300799]"
    assert details[13] == "message nested too deeply"
    assert candle["index"] == 0


def close_of(run_id: int, cookie: bytes | None) -> dict[str, Any]:
    async def scenario():
        comm = communicator(run_id, cookie)
        connected, _ = await comm.connect()
        assert connected  # accepted, then closed: browsers only see codes after an accept
        message = await comm.receive_output(timeout=TIMEOUT)
        await comm.disconnect()
        assert message["type"] == "websocket.close"
        return message

    return async_to_sync(scenario)()


def test_other_users_and_missing_runs_get_one_answer_and_anonymous_another(run, ana_cookie, bob):
    async def foreign_origin() -> bool:
        comm = communicator(run.pk, ana_cookie, origin=b"http://evil.test")
        connected, _ = await comm.connect()
        return connected

    bob_cookie = cookie_of("bob", "pw-bob-123")
    theirs, missing = close_of(run.pk, bob_cookie), close_of(run.pk + 1000, bob_cookie)
    assert theirs == missing == {"type": "websocket.close", "code": 4404, "reason": "no such run"}
    # Anonymous: refused before any lookup, the same for every id.
    anonymous = {"type": "websocket.close", "code": 4401, "reason": "sign in first"}
    assert close_of(run.pk, None) == close_of(run.pk + 1000, None) == anonymous
    assert async_to_sync(foreign_origin)() is False
    BacktestRun.objects.filter(pk=run.pk).update(status=BacktestStatus.FAILED)
    assert close_of(run.pk, ana_cookie)["code"] == 4409  # yours, but nothing to replay


def test_a_user_holds_at_most_the_configured_number_of_replay_sockets(
    run, ana_cookie, bob, settings
):
    settings.REPLAY_MAX_SOCKETS_PER_USER = 2

    async def scenario():
        first, second = await opened(run.pk, ana_cookie), await opened(run.pk, ana_cookie)
        third = communicator(run.pk, ana_cookie)
        await third.connect()
        refused = await third.receive_output(timeout=TIMEOUT)
        await third.disconnect()
        await first.disconnect()  # a closed socket gives its slot back at once
        again = await opened(run.pk, ana_cookie)
        await again.disconnect()
        await second.disconnect()
        return refused

    refused = async_to_sync(scenario)()
    assert refused == {
        "type": "websocket.close",
        "code": 4429,
        "reason": "too many open replay sockets (limit 2)",
    }


def test_playback_state_rules_without_a_socket():
    state = PlaybackState(total=3000, speed=None)
    assert state.due(0.0) == (0, 0.0)  # no credit, nothing due
    state.grant(MAX_CREDIT * 5)
    assert state.credit == MAX_CREDIT  # the window is bounded whatever the client grants
    assert state.due(0.0) == (MAX_BATCH, 0.0)
    state.sent(MAX_BATCH)
    assert (state.position, state.credit) == (MAX_BATCH, MAX_CREDIT - MAX_BATCH)

    paced = PlaybackState(total=100, speed=10.0, credit=50)
    paced.repace(100.0)
    assert paced.due(100.0) == (1, 0.0)  # the first candle at once
    paced.sent(1)
    count, wait = paced.due(100.05)
    assert count == 0 and wait == pytest.approx(0.05)
    assert paced.due(100.35) == (3, 0.0)  # 0.35 s at 10/s: 3 more are due
    assert parse_speed("max") is None and parse_speed(1000) == 1000.0
    for bad in (float("nan"), float("inf"), 0.5, True):
        with pytest.raises(MessageInvalid):
            parse_speed(bad)


def trade(number, entry_ms, exit_ms, reason="signal"):
    return {
        "number": number,
        "side": "long",
        "entry_time": entry_ms,
        "exit_time": exit_ms,
        "entry_price": 1.0,
        "exit_price": 2.0,
        "size": 1.0,
        "entry_fee": 0.0,
        "exit_fee": 0.0,
        "pnl": 1.0,
        "return_fraction": 1.0,
        "exit_reason": reason,
    }


def test_events_within_a_candle_follow_the_trades_and_missing_equity_is_null():
    bar = 300_000
    rows = [[i * bar, 1, 2, 0.5, 1.5, 10] for i in range(4)]
    chunk = replay_chunk_build(
        first=0,
        candles=CandleArrays.from_rows(np.array(rows, dtype=float)),
        lower_ms=-np.inf,
        upper_ms=np.inf,
        equity_times_ms=np.array([0, bar, 2 * bar], dtype=np.int64),  # none for the last bar
        equity_values=np.array([100.0, 101.0, 102.0]),
        trades=[
            trade(0, 0, bar + 60_000),  # stopped out inside bar 1
            trade(1, bar + 60_000, 2 * bar),  # reversal on bar 1, exit at bar 2's open
            trade(2, 2 * bar, 4 * bar, "end"),  # open at the end: stamped at the last close
        ],
    )
    groups = chunk.groups(0, 4)
    kinds = [[(m["type"], m.get("trade")) for m in group] for group in groups]
    assert kinds == [
        [("candle", None), ("entry", 0)],
        [("candle", None), ("exit", 0), ("entry", 1)],
        [("candle", None), ("exit", 1), ("entry", 2)],
        [("candle", None), ("exit", 2)],
    ]
    assert [g[0]["equity"] for g in groups] == [100.0, 101.0, 102.0, None]


def test_a_window_of_the_stored_curve_decodes_without_the_rest():
    times = np.arange(50_000, dtype=np.int64) * 300_000 + 1_700_000_000_000
    values = np.random.default_rng(7).random(50_000)
    times_blob, values_blob = equity_encode(times, values)
    for lo, hi in [(0, 2**62), (times[5], times[40_000]), (times[-1], times[-1]), (0, 1)]:
        got_times, got_values = equity_window(times_blob, values_blob, lo, hi)
        inside = (times >= lo) & (times <= hi)
        np.testing.assert_array_equal(got_times, times[inside])
        np.testing.assert_array_equal(got_values, values[inside])
