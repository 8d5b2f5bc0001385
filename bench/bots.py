"""Paper bots at scale (docs/bots.md): N running bots on 10 symbols with 20 distinct strategy
keys, stepped by 2 real Celery workers (Redis broker, PostgreSQL).

For each of CANDLES new 5m candles: the candle of every symbol is stored (candles_upsert, as the
refresh stores it), which fans out to the bots; the latency is from just before the first store
to the last decision committed (its created_at). Reported: p50/p95 over the candles, and the
in-process cost of one bot-step once the key's signals are shared (cached), and of computing
one key's signals.

`python bench/bots.py [bots]` runs it alone (scratch database, as bench/run.py);
bench/run.py calls bench_bots().
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SYMBOLS = 10
KEYS = [("ema-cross", {"fast_period": f, "slow_period": s}) for f, s in
        [(5, 20), (8, 21), (9, 30), (10, 40), (12, 26), (12, 50), (15, 45), (20, 50), (20, 60),
         (25, 75)]] + [("hma-sma", {"sma_period": p, "hma_period": h}) for p, h in
        [(20, 16), (30, 16), (50, 20), (50, 25), (60, 20), (80, 30), (100, 16), (100, 24),
         (120, 20), (150, 30)]]  # fmt: skip
CANDLES = (
    12  # new candles: 1 warm-up (workers' first imports and connections), 10 measured, 1 in-process
)
WARMUP = 1
HISTORY_DAYS = 12  # 5m candles stored before the first measured one (every key's warm-up)
BAR = 300_000
YEARS = 10 * 365 * 86_400.0  # staleness limit: the stored candles are from 2024


def _setup(bots: int):
    import numpy as np
    from django.contrib.auth import get_user_model

    from apps.datafeeds.importers import candle_file_read
    from apps.datafeeds.models import Symbol
    from apps.datafeeds.storage import candles_upsert
    from apps.execution.models import Bot, BotStatus
    from apps.strategies.registry import strategy_spec

    rows, _ = candle_file_read(ROOT.parent / "shared" / "data" / "binance_BTC-USDT_5m.csv.gz")
    history = HISTORY_DAYS * 288
    start = rows[history, 0]  # the first measured candle
    owner = get_user_model().objects.create_user("bench-bots")
    symbols, future = [], []
    for i in range(SYMBOLS):
        symbol = Symbol.objects.create(
            name=f"BOT{i}USDT", base=f"BOT{i}", quote="USDT", market_symbol=f"BOT{i}/USDT"
        )
        scaled = rows[: history + CANDLES].copy()
        scaled[:, 1:5] *= 1 + i / 10  # distinct prices per symbol, same real shape
        candles_upsert(symbol=symbol, timeframe="5m", rows=scaled[:history])
        symbols.append(symbol)
        future.append(scaled[history:])
    made = []
    for n in range(bots):
        strategy, params = KEYS[n % len(KEYS)]
        symbol = symbols[(n // len(KEYS)) % SYMBOLS]
        params = strategy_spec(strategy).validate_params(params)
        made.append(
            Bot(
                owner=owner,
                name=f"bot{n}",
                strategy=strategy,
                params=params,
                symbol=symbol,
                timeframe="5m",
                status=BotStatus.RUNNING,
                span_start_ms=int(start),
                signals_from_ms=int(start),
                staleness_seconds=YEARS,
            )
        )
    Bot.objects.bulk_create(made, batch_size=500)
    return symbols, np.array(future), int(start)


def _workers() -> list[subprocess.Popen]:
    from config.celery import app

    app.control.purge()
    workers = [
        subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "warning",
                "--prefetch-multiplier",
                "1",
                "--hostname",
                f"benchbots{i}-{time.time_ns()}@%h",
            ],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(2)
    ]
    deadline = time.time() + 60
    while len(app.control.ping(timeout=1.0) or []) < 2:
        if time.time() > deadline:
            raise RuntimeError("the Celery workers did not start")
    return workers


def _one_candle(symbols, rows, candle_ms: int, bots: int) -> float:
    """Store the candle of every symbol; seconds until the last decision is committed."""
    from django.db.models import Max
    from django.utils import timezone

    from apps.datafeeds.storage import candles_upsert
    from apps.execution.models import BotDecision

    started = timezone.now()
    for symbol, row in zip(symbols, rows, strict=True):
        candles_upsert(symbol=symbol, timeframe="5m", rows=row[None, :])
    decided = BotDecision.objects.filter(candle_ms=candle_ms)
    deadline = time.time() + 300
    while decided.count() < bots:
        if time.time() > deadline:
            raise RuntimeError(f"only {decided.count()} of {bots} bots decided {candle_ms}")
        time.sleep(0.05)
    last = decided.aggregate(last=Max("created_at"))["last"]
    return (last - started).total_seconds()


def bench_bots(bots: int = 1000) -> list[dict]:
    from django.db import connection

    from apps.execution.models import Bot, BotDecision

    symbols, future, start = _setup(bots)
    workers = _workers()
    try:
        latencies = [
            _one_candle(symbols, future[:, k], start + k * BAR, bots) for k in range(CANDLES - 1)
        ][WARMUP:]
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    decisions = BotDecision.objects.count()
    assert decisions == bots * (CANDLES - 1), decisions
    print("latencies (s):", " ".join(f"{x:.2f}" for x in latencies), flush=True)
    assert not Bot.objects.exclude(status="running").exists()

    # The cost of one bot-step in this process, signals shared: the last candle, stepped by
    # bots_step_many per key chunk after the key's signals are in the cache.
    from apps.datafeeds.hooks import _subscribers
    from apps.datafeeds.storage import candles_upsert
    from apps.execution.services.fanout import bots_step_many, step_groups
    from apps.execution.services.signals import candle_signals
    from apps.strategies.registry import strategy_spec

    hooks = list(_subscribers)
    _subscribers.clear()  # stored here without waking the (stopped) workers
    candle = start + (CANDLES - 1) * BAR
    for symbol, row in zip(symbols, future[:, CANDLES - 1], strict=True):
        candles_upsert(symbol=symbol, timeframe="5m", rows=row[None, :])
    _subscribers.extend(hooks)
    chunks = [c for s in symbols for c in step_groups(symbol_id=s.pk, timeframe="5m")]
    signal_times, step_times, stepped = [], 0.0, 0
    for chunk in chunks:
        first = Bot.objects.select_related("symbol").get(pk=chunk[0])
        began = time.perf_counter()
        candle_signals(
            spec=strategy_spec(first.strategy),
            params=first.params,
            symbol=first.symbol,
            signals_from_ms=start,
            candle_ms=candle,
        )
        signal_times.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        stepped += len(bots_step_many(bot_ids=chunk, candle_ms=candle))
        step_times += time.perf_counter() - began
    assert stepped == bots, stepped
    connection.close()
    p95 = (
        statistics.quantiles(latencies, n=20, method="inclusive")[18]
        if len(latencies) > 1
        else latencies[0]
    )
    step_ms = step_times * 1000 / stepped
    signal_ms = statistics.median(signal_times)
    label = f"{bots} paper bots, new candle -> all decided"
    return [
        _entry(f"{label}, p50", statistics.median(latencies), "s"),
        _entry(f"{label}, p95 ({len(latencies)} candles, 2 workers)", p95, "s"),
        _entry(f"{label}, max", max(latencies), "s"),
        _entry("bot-step with shared signals, per bot (1 process)", step_ms, "ms"),
        _entry(f"signals of one key at one candle ({len(KEYS)} keys)", signal_ms, "ms"),
    ]


def _entry(name: str, value: float, unit: str) -> dict:
    return {"name": name, "value": round(value, 3), "unit": unit}


CANDLES = (
    12  # new candles: 1 warm-up (workers' first imports and connections), 10 measured, 1 in-process
)
WARMUP = 1
HISTORY_DAYS = 12  # 5m candles stored before the first measured one (every key's warm-up)
BAR = 300_000


if __name__ == "__main__":
    from bench import run  # the scratch database's settings

    # A database of its own: another bench run may be using run.py's at the same time.
    run.BENCH_DB = os.environ["DJANGO_DB_NAME"] = "bot_trading_bench_bots"
    run.recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    for entry in bench_bots(int(sys.argv[1]) if len(sys.argv) > 1 else 1000):
        print(f"{entry['name']:<80} {entry['value']:>10,.3f} {entry['unit']}", flush=True)
