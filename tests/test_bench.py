"""`make bench` cannot rot unseen: every benchmark bench/run.py runs (the worker-based sweep and
bots, the browser figures included) runs once at tiny sizes (`bench/run.py --tiny`, on a scratch
database of this pytest worker's) and measures every figure the full bench prints. No figure's
value is asserted: a benchmark that runs is all a test can say about speed on a shared machine."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]

# What `make bench` prints, in order (the sizes are in a column of their own).
FIGURES = [
    "upsert new candles (PostgreSQL COPY path; ref. bulk_create)",
    "GET candles limit=5000, p50 (uvicorn, 1 client)",
    "GET candles limit=5000, p95",
    "GET candles limit=5000 computed each time, p50 (uvicorn, 1 client)",
    "GET candles limit=5000 computed each time, p95",
    "re-upsert unchanged candles",
    "upsert revised candles (all updated)",
    "emulator download end to end",
    "emulator download, wall time",
    "HMA/SMA signals, full computation (ref. TA-Lib indicators)",
    "GET hma-sma/run 1h limit=500, concurrent clients, computed each time, p50",
    "GET hma-sma/run 1h limit=500, concurrent clients, computed each time, p95",
    "GET hma-sma/run 1h limit=500, concurrent clients, cached, p50",
    "GET hma-sma/run 1h limit=500, concurrent clients, cached, p95",
    "GET hma-sma/run 1h limit=500, 1 client, computed, p50",
    "GET hma-sma/run 1h limit=500 cached, in-process (ref. the previous cache)",
    "GET hma-sma/run 1h limit=500, 304 revalidation, in-process",
    "GET hma-sma/run 1h limit=500 cached, gzip, in-process",
    "backtest hma-sma + SL/TP, indicators included",
    "backtest hma-sma + SL/TP, engine only (signals given)",
    "backtest hma-sma + SL/TP, backtesting.py 0.6.6 (signals given)",
    "language ema-cross: signals (ref. the built-in)",
    "language ema-cross: whole backtest (ref. the built-in)",
    "language hma-sma: signals (ref. the built-in)",
    "language hma-sma: whole backtest (ref. the built-in)",
    "language: compile a 30-line strategy",
    "language: a strategy of 10 indicators, signals",
    "backtest hma-sma, risk profile vs none, engine only (signals given)",
    "backtest hma-sma, risk profile vs none, indicators included",
    "backtest hma-sma, with the profile: trades / entries blocked",
    "sweep of hma-sma runs on 2 workers, wall time (ref. the runs' sum)",
    "study trial hma-sma, signals + engine + samples (ref. engine on given signals)",
    "study trial indicators reused from earlier trials (indicator memo)",
    "TPE study hma-sma on 2 workers, wall (ref. the same trials on 1 worker)",
    "TPE study on 2 workers, trials/s (ref. 1 worker)",
    "rate limiter acquire (Redis, weight + order buckets; ref. in-process)",
    "replay at max, one socket",
    "replay at max, sockets together",
    "server RSS growth per open replay socket",
    "server RSS before the replays",
    "alerts delivered to a local webhook during the run",
    "paper bots with alerts on, new candle -> all decided (2 workers), p50",
    "paper bots with alerts on, new candle -> all decided (2 workers), p95",
    "paper bots with alerts on, new candle -> all decided (2 workers), max",
    "bot-step with shared signals, per bot (1 process)",
    "signals of one key at one candle",
    "live bots on the emulator, order decision -> filled via ccxt, p50",
    "live bots on the emulator, order decision -> filled via ccxt, p95",
    "live step: holdings weight, one snapshot per account per candle",
    "live step: holdings weight, one read per check (before)",
    "live entry decision -> its OCO acknowledged on the emulator, p50",
    "live entry decision -> its OCO acknowledged on the emulator, p95",
    "browser: replay page first render (ref. a tenth of the candles)",
    "browser: replay page frame p95 playing at max (ref. idle)",
    "browser: replay page playback at max",
    "browser: JS heap growth over the playback",
    "browser: Bots page frame p95, 50 events/s (ref. idle)",
    "browser: run page first render, trades and lines (ref. the candles alone)",
    "browser: backtest replay frame p95 at max (ref. paused)",
    "browser: backtest replay longest frame at max (ref. paused)",
    "browser: backtest replay Pause shown, at max (ref. at 10/s)",
]


@pytest.fixture
def bench_database(db):
    """A scratch database per pytest worker (the test database's name, suffixed), dropped after."""
    from django.db import connection

    name = f"{connection.settings_dict['NAME']}_bench"
    yield name
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_benchmark_runs_at_tiny_sizes_and_measures_every_figure(
    bench_database, subprocess_env, python, tmp_path
):
    out = tmp_path / "results.json"
    result = subprocess.run(
        [python, "bench/run.py", "--tiny", "--out", str(out)],
        cwd=ROOT,
        # This worker's Redis databases and settings; a database of its own.
        env={**subprocess_env, "BENCH_DB_NAME": bench_database},
        capture_output=True,
        text=True,
        timeout=840,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-8000:]
    figures = json.loads(out.read_text())
    assert [figure["name"] for figure in figures] == FIGURES
    for figure in figures:
        assert math.isfinite(figure["value"]), figure
        assert figure["name"] in result.stdout  # printed in the table too
