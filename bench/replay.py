"""Replay sockets (docs/backtesting.md, "Replay over WebSocket"): server RSS per open replay
socket and candles per second, through uvicorn and the Redis channel layer, on the 71,769-bar
BTC/USDT 5m series (its first `Scale.replay_bars` at other sizes). Called by bench/run.py with
its `record`."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import FULL, Scale  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
WARM_UP_CANDLES = 20_000  # played once before timing: imports, pools, first chunks


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _stored_run(bars: int | None):
    """A done ema-cross run over the whole real series, and its owner's session cookie."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from apps.analytics.services import backtest_run_create, backtest_run_execute
    from apps.datafeeds.importers import candle_file_read
    from apps.datafeeds.models import Symbol
    from apps.datafeeds.storage import candles_upsert

    rows, _ = candle_file_read(DATA / "binance_BTC-USDT_5m.csv.gz")
    rows = rows[:bars]
    symbol = Symbol.objects.create(
        name="REPLAYBENCH", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )
    candles_upsert(symbol=symbol, timeframe="5m", rows=rows)
    owner = get_user_model().objects.create_user("replay-bench", password="replay-bench-pw")
    run = backtest_run_create(
        owner=owner,
        strategy="ema-cross",
        symbol=symbol,
        params={"fast_period": 12, "slow_period": 26},
        start_ms=int(rows[0, 0]),
        end_ms=int(rows[-1, 0]) + 300_000,
    )
    backtest_run_execute(run_id=run.pk)
    client = Client()
    assert client.login(username="replay-bench", password="replay-bench-pw")
    return run.pk, len(rows), f"sessionid={client.cookies['sessionid'].value}"


async def _replay(url: str, cookie: str, stop_after: int | None = None) -> int:
    """Plays the run at max speed, granting credit back per batch as the browser does."""
    from websockets.asyncio.client import connect

    async with connect(url, additional_headers={"Cookie": cookie}, origin="http://localhost") as ws:
        await ws.recv()  # start
        await ws.send(json.dumps({"action": "speed", "candles_per_second": "max"}))
        await ws.send(json.dumps({"action": "credit", "candles": 240}))
        seen = 0
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "batch":
                seen += message["count"]
                if stop_after is not None and seen >= stop_after:
                    return seen
                await ws.send(json.dumps({"action": "credit", "candles": message["count"]}))
            elif message["type"] == "end":
                return seen


async def _measure(url: str, cookie: str, pid: int, total: int, sockets: int) -> dict[str, float]:
    await _replay(url, cookie, stop_after=min(WARM_UP_CANDLES, total // 2))
    began = time.perf_counter()
    assert await _replay(url, cookie) == total
    single = time.perf_counter() - began
    baseline = peak = _rss_kib(pid)
    began = time.perf_counter()
    plays = [asyncio.create_task(_replay(url, cookie)) for _ in range(sockets)]
    while not all(p.done() for p in plays):
        peak = max(peak, _rss_kib(pid))
        await asyncio.sleep(0.05)
    wall = time.perf_counter() - began
    assert [p.result() for p in plays] == [total] * sockets
    return {
        "single": total / single,
        "concurrent": sockets * total / wall,
        "per_socket_kib": (peak - baseline) / sockets,
        "baseline_mib": baseline / 1024,
    }


def bench_replay(record, scale: Scale = FULL) -> None:
    sockets = scale.replay_sockets
    run_id, total, cookie = _stored_run(scale.replay_bars)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/uvicorn"), "config.asgi:application", "--port", str(port)],
        cwd=ROOT,
        env={
            **os.environ,
            "REPLAY_MAX_SOCKETS_PER_USER": str(sockets + 1),
            "DJANGO_DEBUG": "False",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.2)
        url = f"ws://127.0.0.1:{port}/ws/backtests/{run_id}/replay/"
        figures = asyncio.run(_measure(url, cookie, server.pid, total, sockets))
    finally:
        server.terminate()  # with DEBUG on, uvicorn on uvloop may hang on SIGTERM
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    size = f"{total:,} bars"
    together = f"{sockets} sockets x {total:,} bars"
    record("replay at max, one socket", figures["single"], "candles/s", size=size)
    record("replay at max, sockets together", figures["concurrent"], "candles/s", size=together)
    growth = figures["per_socket_kib"]
    record("server RSS growth per open replay socket", growth, "KiB", size=f"{sockets} open")
    record("server RSS before the replays", figures["baseline_mib"], "MiB", size=size)
