"""A compiled strategy: a list of vectorised steps over whole series, and how to run it.

Each step computes one array (or one number) from earlier steps, so running a plan is one pass
over its steps with no per-bar Python. A sub-expression written twice is one step (the compiler
shares them). Steps inside `tf()` run on that timeframe's closed candles; a `tf` step aligns the
result to the base bars with the same rule as the built-ins (signals.closed_runs): at a base
bar, the value of the last higher-timeframe candle closed by that bar's close.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.timeframes import timeframe_ms

from .. import memo
from ..registry import ClosedSeries, StrategyResult
from ..signals import HigherTimeframe, close_times, entry_signals, higher_timeframe
from .functions import FUNCTIONS, PERIOD
from .functions import NUMBER as NUMBER_ARG

SERIES, CONDITION, NUMBER, RECORD, STRING = "series", "condition", "number", "record", "string"
SIDES = ("long", "short")
DAY_MS = 86_400_000


@dataclass(frozen=True)
class Step:
    op: str  # field const param bool call pick neg arith compare and or not tf starts
    frame: str | None  # the timeframe whose candles it reads (None: the base one)
    kind: str  # SERIES, CONDITION, NUMBER or RECORD
    args: tuple[int, ...] = ()  # indices of earlier steps
    value: Any = None  # field, constant, param, operator, function, output index or timeframe


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    outputs: Mapping[str, int]  # long_entry ... short_setup -> step (entries from setups added)
    lines: Mapping[str, int]  # the strategy's named series on the base bars -> step
    base_timeframe: str
    context_timeframes: tuple[str, ...]


_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_COMPARE = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def _defined(values):
    """Division by zero and overflow give NaN (undefined), never an infinity."""
    if isinstance(values, np.ndarray):
        values[~np.isfinite(values)] = np.nan
        return values
    return values if np.isfinite(values) else np.nan


def plan_run(
    plan: Plan,
    base: CandleArrays,
    context: Mapping[str, CandleArrays | None],
    params: Mapping[str, Any],
) -> StrategyResult:
    frames: dict[str | None, CandleArrays] = {None: base}
    views: dict[str, HigherTimeframe] = {}
    base_close = close_times(base, plan.base_timeframe)
    for timeframe in plan.context_timeframes:
        views[timeframe] = higher_timeframe(
            base, plan.base_timeframe, timeframe, context.get(timeframe)
        )
        frames[timeframe] = views[timeframe].candles

    values: list[Any] = []
    with np.errstate(all="ignore"):
        for step in plan.steps:
            values.append(_run_step(step, values, frames, views, params))

    n = len(base)
    out = {name: np.asarray(values[i], dtype=bool) for name, i in plan.outputs.items()}
    missing = np.zeros(n, dtype=bool)
    for side in SIDES:
        out.setdefault(f"{side}_exit", missing)
    return StrategyResult(
        long_setup=out["long_setup"],
        short_setup=out["short_setup"],
        long_entry=out["long_entry"],
        short_entry=out["short_entry"],
        long_exit=out["long_exit"],
        short_exit=out["short_exit"],
        indicators={name: values[i] for name, i in plan.lines.items()},
        series={name: ClosedSeries(base_close, values[i]) for name, i in plan.lines.items()},
    )


def _run_step(step: Step, values: list, frames, views, params) -> Any:
    args = [values[i] for i in step.args]
    op = step.op
    if op == "field":
        return getattr(frames[step.frame], step.value)
    if op == "const":
        return step.value
    if op == "param":
        return params[step.value]
    if op == "bool":
        return np.full(len(frames[step.frame]), step.value, dtype=bool)
    if op == "call":
        result = memo.call(FUNCTIONS[step.value].compute, frames[step.frame], *args)
        return result if isinstance(result, tuple) else _as_output(result, step.kind)
    if op == "pick":
        return np.asarray(args[0][step.value], dtype=np.float64)
    if op == "neg":
        return -args[0]
    if op == "arith":
        if step.kind == NUMBER:  # numbers stay numbers (NumPy's, so 1 / 0 is inf, then NaN)
            return _defined(_ARITH[step.value](np.float64(args[0]), np.float64(args[1])))
        return _defined(np.asarray(_ARITH[step.value](args[0], args[1]), dtype=np.float64))
    if op == "compare":
        return np.asarray(_COMPARE[step.value](args[0], args[1]), dtype=bool)
    if op == "and":
        return np.logical_and.reduce(args)
    if op == "or":
        return np.logical_or.reduce(args)
    if op == "not":
        return ~args[0]
    if op == "tf":
        inner = args[0]
        missing = False if inner.dtype == bool else np.nan
        return views[step.value].aligned(inner, missing=missing)
    if op == "starts":
        return entry_signals(args[0])
    raise AssertionError(f"unknown step {op}")


def _as_output(result, kind: str) -> np.ndarray:
    dtype = bool if kind == CONDITION else np.float64
    return np.asarray(result, dtype=dtype)


def plan_lookback(
    plan: Plan, params: Mapping[str, Any], *, bound: bool = False
) -> tuple[int, dict[str, int]]:
    """Base bars of history the outputs need, and candles per higher timeframe: the longest
    look-back through every path (a tf() value also needs the candle in progress at the first
    bar to be dropped: +1). With `bound` (the compiler's limit check at the params' maxima),
    arguments a function refuses together (macd's fast = slow) count as an upper bound."""
    back = [0] * len(plan.steps)
    scalars = _scalars(plan, params)
    context: dict[str, int] = {}
    for i, step in enumerate(plan.steps):
        if step.op == "call":
            function = FUNCTIONS[step.value]
            constant = [arg.kind in (PERIOD, NUMBER_ARG) for arg in function.args]
            constants = [scalars[a] for a, c in zip(step.args, constant, strict=True) if c]
            inputs = [back[a] for a in step.args if plan.steps[a].kind != NUMBER]
            own = _own_lookback(function, constants, bound)
            if function.session:  # a whole UTC day of its own timeframe's bars
                own = max(own, DAY_MS // timeframe_ms(step.frame or plan.base_timeframe) - 1)
            back[i] = own + max(inputs, default=0)
        elif step.op == "tf":
            context[step.value] = max(context.get(step.value, 0), back[step.args[0]] + 1)
        elif step.op == "starts":
            back[i] = back[step.args[0]] + 1
        elif step.args:
            back[i] = max(back[a] for a in step.args)
    return max((back[i] for i in plan.outputs.values()), default=0), context


def _own_lookback(function, constants: list, bound: bool) -> int:
    try:
        return function.lookback(*constants)
    except ValueError:
        if not bound:
            raise
        # Six times every period together bounds each function's settling rule (ta.py).
        return 6 * int(sum(abs(c) for c in constants if isinstance(c, int | np.integer)))


def plan_constants(plan: Plan, params: Mapping[str, Any]) -> list[tuple[str, list[Any], list[str]]]:
    """Each call's constant arguments at these params: (function, values, the params among
    them), for the functions' rules across arguments (macd's fast below slow)."""
    scalars = _scalars(plan, params)
    calls = []
    for step in plan.steps:
        if step.op == "call":
            kinds = [arg.kind for arg in FUNCTIONS[step.value].args]
            constant = [
                a for a, k in zip(step.args, kinds, strict=True) if k in (PERIOD, NUMBER_ARG)
            ]
            named = [plan.steps[a].value for a in constant if plan.steps[a].op == "param"]
            calls.append((step.value, [scalars[a] for a in constant], named))
    return calls


def _scalars(plan: Plan, params: Mapping[str, Any]) -> dict[int, Any]:
    """The value of every number step (constants, params and arithmetic on them)."""
    scalars: dict[int, Any] = {}
    with np.errstate(all="ignore"):
        for i, step in enumerate(plan.steps):
            if step.kind == NUMBER:
                scalars[i] = _run_step(step, scalars, {}, {}, params)
    return scalars
