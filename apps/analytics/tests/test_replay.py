"""Replay of a stored run over WebSocket, through the real ASGI stack (routing, origin, session)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from apps.analytics.models import BacktestRun, BacktestStatus
from apps.analytics.replay import PlaybackCursor, ReplayInvalid, replay_events
from apps.analytics.selectors import backtest_equity, backtest_trades
from apps.analytics.services import backtest_run_create, backtest_run_execute
from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.storage import candles_upsert
from apps.datafeeds.times import parse_time_ms
from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

START = parse_time_ms("2024-06-01")
END = parse_time_ms("2024-06-03")  # 576 bars of 5m
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
    """Every message up to and including the first of type `kind`."""
    seen = []
    while True:
        message = await comm.receive_json_from(timeout=TIMEOUT)
        seen.append(message)
        if message["type"] == kind:
            return seen


async def opened(run_id: int, cookie: bytes) -> WebsocketCommunicator:
    comm = communicator(run_id, cookie)
    connected, _ = await comm.connect()
    assert connected
    start = await comm.receive_json_from(timeout=TIMEOUT)
    assert start == {"type": "start", "run": run_id, "total": 576, "speed": 10.0}
    return comm


def candles_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["type"] == "candle"]


def test_the_whole_run_streams_in_time_order_matching_trades_and_equity(run, ana_cookie):
    async def scenario():
        comm = await opened(run.pk, ana_cookie)
        await comm.send_json_to({"action": "speed", "candles_per_second": "max"})
        messages = await until(comm, "end")
        assert await comm.receive_nothing(timeout=0.2)  # the end is the last word
        await comm.disconnect()
        return messages

    messages = async_to_sync(scenario)()
    streamed = [m for m in messages if m["type"] in ("candle", "entry", "exit")]
    candles = candles_of(streamed)
    assert [c["index"] for c in candles] == list(range(576))
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


def test_pause_stops_the_stream_and_resume_continues_where_it_stopped(run, ana_cookie):
    async def scenario():
        comm = await opened(run.pk, ana_cookie)
        await comm.send_json_to({"action": "speed", "candles_per_second": 50})
        await until(comm, "speed")
        await until(comm, "candle")
        await comm.send_json_to({"action": "pause"})
        before = await until(comm, "paused")
        assert await comm.receive_nothing(timeout=0.4)  # 20 candles at 50/s, had it not paused
        await comm.send_json_to({"action": "resume"})
        resumed = await until(comm, "resumed")
        after = await until(comm, "candle")
        await comm.disconnect()
        return before, resumed, after

    before, resumed, after = async_to_sync(scenario)()
    last_index = candles_of(before)[-1]["index"] if candles_of(before) else None
    assert before[-1]["index"] == resumed[-1]["index"] == after[-1]["index"]
    assert last_index is None or after[-1]["index"] == last_index + 1


def test_speed_changes_the_pace_and_bad_speeds_are_refused(run, ana_cookie):
    async def scenario():
        comm = await opened(run.pk, ana_cookie)
        for bad in (0, 1001, "fast", None, True):
            await comm.send_json_to({"action": "speed", "candles_per_second": bad})
            assert (await until(comm, "error"))[-1]["detail"].startswith("candles_per_second")
        await comm.send_json_to({"action": "speed", "candles_per_second": 20})
        assert (await until(comm, "speed"))[-1]["speed"] == 20.0
        began = time.monotonic()
        for _ in range(6):
            await until(comm, "candle")
        slow = time.monotonic() - began
        await comm.send_json_to({"action": "speed", "candles_per_second": "max"})
        assert (await until(comm, "speed"))[-1]["speed"] == "max"
        began = time.monotonic()
        rest = await until(comm, "end")
        fast = time.monotonic() - began
        await comm.disconnect()
        return slow, fast, rest

    slow, fast, rest = async_to_sync(scenario)()
    assert slow >= 0.2  # six candles at 20/s: at least five intervals of 50 ms
    assert len(candles_of(rest)) > 500 and fast < 3  # 500+ candles at 10/s would take a minute


def test_seek_jumps_forward_and_back_and_past_the_end(run, ana_cookie):
    target = START // 1000 + 400 * 300  # candle 400

    async def scenario():
        comm = await opened(run.pk, ana_cookie)
        await comm.send_json_to({"action": "pause"})
        await until(comm, "paused")
        await comm.send_json_to({"action": "seek", "time": target - 10})  # inside candle 399
        seeked = (await until(comm, "seeked"))[-1]
        await comm.send_json_to({"action": "speed", "candles_per_second": "max"})
        await comm.send_json_to({"action": "resume"})
        jumped = candles_of(await until(comm, "end"))
        await comm.send_json_to({"action": "seek", "time": 0})  # back to the start after the end
        again = candles_of(await until(comm, "end"))
        await comm.send_json_to({"action": "seek", "time": 2_000_000_000})
        past = await until(comm, "end")
        await comm.disconnect()
        return seeked, jumped, again, past

    seeked, jumped, again, past = async_to_sync(scenario)()
    assert seeked == {"type": "seeked", "index": 400, "time": target}
    assert [c["index"] for c in jumped] == list(range(400, 576))
    assert [c["index"] for c in again] == list(range(576))
    assert [m["type"] for m in past] == ["seeked", "end"]


def test_bad_messages_get_an_error_and_the_socket_stays_open(run, ana_cookie):
    async def scenario():
        comm = await opened(run.pk, ana_cookie)
        await comm.send_json_to({"action": "pause"})
        await until(comm, "paused")
        details = []
        for text in ("not json", "[1, 2]", '"pause"', '{"action": "fly"}', "{}"):
            await comm.send_to(text_data=text)
            details.append((await until(comm, "error"))[-1]["detail"])
        await comm.send_to(bytes_data=b"\x00")
        details.append((await until(comm, "error"))[-1]["detail"])
        await comm.send_json_to({"action": "seek", "time": "yesterday"})
        details.append((await until(comm, "error"))[-1]["detail"])
        await comm.send_json_to({"action": "resume"})
        await until(comm, "resumed")
        candle = (await until(comm, "candle"))[-1]  # still streaming
        await comm.disconnect()
        return details, candle

    details, candle = async_to_sync(scenario)()
    assert details[0] == "messages must be JSON objects"
    assert details[1:5] == ["action must be one of pause, resume, speed, seek"] * 4
    assert details[5] == "messages must be JSON objects"
    assert details[6].startswith("time must be epoch seconds")
    assert candle["type"] == "candle"


def test_anonymous_other_users_unknown_and_unfinished_runs_are_refused(run, ana_cookie, bob):
    async def close_code(run_id: int, cookie: bytes | None) -> int | None:
        comm = communicator(run_id, cookie)
        connected, _ = await comm.connect()
        assert connected  # accepted, then closed: browsers only see codes after an accept
        message = await comm.receive_output(timeout=TIMEOUT)
        await comm.disconnect()
        assert message["type"] == "websocket.close"
        return message["code"]

    async def foreign_origin() -> bool:
        comm = communicator(run.pk, ana_cookie, origin=b"http://evil.test")
        connected, _ = await comm.connect()
        return connected

    bob_cookie = cookie_of("bob", "pw-bob-123")
    assert async_to_sync(close_code)(run.pk, None) == 4403
    assert async_to_sync(close_code)(run.pk, bob_cookie) == 4403
    assert async_to_sync(close_code)(run.pk + 1000, bob_cookie) == 4404
    assert async_to_sync(foreign_origin)() is False
    BacktestRun.objects.filter(pk=run.pk).update(status=BacktestStatus.FAILED)
    assert async_to_sync(close_code)(run.pk, ana_cookie) == 4409  # nothing to replay


def test_cursor_rules_without_a_socket():
    cursor = PlaybackCursor(times_ms=np.array([0, 300_000, 600_000], dtype=np.int64))
    assert cursor.advance() == 0 and cursor.interval == 0.1
    assert cursor.seek(301) == 2 and cursor.advance() == 2 and cursor.advance() is None
    assert cursor.done and cursor.seek(-5) == 0 and not cursor.done
    assert cursor.set_speed("max") is None and cursor.interval == 0
    with pytest.raises(ReplayInvalid):
        cursor.set_speed(float("nan"))
    with pytest.raises(ReplayInvalid):
        cursor.seek(float("nan"))


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
    events = replay_events(
        candles=CandleArrays.from_rows(np.array(rows, dtype=float)),
        equity_times_ms=np.array([0, bar, 2 * bar], dtype=np.int64),  # none for the last bar
        equity_values=np.array([100.0, 101.0, 102.0]),
        trades=[
            trade(0, 0, bar + 60_000),  # stopped out inside bar 1
            trade(1, bar + 60_000, 2 * bar),  # reversal on bar 1, exit at bar 2's open
            trade(2, 2 * bar, 4 * bar, "end"),  # open at the end: stamped at the last close
        ],
    )
    kinds = [[(m["type"], m.get("trade")) for m in group] for group in events.groups]
    assert kinds == [
        [("candle", None), ("entry", 0)],
        [("candle", None), ("exit", 0), ("entry", 1)],
        [("candle", None), ("exit", 1), ("entry", 2)],
        [("candle", None), ("exit", 2)],
    ]
    assert [g[0]["equity"] for g in events.groups] == [100.0, 101.0, 102.0, None]
