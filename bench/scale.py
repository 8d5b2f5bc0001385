"""How much work each benchmark does: FULL for `make bench`, TINY (`bench/run.py --tiny`) for
tests/test_bench.py, which runs every benchmark once so that none can rot unseen. The figure
names never contain a size (the table's size column says it), so both print the same names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    upsert_candles: int  # candles written, re-written and revised by bench_upsert
    endpoint_requests: int  # timed requests per latency series of one client
    download_candles: int  # 1m candles fetched from the exchange emulator
    signal_bars: int  # 5m bars of the signal and backtest benchmarks
    timed_repeat: int  # timed calls per in-process median (after one warm-up call)
    risk_repeat: int  # the same for the risk profile's interleaved pairs
    reference_repeat: int  # the same for the slow references (backtesting.py)
    run_clients: int  # concurrent clients of the run endpoint
    run_requests_per_client: int
    api_requests: int  # timed in-process requests per API figure
    sweep_periods: tuple[int, ...]  # sma_period values; hma_period takes the same ones
    sweep_days: int  # span of every sweep run, from 2024-02-01
    study_trials: int  # trials of the TPE study on 2 workers (and of its one-process reference)
    trial_draws: int  # parameter sets a TPE study draws, each timed as a trial and engine alone
    limiter_calls: int  # rate limiter acquire() calls per backend
    replay_bars: int | None  # of the real BTC/USDT 5m series (None: all of it)
    replay_sockets: int  # concurrent replays
    paper_bots: int
    paper_candles: int  # new candles: 1 warm-up, the measured ones, 1 stepped in-process
    live_bots: int
    live_candles: int  # steps per live bot
    protected_entries: int  # live entries whose protection's acknowledgement is timed
    browser_candles: int  # 5m candles of the replay page (the run endpoint's maximum is 10,000)
    browser_played_candles: int  # of those, played at max
    browser_bots: int  # on the Bots page under load
    browser_seconds: float  # of frames measured per page state (idle, under load)
    browser_replay_candles: int  # of the backtest replayed over WebSocket in the browser
    browser_chart_candles: int  # 5m candles of the backtest whose run page is drawn at once


FULL = Scale(
    upsert_candles=1_000_000,
    endpoint_requests=200,
    download_candles=100_000,
    signal_bars=105_120,  # a year of 5m bars
    timed_repeat=15,
    risk_repeat=21,
    reference_repeat=3,
    run_clients=8,
    run_requests_per_client=40,
    api_requests=200,
    sweep_periods=(100, 150, 200, 250),
    sweep_days=213,  # 2024-02-01 .. 09-01
    study_trials=1000,
    trial_draws=200,
    limiter_calls=2_000,
    replay_bars=None,
    replay_sockets=10,
    paper_bots=1_000,
    paper_candles=12,
    live_bots=20,
    live_candles=60,
    protected_entries=100,
    browser_candles=10_000,
    browser_played_candles=2_000,
    browser_bots=200,
    browser_seconds=10.0,
    browser_replay_candles=17_280,  # 60 days of 5m candles
    browser_chart_candles=100_000,  # ema-cross 36/108 trades 994 times on them
)

TINY = Scale(
    upsert_candles=5_000,
    endpoint_requests=5,
    download_candles=2_000,
    signal_bars=12_000,  # past hma-sma's warm-up (HMA 200 on 4h), so it trades
    timed_repeat=1,
    risk_repeat=1,
    reference_repeat=1,
    run_clients=2,
    run_requests_per_client=5,
    api_requests=5,
    sweep_periods=(100, 150),
    sweep_days=30,
    study_trials=8,
    trial_draws=8,
    limiter_calls=100,
    replay_bars=3_000,
    replay_sockets=2,
    paper_bots=20,
    paper_candles=3,
    live_bots=2,
    live_candles=30,
    protected_entries=3,
    browser_candles=1_000,
    browser_played_candles=200,
    browser_bots=20,
    browser_seconds=1.0,
    # Three credit windows (analytics/replay.MAX_CREDIT): at max speed the whole replay can
    # never arrive between two frames, so Pause always finds it playing.
    browser_replay_candles=6_000,
    browser_chart_candles=3_000,
)
