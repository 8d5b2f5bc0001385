"""A backtest with a risk profile against the same backtest without one (docs/risk.md).

hma-sma (defaults, 1h/4h aggregated from 5m) over 105,120 tiled real BTC/USDT 5m candles with a
1.5% stop and a 3% target, without a profile, then with a profile that sizes every entry and
checks every rule (risk 1% per trade, 3% daily loss, 12-bar cooldown, 50% kill switch). Both are
timed interleaved (the machine is shared) and the medians compared; target: within 1.5x.

No Django needed: `python bench/risk.py` prints the figures; bench/run.py records them.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARS = 105_120  # a year of 5m bars
PROFILE = {
    "risk_per_trade": 0.01,
    "max_position_fraction": 1.0,
    "stop_loss": 0.015,
    "take_profit": 0.03,
    "max_daily_loss": 0.03,
    "max_open_positions": 1,
    "max_drawdown": 0.5,
    "cooldown_bars": 12,
}


def _interleaved_ms(without, with_profile, repeat: int) -> tuple[float, float]:
    without(), with_profile()  # warm-up
    a, b = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        without()
        a.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with_profile()
        b.append((time.perf_counter() - started) * 1000)
    return statistics.median(a), statistics.median(b)


def bench_risk(bars: int = BARS, repeat: int = 21) -> list[dict]:
    """Records shaped like bench/run.py's: value = with the profile, reference = without (ms)."""
    from apps.analytics.engine import BacktestConfig, backtest_strategy, run_backtest
    from apps.risk.check import RiskLimits
    from apps.strategies.registry import strategy_spec
    from bench.candles import tiled_candles

    spec = strategy_spec("hma-sma")
    candles = tiled_candles(bars)
    context = {"1h": None, "4h": None}
    config = BacktestConfig(stop_loss=0.015, take_profit=0.03)
    limits = RiskLimits(**PROFILE)
    signals = spec.compute(candles, context, spec.defaults())
    with_profile = run_backtest(candles, signals, config=config, risk=limits)
    report = with_profile.risk
    label, size = "backtest hma-sma", f"{bars:,} 5m bars"
    records = []
    for what, without, with_risk in (
        (
            "engine only (signals given)",
            lambda: run_backtest(candles, signals, config=config),
            lambda: run_backtest(candles, signals, config=config, risk=limits),
        ),
        (
            "indicators included",
            lambda: backtest_strategy(spec, candles, context, None, config),
            lambda: backtest_strategy(spec, candles, context, None, config, risk=limits),
        ),
    ):
        plain_ms, risk_ms = _interleaved_ms(without, with_risk, repeat)
        records.append(
            {
                "name": f"{label}, risk profile vs none, {what}",
                "size": size,
                "value": round(risk_ms, 3),
                "unit": "ms",
                "reference": round(plain_ms, 3),
                "ratio": round(risk_ms / plain_ms, 2),  # times slower than without a profile
            }
        )
    records.append(
        {
            "name": f"{label}, with the profile: trades / entries blocked",
            "size": size,
            "value": len(with_profile.trade_table),
            "unit": "trades",
            "blocked": report.blocked,
        }
    )
    return records


if __name__ == "__main__":
    for entry in bench_risk():
        if "reference" in entry:
            print(
                f"{entry['name']}: with {entry['value']:.2f} ms, without "
                f"{entry['reference']:.2f} ms, ratio {entry['ratio']:.2f}x (target <= 1.5x)"
            )
        else:
            print(f"{entry['name']}: {entry['value']} trades, blocked {entry['blocked']}")
