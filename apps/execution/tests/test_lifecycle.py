"""The bot lifecycle: one table of status moves, one writer of the status."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from apps.execution.lifecycle import (
    ENDED,
    TRANSITIONS,
    InvalidBotTransition,
    bot_status_move,
)
from apps.execution.models import Bot, BotStatus

EXECUTION = Path(__file__).resolve().parents[1]


class _Journal:
    def __init__(self):
        self.events = []

    def add(self, kind, message, **data):
        self.events.append((kind, message, data))


@pytest.mark.parametrize("source", list(BotStatus))
@pytest.mark.parametrize("target", list(BotStatus))
def test_a_move_is_allowed_exactly_when_the_table_says(source, target):
    bot, journal = Bot(status=source, status_message="before"), _Journal()
    if source not in TRANSITIONS[target]:
        with pytest.raises(InvalidBotTransition):
            bot_status_move(bot, target, "after", journal)
        assert (bot.status, bot.status_message, journal.events) == (source, "before", [])
        return
    bot_status_move(bot, target, "after", journal, candle_ms=5)
    assert (bot.status, bot.status_message) == (target, "after")
    assert journal.events == [("status", "after", {"candle_ms": 5, "status": target})]
    if target == BotStatus.RUNNING:
        assert bot.started_at is not None and bot.stopped_at is None
    assert (bot.stopped_at is not None) == (target in ENDED)


def test_a_killed_bot_cannot_be_killed_again_nor_stop_closing_into_running():
    assert BotStatus.KILLED not in TRANSITIONS[BotStatus.KILLED]
    assert BotStatus.STOPPING not in TRANSITIONS[BotStatus.RUNNING]


def test_only_the_lifecycle_writes_a_bots_status():
    offenders = []
    for path in sorted(EXECUTION.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "lifecycle.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                for leaf in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(leaf, ast.Attribute) and leaf.attr in (
                        "status",
                        "status_message",
                    ):
                        offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
