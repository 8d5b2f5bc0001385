"""`make bench`: speed figures against references measured in the same run.

Prints a table and writes bench/results.json (or `--out PATH`):
[{"name", "size", "value", "unit", "reference"?, "ratio"?}]. Runs against PostgreSQL (a scratch
database, BENCH_DB_NAME or `bot_trading_bench`, recreated each run). `--tiny` runs every
benchmark at tiny sizes (bench/scale.py): tests/test_bench.py checks that they all still run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
BENCH_DB = os.environ.get("BENCH_DB_NAME", "bot_trading_bench")  # one per worktree
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DJANGO_DB_NAME"] = BENCH_DB
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench.scale import FULL, TINY, Scale  # noqa: E402 (needs ROOT on sys.path)
from bench.servers import start_server  # noqa: E402
from bench.stats import p95, paired_median_ms  # noqa: E402

results: list[dict] = []


def record(
    name: str,
    value: float,
    unit: str,
    reference: float | None = None,
    higher_is_better=True,
    *,
    size: str = "",
) -> None:
    """One figure; with a reference, ratio > 1 means better than the reference."""
    entry = {"name": name, "size": size, "value": round(value, 3), "unit": unit}
    if reference is not None:
        entry["reference"] = round(reference, 3)
        ratio = value / reference if higher_is_better else reference / value
        entry["ratio"] = round(ratio, 2)
    add(entry)


def add(entry: dict) -> None:
    """Keeps and prints a figure built elsewhere (the shape `record` builds)."""
    results.append(entry)
    reference = entry.get("reference")
    ref = (
        "" if reference is None else f"   reference {reference:,.1f}   ratio {entry['ratio']:.2f}x"
    )
    print(
        f"{entry['name']:<70} {entry.get('size', ''):<26} {entry['value']:>12,.1f} "
        f"{entry['unit']:<10}{ref}",
        flush=True,
    )


def recreate_database() -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def bench_upsert(scale: Scale) -> None:
    from django.db import connection

    from apps.datafeeds.models import Candle, Symbol
    from apps.datafeeds.storage import candles_upsert
    from bench.candles import tiled_candles

    rows = tiled_candles(scale.upsert_candles).rows()
    size = f"{len(rows):,} candles"
    ours = Symbol.objects.create(name="BENCH1", base="B", quote="Q", market_symbol="B/Q")
    theirs = Symbol.objects.create(name="BENCH2", base="B", quote="Q", market_symbol="B/Q")

    started = time.perf_counter()
    report = candles_upsert(symbol=ours, timeframe="5m", rows=rows)
    ours_s = time.perf_counter() - started
    assert report.inserted == len(rows)

    started = time.perf_counter()
    objects = [
        Candle(
            symbol_id=theirs.pk,
            timeframe="5m",
            open_time=int(r[0]),
            open=r[1],
            high=r[2],
            low=r[3],
            close=r[4],
            volume=r[5],
        )
        for r in rows.tolist()
    ]
    Candle.objects.bulk_create(
        objects,
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["symbol", "timeframe", "open_time"],
        update_fields=["open", "high", "low", "close", "volume"],
    )
    theirs_s = time.perf_counter() - started
    record(
        "upsert new candles (PostgreSQL COPY path; ref. bulk_create)",
        len(rows) / ours_s,
        "candles/s",
        reference=len(rows) / theirs_s,
        size=size,
    )

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE datafeeds_candle")
    # Reads are measured on the freshly written series, as candles are written once, read often.
    bench_candles_endpoint(scale)

    started = time.perf_counter()
    report = candles_upsert(symbol=ours, timeframe="5m", rows=rows)
    again_s = time.perf_counter() - started
    assert report.unchanged == len(rows)
    record("re-upsert unchanged candles", len(rows) / again_s, "candles/s", size=size)

    revised = rows.copy()
    revised[:, 5] += 1.0
    started = time.perf_counter()
    report = candles_upsert(symbol=ours, timeframe="5m", rows=revised)
    assert report.updated == len(rows)
    record(
        "upsert revised candles (all updated)",
        len(rows) / (time.perf_counter() - started),
        "candles/s",
        size=size,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE datafeeds_candle")


def bench_candles_endpoint(scale: Scale) -> None:
    # As deployed (answers cached per candle version), then rendered on every request.
    for label, cache_seconds in (("", "600"), (" computed each time", "0")):
        server, port = start_server(MARKET_DATA_CACHE_SECONDS=cache_seconds)
        try:
            path = "/api/datafeeds/candles/?symbol=BENCH1&timeframe=5m&limit=5000"
            latencies = load_latencies(port, path, clients=1, per_client=scale.endpoint_requests)
        finally:
            server.terminate()
            server.wait(timeout=10)
        name = f"GET candles limit=5000{label}"
        size = f"{len(latencies)} requests"
        record(f"{name}, p50 (uvicorn, 1 client)", statistics.median(latencies), "ms", size=size)
        record(f"{name}, p95", p95(latencies), "ms", size=size)


def bench_emulator_download(scale: Scale) -> None:
    from django.conf import settings

    from apps.datafeeds.models import Symbol
    from apps.datafeeds.services import fetch_ohlcv
    from emulator import ExchangeEmulator, generate_candles

    count = scale.download_candles
    start = 1_600_000_000_000 // 60_000 * 60_000
    with ExchangeEmulator() as emu:
        emu.add_market(
            symbol="ETH/USDT",
            timeframe="1m",
            candles=generate_candles(timeframe="1m", count=count, start_ms=start),
        )
        settings.EXCHANGE_API_HOSTS = {"binance": emu.url}
        symbol = Symbol.objects.create(
            name="ETHUSDT", base="ETH", quote="USDT", market_symbol="ETH/USDT"
        )
        started = time.perf_counter()
        report = fetch_ohlcv(
            symbol=symbol, timeframe="1m", since_ms=start, until_ms=start + count * 60_000
        )
        elapsed = time.perf_counter() - started
    assert report.written.inserted == count, report.as_dict()
    size = f"{count:,} candles"
    record("emulator download end to end", count / elapsed, "candles/s", size=size)
    record("emulator download, wall time", elapsed, "s", size=size)


def bench_signals(scale: Scale) -> None:
    """HMA/SMA signals over (at full size) one year of 5m bars against the same indicators
    through TA-Lib."""
    import numpy as np
    import talib

    from apps.datafeeds.arrays import CandleArrays
    from apps.datafeeds.resample import resample_rows
    from apps.strategies.signals import hma_sma_signals
    from bench.candles import tiled_candles

    base = tiled_candles(scale.signal_bars)

    def ours():
        fresh = CandleArrays(  # a new instance each time: no cached row matrix
            base.open_time, base.open, base.high, base.low, base.close, base.volume
        )
        hma_sma_signals(
            fresh,
            base_timeframe="5m",
            higher={"1h": None, "4h": None},
            sma_period=200,
            hma_period=200,
        )

    def talib_hma(close, n):
        half, root = talib.WMA(close, n // 2), talib.WMA(close, n)
        return talib.WMA(2 * half - root, int(np.sqrt(n)))

    def reference():
        # The indicators alone, through TA-Lib: SMA on 5m, HMA on the aggregated 1h and 4h.
        talib.SMA(base.close, 200)
        for tf in ("1h", "4h"):
            rows, _ = resample_rows(base.rows(), source="5m", target=tf)
            talib_hma(rows[:, 4], 200)

    ours_ms, reference_ms = paired_median_ms(ours, reference, scale.timed_repeat)
    record(
        "HMA/SMA signals, full computation (ref. TA-Lib indicators)",
        ours_ms,
        "ms",
        reference=reference_ms,
        higher_is_better=False,
        size=f"{len(base):,} 5m bars",
    )


def load_latencies(port: int, path: str, clients: int, per_client: int) -> list[float]:
    """Latencies (ms) of `clients` threads each sending `per_client` keep-alive requests."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    def client() -> list[float]:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        out = []
        for i in range(per_client + 5):
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200, body[:300]
            if i >= 5:  # warm-up requests
                out.append((time.perf_counter() - started) * 1000)
        return out

    with ThreadPoolExecutor(clients) as pool:
        return [t for chunk in pool.map(lambda _: client(), range(clients)) for t in chunk]


