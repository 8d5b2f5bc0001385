"""A compiled strategy as a registry StrategySpec: the run endpoint, replays, backtests, sweeps
and bots take it exactly as they take a built-in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apps.datafeeds.arrays import CandleArrays

from ..registry import StrategyResult, StrategySpec
from ..signals import align_closed, close_times
from .compiler import Program
from .functions import FUNCTIONS
from .plan import plan_constants, plan_lookback, plan_run


def program_spec(program: Program, *, key: str, name: str, description: str = "") -> StrategySpec:
    plan = program.plan

    def compute(
        base: CandleArrays, context: Mapping[str, CandleArrays | None], params: Mapping[str, Any]
    ) -> StrategyResult:
        return plan_run(plan, base, context, params)

    def display(
        candles: CandleArrays, timeframe: str, result: StrategyResult, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Each named series as known at each displayed candle's close."""
        shown_close = close_times(candles, timeframe)
        return {
            "lines": {
                line: align_closed(series.close_ms, series.values, shown_close)
                for line, series in result.series.items()
            }
        }

    def check(params: Mapping[str, Any]) -> dict[str, str]:
        """The functions' rules across arguments (macd's fast below slow), named by param."""
        errors = {}
        for function, constants, named in plan_constants(plan, params):
            if message := FUNCTIONS[function].check(*constants):
                errors[named[-1] if named else "params"] = message
        return errors

    return StrategySpec(
        key=key,
        name=name,
        description=description,
        params=program.params,
        base_timeframe=plan.base_timeframe,
        context_timeframes=plan.context_timeframes,
        base_warmup=lambda params: plan_lookback(plan, params)[0],
        context_warmup=lambda params: max(plan_lookback(plan, params)[1].values(), default=0),
        display_warmup=lambda params: 0,
        compute=compute,
        display=display,
        check=check,
        stops=dict(program.stops),
        source="user",
    )
