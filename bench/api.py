"""Benchmarks of the HTTP API's cached answers (in-process), and a runner for just the API
figures: `python -m bench.api` (a scratch database of its own; bench/results.json untouched)."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

from bench.scale import FULL, Scale

RUN_PATH = "/api/strategies/hma-sma/run/?symbol=BTCUSDT&timeframe=1h&limit=500"


def _median_ms(func: Callable[[], object], repeat: int) -> float:
    func()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_api_in_process(record: Callable[..., None], scale: Scale = FULL) -> None:
    """A cached run answer through the whole Django stack (test client, no network), against the
    previous cache on the same stack (bench/previous_api.py: a pickled dict rendered per hit)."""
    import orjson
    from django.core.cache import cache
    from django.test import Client, override_settings

    from apps.datafeeds.models import Symbol
    from apps.datafeeds.versions import candles_version
    from bench.previous_api import PREVIOUS_PAYLOAD

    client = Client(SERVER_NAME="localhost")
    with override_settings(
        STRATEGY_RUN_CACHE_SECONDS=600,
        MARKET_DATA_CACHE_SECONDS=600,
        ROOT_URLCONF="bench.previous_api",
        DEBUG=False,
    ):
        response = client.get(RUN_PATH)
        assert response.status_code == 200, response.content[:300]
        symbol_id = Symbol.objects.get(name="BTCUSDT").pk
        key = PREVIOUS_PAYLOAD.format(symbol_id, candles_version(symbol_id))
        cache.set(key, orjson.loads(response.content), timeout=600)  # what the old cache held
        previous_path = RUN_PATH.replace("/api/strategies/", "/previous/")
        assert client.get(previous_path).content == response.content

        repeat = scale.api_requests
        size = f"{repeat} requests"
        reference = _median_ms(lambda: client.get(previous_path), repeat)
        ours = _median_ms(lambda: client.get(RUN_PATH), repeat)
        name = "GET hma-sma/run 1h limit=500 cached, in-process (ref. the previous cache)"
        record(name, ours, "ms", reference, False, size=size)
        etag = response.get("ETag")
        assert etag, "the run endpoint answers without an ETag"
        not_modified = _median_ms(
            lambda: client.get(RUN_PATH, headers={"if-none-match": etag}), repeat
        )
        name = "GET hma-sma/run 1h limit=500, 304 revalidation, in-process"
        record(name, not_modified, "ms", size=size)
        gzipped = _median_ms(
            lambda: client.get(RUN_PATH, headers={"accept-encoding": "gzip"}), repeat
        )
        record("GET hma-sma/run 1h limit=500 cached, gzip, in-process", gzipped, "ms", size=size)


def _bench_candles_series() -> None:
    """BENCH1 5m as `bench_upsert` leaves it, shorter (the endpoint reads the newest 5000)."""
    from django.db import connection

    from apps.datafeeds.models import Symbol
    from apps.datafeeds.storage import candles_upsert
    from bench.candles import tiled_candles

    symbol = Symbol.objects.create(name="BENCH1", base="B", quote="Q", market_symbol="B/Q")
    candles_upsert(symbol=symbol, timeframe="5m", rows=tiled_candles(300_000).rows())
    with connection.cursor() as cursor:  # as bench_upsert leaves it (a plan from statistics)
        cursor.execute("VACUUM ANALYZE datafeeds_candle")


def _btc_series(data) -> None:
    """BTCUSDT 5m, 1h and 4h as `bench_run_endpoint` stores them."""
    from apps.datafeeds.importers import candle_file_read
    from apps.datafeeds.models import Symbol
    from apps.datafeeds.resample import resample_rows
    from apps.datafeeds.storage import candles_upsert

    symbol = Symbol.objects.create(
        name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )
    five, _ = candle_file_read(data / "binance_BTC-USDT_5m.csv.gz")
    four, _ = candle_file_read(data / "binance_BTC-USDT_4h.csv.gz")
    hours, complete = resample_rows(five, source="5m", target="1h")
    for timeframe, rows in (("5m", five), ("1h", hours[complete]), ("4h", four)):
        candles_upsert(symbol=symbol, timeframe=timeframe, rows=rows)


def main() -> int:
    from bench import run

    run.recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"load average {os.getloadavg()}", flush=True)
    if sys.argv[1:] == ["in-process"]:
        _btc_series(run.DATA)
    else:
        _bench_candles_series()
        run.bench_candles_endpoint(FULL)
        run.bench_run_endpoint(FULL)
    bench_api_in_process(run.record)
    print(f"load average {os.getloadavg()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