def bench_run_endpoint(scale: Scale) -> None:
    from apps.datafeeds.importers import candle_file_read
    from apps.datafeeds.models import Symbol
    from apps.datafeeds.resample import resample_rows
    from apps.datafeeds.storage import candles_upsert

    symbol = Symbol.objects.create(
        name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )
    five, _ = candle_file_read(DATA / "binance_BTC-USDT_5m.csv.gz")
    four, _ = candle_file_read(DATA / "binance_BTC-USDT_4h.csv.gz")
    hours, complete = resample_rows(five, source="5m", target="1h")
    for timeframe, rows in (("5m", five), ("1h", hours[complete]), ("4h", four)):
        candles_upsert(symbol=symbol, timeframe=timeframe, rows=rows)
    path = "/api/strategies/hma-sma/run/?symbol=BTCUSDT&timeframe=1h&limit=500"
    # Computed on every request (cache off), then as deployed (responses reused per candle version).
    for label, cache_seconds in (("computed each time", "0"), ("cached", "600")):
        server, port = start_server(
            workers=2,
            STRATEGY_RUN_CACHE_SECONDS=cache_seconds,
            MARKET_DATA_CACHE_SECONDS=cache_seconds,  # symbol resolutions too
        )
        try:
            latencies = load_latencies(
                port, path, clients=scale.run_clients, per_client=scale.run_requests_per_client
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
        name = f"GET hma-sma/run 1h limit=500, concurrent clients, {label}"
        size = f"{scale.run_clients} clients x {scale.run_requests_per_client} requests"
        record(f"{name}, p50", statistics.median(latencies), "ms", size=size)
        record(f"{name}, p95", p95(latencies), "ms", size=size)
    server, port = start_server(
        workers=1, STRATEGY_RUN_CACHE_SECONDS="0", MARKET_DATA_CACHE_SECONDS="0"
    )
    try:
        latencies = load_latencies(port, path, clients=1, per_client=scale.endpoint_requests)
    finally:
        server.terminate()
        server.wait(timeout=10)
    record(
        "GET hma-sma/run 1h limit=500, 1 client, computed, p50",
        statistics.median(latencies),
        "ms",
        size=f"{len(latencies)} requests",
    )


def bench_sweep(scale: Scale) -> None:
    """hma-sma runs (at full size a 4x4 grid, 16 runs) fanned out to 2 real Celery workers on
    the Redis broker: wall time against the sum of the runs' own execution times."""
    from django.contrib.auth import get_user_model

    from apps.analytics.models import BacktestRun
    from apps.analytics.services import backtest_sweep_create
    from apps.datafeeds.models import Symbol
    from bench.workers import wall_on_workers

    owner = get_user_model().objects.create_user("bench")
    periods = list(scale.sweep_periods)
    start_ms = 1_706_745_600_000  # 2024-02-01

    def create():
        return backtest_sweep_create(
            owner=owner,
            strategy="hma-sma",
            symbol=Symbol.objects.get(name="BTCUSDT"),
            start_ms=start_ms,
            end_ms=start_ms + scale.sweep_days * 86_400_000,
            grid={"sma_period": periods, "hma_period": periods},
            config={"stop_loss": 0.015, "take_profit": 0.03},
        )

    def finished(sweep) -> bool:
        runs = BacktestRun.objects.filter(sweep=sweep)
        return not runs.exclude(status__in=["done", "failed"]).exists()

    wall, sweep = wall_on_workers(["bench0", "bench1"], create, finished, timeout=900)
    runs = list(BacktestRun.objects.filter(sweep=sweep))
    assert all(run.status == "done" for run in runs), [run.error for run in runs]
    busy = sum((run.finished_at - run.started_at).total_seconds() for run in runs)
    record(
        "sweep of hma-sma runs on 2 workers, wall time (ref. the runs' sum)",
        wall,
        "s",
        reference=busy,
        higher_is_better=False,
        size=f"{len(runs)} runs x {scale.sweep_days} days",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="every benchmark, at tiny sizes")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(STEPS),
        help="these benchmarks only, in make bench's order (api, sweep and browser read the "
        "BTCUSDT candles run_endpoint stores: name it too)",
    )
    args = parser.parse_args(argv)
    scale = TINY if args.tiny else FULL
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"{'benchmark':<70} {'size':<26} {'value':>12} unit", flush=True)
    for name, step in STEPS.items():
        if args.only is None or name in args.only:
            step(scale)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    return 0


