"""Browser figures: the platform's pages in headless Chromium (Debian's), each against the same
page at rest, measured in one run (frontend/bench/browser-figures.mjs says what it measures).

The web process serves the e2e build (frontend/dist-e2e: the production bundle plus read-only
chart handles) as tests/e2e/test_browser.py does; the data is what bench_run_endpoint stored
(BTCUSDT 5m/1h/4h) plus a user of its own with stopped paper bots and a done backtest; and for
the run page's chart, a backtest with about 1,000 trades on 100,000 5m candles (the real series
tiled, bench/candles.py, stored as a symbol of its own).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bench.candles import tiled_candles
from bench.scale import Scale
from bench.servers import start_server, stop_server

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
SCRIPT = FRONTEND / "bench" / "browser-figures.mjs"
DIST = FRONTEND / "dist-e2e"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SYMBOL = "BTCUSDT"  # stored by bench_run_endpoint
USERNAME, PASSWORD = "bench-browser", "bench-browser-pw"
CHART_SYMBOL = "TILEDUSDT"  # the tiled BTC/USDT 5m series
CHART_PARAMS = {"fast_period": 36, "slow_period": 108}  # 994 trades on 100,000 of its candles


def _check_prerequisites() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is needed for the browser figures")
    if not (DIST / "index.html").is_file():
        raise RuntimeError(f"{DIST} is missing: `make frontend-build-e2e`")
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make chromium`")
    return node


def _prepare(scale: Scale) -> tuple[int, int]:
    """The user, its stopped paper bots, a done ema-cross backtest to replay and one to chart;
    their ids."""
    from django.contrib.auth import get_user_model

    from apps.analytics.services import backtest_run_create, backtest_run_execute
    from apps.datafeeds.models import Candle, Symbol
    from apps.execution.services.bots import bot_create

    owner = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    symbol = Symbol.objects.get(name=SYMBOL)
    for k in range(scale.browser_bots):
        bot_create(
            owner=owner,
            name=f"browser {k:03d}",
            strategy="ema-cross",
            symbol=symbol,
            params={"fast_period": 5 + k % 7, "slow_period": 20 + k % 11},
        )
    first = (
        Candle.objects.filter(symbol=symbol, timeframe="5m")
        .order_by("open_time")
        .values_list("open_time", flat=True)
        .first()
    )
    run = backtest_run_create(
        owner=owner,
        strategy="ema-cross",
        symbol=symbol,
        params={"fast_period": 12, "slow_period": 26},
        start_ms=first,
        end_ms=first + scale.browser_replay_candles * 300_000,
    )
    backtest_run_execute(run_id=run.pk)
    return run.pk, _chart_run(owner, scale)


def _chart_run(owner, scale: Scale) -> int:
    """A done ema-cross backtest over `browser_chart_candles` tiled 5m candles."""
    from apps.analytics.services import backtest_run_create, backtest_run_execute
    from apps.datafeeds.models import Symbol
    from apps.datafeeds.storage import candles_upsert

    symbol = Symbol.objects.create(
        name=CHART_SYMBOL, base="TILED", quote="USDT", market_symbol="TILED/USDT"
    )
    candles = tiled_candles(scale.browser_chart_candles)
    candles_upsert(symbol=symbol, timeframe="5m", rows=candles.rows())
    first = int(candles.open_time[0])
    run = backtest_run_create(
        owner=owner,
        strategy="ema-cross",
        symbol=symbol,
        params=CHART_PARAMS,
        start_ms=first,
        end_ms=first + len(candles) * 300_000,
    )
    backtest_run_execute(run_id=run.pk)
    return run.pk


def _figures(node: str, url: str, run_ids: tuple[int, int], scale: Scale) -> dict:
    run_id, chart_run_id = run_ids
    env = {
        **os.environ,
        "BENCH_BASE_URL": url,
        "BENCH_SYMBOL": SYMBOL,
        "BENCH_CANDLES": str(scale.browser_candles),
        "BENCH_PLAYED_CANDLES": str(scale.browser_played_candles),
        "BENCH_BOTS": str(scale.browser_bots),
        "BENCH_SECONDS": str(scale.browser_seconds),
        "BENCH_RUN_ID": str(run_id),
        "BENCH_CHART_RUN_ID": str(chart_run_id),
        "BENCH_USERNAME": USERNAME,
        "BENCH_PASSWORD": PASSWORD,
        "BENCH_PYTHON": sys.executable,  # tests/e2e/bot_clock.py's flood, in this environment
        "BENCH_ROOT": str(ROOT),
        "CHROMIUM_PATH": CHROMIUM,
    }
    result = subprocess.run(
        [node, str(SCRIPT)], cwd=FRONTEND, env=env, capture_output=True, text=True, timeout=900
    )
    if result.returncode != 0:
        raise RuntimeError(f"the browser figures failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_browser(record: Callable[..., None], scale: Scale) -> None:
    node = _check_prerequisites()
    run_ids = _prepare(scale)
    server, port = start_server(FRONTEND_DIST=str(DIST))
    try:
        figures = _figures(node, f"http://127.0.0.1:{port}", run_ids, scale)
    finally:
        stop_server(server)
    _record_replay_page(record, figures["replay_page"], scale)
    bots = figures["bots_page"]
    record(
        "browser: Bots page frame p95, 50 events/s (ref. idle)",
        bots["load_frame_p95_ms"],
        "ms",
        bots["idle_frame_p95_ms"],
        False,
        size=f"{scale.browser_bots} bots, {scale.browser_seconds:g} s",
    )
    chart = figures["run_chart"]
    record(
        "browser: run page first render, trades and lines (ref. the candles alone)",
        chart["full_ms"],
        "ms",
        chart["candles_ms"],
        False,
        size=f"{chart['trades']:,} trades on {chart['candles']:,} 5m candles",
    )
    socket = figures["replay_socket"]
    size = f"{socket['total']:,} candles"
    record(
        "browser: backtest replay frame p95 at max (ref. paused)",
        socket["max_frame_p95_ms"],
        "ms",
        socket["paused_frame_p95_ms"],
        False,
        size=size,
    )
    record(
        "browser: backtest replay longest frame at max (ref. paused)",
        socket["max_frame_longest_ms"],
        "ms",
        socket["paused_frame_longest_ms"],
        False,
        size=size,
    )
    record(
        "browser: backtest replay Pause shown, at max (ref. at 10/s)",
        socket["max_pause_ms"],
        "ms",
        socket["slow_pause_ms"],
        False,
        size=size,
    )


def _record_replay_page(record: Callable[..., None], page: dict, scale: Scale) -> None:
    record(
        "browser: replay page first render (ref. a tenth of the candles)",
        page["render_ms"],
        "ms",
        page["render_reference_ms"],
        False,
        size=f"{scale.browser_candles:,} 5m candles",
    )
    played = f"{scale.browser_played_candles:,} candles played"
    record(
        "browser: replay page frame p95 playing at max (ref. idle)",
        page["play_frame_p95_ms"],
        "ms",
        page["idle_frame_p95_ms"],
        False,
        size=played,
    )
    speed = page["played_candles_per_second"]
    record("browser: replay page playback at max", speed, "candles/s", size=played)
    record("browser: JS heap growth over the playback", page["heap_growth_mib"], "MiB", size=played)
