"""`make bench`: speed figures against references measured in the same run.

Prints a table and writes bench/results.json: [{"name", "value", "unit", "reference"?, "ratio"?}].
Runs against PostgreSQL (a scratch database `bot_trading_bench`, recreated each run).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
BENCH_DB = "bot_trading_bench"
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DJANGO_DB_NAME"] = BENCH_DB
os.environ.setdefault("LOG_LEVEL", "WARNING")

results: list[dict] = []


def record(
    name: str, value: float, unit: str, reference: float | None = None, higher_is_better=True
):
    entry = {"name": name, "value": round(value, 3), "unit": unit}
    if reference is not None:
        entry["reference"] = round(reference, 3)
        ratio = value / reference if higher_is_better else reference / value
        entry["ratio"] = round(ratio, 2)
    results.append(entry)
    ref = (
        "" if reference is None else f"   reference {reference:,.1f}   ratio {entry['ratio']:.2f}x"
    )
    print(f"{name:<58} {value:>14,.1f} {unit:<10}{ref}", flush=True)


def recreate_database() -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def tiled_candles(count: int):
    """`count` 5m candles: the real BTC/USDT series tiled, each copy continuing the last close."""
    import numpy as np

    from apps.datafeeds.importers import candle_file_read

    base, _ = candle_file_read(DATA / "binance_BTC-USDT_5m.csv.gz")
    copies = []
    offset_ms, scale = 0, 1.0
    span = int(base[-1, 0] - base[0, 0]) + 300_000
    while sum(len(c) for c in copies) < count:
        copy = base.copy()
        copy[:, 0] += offset_ms
        copy[:, 1:5] *= scale
        copies.append(copy)
        offset_ms += span
        scale = copy[-1, 4] / base[0, 1]
    return np.concatenate(copies)[:count]


def bench_upsert() -> None:
    from django.db import connection

    from apps.datafeeds.models import Candle, Symbol
    from apps.datafeeds.storage import candles_upsert

    rows = tiled_candles(1_000_000)
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
        "upsert 1,000,000 new candles (PostgreSQL COPY path)",
        len(rows) / ours_s,
        "candles/s",
        reference=len(rows) / theirs_s,
    )

    started = time.perf_counter()
    report = candles_upsert(symbol=ours, timeframe="5m", rows=rows)
    again_s = time.perf_counter() - started
    assert report.unchanged == len(rows)
    record("re-upsert 1,000,000 unchanged candles", len(rows) / again_s, "candles/s")

    revised = rows.copy()
    revised[:, 5] += 1.0
    started = time.perf_counter()
    report = candles_upsert(symbol=ours, timeframe="5m", rows=revised)
    assert report.updated == len(rows)
    record(
        "upsert 1,000,000 revised candles (all updated)",
        len(rows) / (time.perf_counter() - started),
        "candles/s",
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE datafeeds_candle")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_candles_endpoint() -> None:
    import http.client

    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/uvicorn"),
            "config.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=dict(os.environ),
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        path = "/api/datafeeds/candles/?symbol=BENCH1&timeframe=5m&limit=5000"
        latencies = []
        for i in range(220):
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            if i >= 20:  # the first requests warm connections and caches
                latencies.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, body[:200]
        assert len(json.loads(body)["candles"]) == 5000
        record(
            "GET candles limit=5000, p50 (uvicorn, 1 client)", statistics.median(latencies), "ms"
        )
        record("GET candles limit=5000, p95", statistics.quantiles(latencies, n=20)[18], "ms")
    finally:
        server.terminate()
        server.wait(timeout=10)


def bench_emulator_download() -> None:
    from django.conf import settings

    from apps.datafeeds.emulator import ExchangeEmulator, generate_candles
    from apps.datafeeds.models import Symbol
    from apps.datafeeds.services import fetch_ohlcv

    count = 100_000
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
    record("emulator download 100,000 candles end to end", count / elapsed, "candles/s")
    record("emulator download 100,000 candles, wall time", elapsed, "s")


def main() -> int:
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"{'benchmark':<58} {'value':>14} unit", flush=True)
    bench_upsert()
    bench_candles_endpoint()
    bench_emulator_download()
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {ROOT / 'bench' / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