def _api(scale: Scale) -> None:
    from bench.api import bench_api_in_process

    bench_api_in_process(record, scale)


def _engine(scale: Scale) -> None:
    from bench.engine import bench_engine

    for entry in bench_engine(scale.signal_bars, scale.timed_repeat, scale.reference_repeat):
        add(entry)  # times in ms: lower is better


def _language(scale: Scale) -> None:
    from bench.language import bench_language

    for entry in bench_language(scale.signal_bars, scale.timed_repeat):
        add(entry)  # times in ms; a ratio below 1: how much slower the language is


def _risk(scale: Scale) -> None:
    from bench.risk import bench_risk

    for entry in bench_risk(scale.signal_bars, scale.risk_repeat):
        add(entry)  # a risk profile: ratio = times slower than without one


def _optimisation(scale: Scale) -> None:
    from bench.optimisation import bench_study, bench_trial

    bench_trial(record, scale.signal_bars, scale.trial_draws)
    bench_study(record, trials=scale.study_trials, days=scale.sweep_days)


def _limiter(scale: Scale) -> None:
    from bench.exchanges import bench_rate_limiter

    bench_rate_limiter(record, scale.limiter_calls)


def _replay(scale: Scale) -> None:
    from bench.replay import bench_replay

    bench_replay(record, scale)


def _bots(scale: Scale) -> None:
    from bench.bots import bench_bots

    for entry in bench_bots(scale.paper_bots, scale.paper_candles):
        add(entry)


def _live(scale: Scale) -> None:
    from bench.bots import bench_live_bots, bench_protective_orders

    for entry in bench_live_bots(scale.live_bots, scale.live_candles):
        add(entry)
    for entry in bench_protective_orders(scale.live_bots, scale.protected_entries):
        add(entry)


def _browser(scale: Scale) -> None:
    from bench.browser import bench_browser

    bench_browser(record, scale)


# Every benchmark, in an order where each finds the data it reads (BTCUSDT from run_endpoint
# for the in-process API, the sweep and the browser). `--only` picks some, in this order.
STEPS = {
    "upsert": bench_upsert,
    "download": bench_emulator_download,
    "signals": bench_signals,
    "run_endpoint": bench_run_endpoint,
    "api": _api,
    "engine": _engine,
    "language": _language,
    "risk": _risk,
    "sweep": bench_sweep,
    "optimisation": _optimisation,
    "limiter": _limiter,
    "replay": _replay,
    "bots": _bots,
    "live": _live,
    "browser": _browser,
}


if __name__ == "__main__":
    sys.exit(main())
