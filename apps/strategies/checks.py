"""Lookahead and warm-up checks of any registry strategy (pure: arrays in, a report out).

Lookahead: a strategy's value at a bar must not change when the data after that bar is taken
away. The strategy is computed once on all the data, then on prefixes that end at cut bars (the
base candles up to the cut; each higher timeframe only with the candles CLOSED by the cut bar's
close, never the one still forming), and every signal and indicator of the prefix's last bars
must equal the full computation's. A difference means the strategy read the future.

Warm-up: from a bar B on, the strategy computed on data that starts its declared warm-up before
B (`base_warmup` base bars; `context_warmup` candles of each higher timeframe before B's own, as
selectors.strategy_inputs reads them) must equal the strategy computed on all the history. A
difference means the declared warm-up is too short: a backtest or a bot, which read just the
declared warm-up, would see other signals than a chart with more history.

The cost is bounded whatever the strategy: at most MAX_BARS_COMPUTED base bars computed in all,
and cut points stop at a time budget (cuts are run coarse-to-fine, so those run stay spread).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.timeframes import bucket_floor, bucket_next, timeframe_ms
from apps.datafeeds.times import format_ms

from .inputs import MissingCandles, StrategyInputs
from .registry import StrategyResult, StrategySpec
from .signals import candles_cover, close_times

SIGNALS = ("long_setup", "short_setup", "long_entry", "short_entry", "long_exit", "short_exit")
TAIL_BARS = 50  # bars compared at each cut, ending at the cut bar (where lookahead shows)
LAST_BARS = 3  # the last bars of the data are always cut points
LOOKAHEAD_RTOL = 1e-9  # relative: a causal strategy gives the same values up to rounding
WARMUP_RTOL = 1e-6  # relative: what is left of an EMA's seed after its declared warm-up
# Values nearer zero than this fraction of the series' largest magnitude are compared against
# that magnitude instead (an oscillator crossing zero carries the rounding of its inputs).
ZERO_FLOOR = 1e-3
MAX_BARS_COMPUTED = 1_000_000  # base bars computed by one check, all computations together
MAX_BASE_BARS = 100_000  # longer data is checked on its last MAX_BASE_BARS bars
MIN_CUTS = 5  # cut points run even past the time budget
TIME_BUDGET_S = 2.0  # seconds for the cut points (a slow strategy gets fewer, still spread)


@dataclass(frozen=True)
class Finding:
    """One series that differs: `full_value` with all the data (or all the history, for the
    warm-up check), `cut_value` with the data cut at the bar (or from the declared warm-up)."""

    check: str  # "lookahead", "warmup", "compute" (the strategy failed) or "data" (too little)
    series: str  # "long_entry", "indicators.ema_fast", ...
    bar_open_ms: int | None
    full_value: Any
    cut_value: Any
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "series": self.series,
            "bar_open_ms": self.bar_open_ms,
            "bar_open": _iso(self.bar_open_ms) if self.bar_open_ms is not None else None,
            "full_value": _json_value(self.full_value),
            "cut_value": _json_value(self.cut_value),
            "message": self.message,
        }


@dataclass
class CheckReport:
    strategy: str
    ok: bool
    findings: list[Finding]
    bars_checked: int  # base bars after the warm-up (the span the cut points spread over)
    cuts: int  # cut points run
    cuts_planned: int
    warmup_bar_ms: int | None  # open time of the bar B of the warm-up check
    bars_computed: int  # base bars computed in all (the cost)
    elapsed_s: float
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "ok": self.ok,
            "findings": [f.as_dict() for f in self.findings],
            "bars_checked": self.bars_checked,
            "cuts": self.cuts,
            "cuts_planned": self.cuts_planned,
            "warmup_bar_ms": self.warmup_bar_ms,
            "warmup_bar": _iso(self.warmup_bar_ms) if self.warmup_bar_ms is not None else None,
            "bars_computed": self.bars_computed,
            "elapsed_s": round(self.elapsed_s, 4),
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        """The result in sentences, findings first."""
        lines = [f.message for f in self.findings]
        warmup = f"from {format_ms(self.warmup_bar_ms)}" if self.warmup_bar_ms is not None else "-"
        lines.append(
            f"{self.strategy}: {'passed' if self.ok else 'FAILED'}; lookahead checked at "
            f"{self.cuts} cut points over {self.bars_checked:,} bars, warm-up checked {warmup}; "
            f"{self.bars_computed:,} bars computed in {self.elapsed_s:.2f} s."
        )
        return "\n".join(lines + self.notes)


class _BadResult(ValueError):
    """A result whose arrays do not match the base bars."""


def strategy_check(
    *,
    spec: StrategySpec,
    params: Mapping[str, Any],
    base: CandleArrays,
    context: Mapping[str, CandleArrays | None],
    cuts: int = 40,
    time_budget_s: float = TIME_BUDGET_S,
) -> CheckReport:
    """Lookahead and warm-up checks of `spec` on `base` (with its warm-up history first) and
    its higher timeframes' candles `context` (module docstring)."""
    started = time.perf_counter()
    params = spec.validate_params(params)
    context = {tf: context.get(tf) for tf in spec.context_timeframes}
    notes: list[str] = []
    if len(base) > MAX_BASE_BARS:
        notes.append(f"Checked on the last {MAX_BASE_BARS:,} of the {len(base):,} bars given.")
        base = base.slice(slice(-MAX_BASE_BARS, None))
    n = len(base)
    ready = _ready_index(spec, params, base, context)
    report = CheckReport(spec.key, True, [], max(n - ready, 0), 0, 0, None, 0, 0.0, notes)
    if n - ready < 2:
        report.findings.append(
            Finding(
                "data",
                "base",
                None,
                None,
                None,
                f"data: only {n:,} {spec.base_timeframe} bars, and the declared warm-up needs "
                f"{ready:,} of them before the first checked bar; give more history.",
            )
        )
        return _finished(report, started)

    full = _computed(report, spec, params, base, context, on="the full data")
    if full is None:
        return _finished(report, started)
    _check_warmup(report, spec, params, base, context, full, ready)
    _check_lookahead(report, spec, params, base, context, full, ready, cuts, time_budget_s)
    return _finished(report, started)


def strategy_check_inputs(
    *, spec: StrategySpec, params: Mapping[str, Any], symbol: Any, bars: int
) -> StrategyInputs:
    """The last `bars` stored base candles of `symbol` with the warm-up history the strategy
    declares, and its higher timeframes, read through selectors.strategy_inputs (the path of
    backtests and bots). MissingCandles when no base candle is stored."""
    # Imported here: the check above stays pure (no Django), this reader is its database edge.
    from apps.datafeeds.hints import fetch_command
    from apps.datafeeds.selectors import candles_window

    from .selectors import strategy_inputs

    last = candles_window(symbol=symbol, timeframe=spec.base_timeframe, limit=bars)
    if not len(last):
        since = int(time.time() * 1000) - bars * timeframe_ms(spec.base_timeframe)
        raise MissingCandles(
            f"No {spec.base_timeframe} candles of {symbol} stored: the strategy runs on the "
            f"{spec.base_timeframe} series. Fetch it: "
            f"{fetch_command(symbol, spec.base_timeframe, since_ms=since)}"
        )
    return strategy_inputs(
        spec=spec,
        params=dict(params),
        symbol=symbol,
        start_ms=int(last.open_time[0]),
        end_ms=int(last.open_time[-1]) + timeframe_ms(spec.base_timeframe),
    )


# --- The two checks --------------------------------------------------------------------------


def _check_warmup(report, spec, params, base, context, full, ready) -> None:
    """From bar B on: the declared warm-up's computation equals the one on all the history."""
    b = ready + (len(base) - ready) // 2  # well inside: as much history before B as after
    base_tf = spec.base_timeframe
    b_open = int(base.open_time[b])
    start_ms = int(base.open_time[b - spec.base_warmup(params)])
    short_context: dict[str, CandleArrays | None] = {}
    for tf, candles in context.items():
        # As selectors.strategy_inputs: `context_warmup` candles before B's own, and the base
        # series from as far back when the stored candles do not cover that stretch (the
        # strategy then aggregates them from the base candles).
        tf_start = int(bucket_floor(b_open, tf)) - spec.context_warmup(params) * timeframe_ms(tf)
        if candles is not None:
            candles = candles.slice(candles.open_time >= tf_start)
        end = int(bucket_floor(int(close_times(base, base_tf)[-1]), tf))
        if candles is None or not candles_cover(candles, tf, tf_start, end):
            start_ms = min(start_ms, tf_start)
        short_context[tf] = candles
    start = int(np.searchsorted(base.open_time, start_ms))
    report.warmup_bar_ms = b_open
    short = _computed(
        report,
        spec,
        params,
        base.slice(slice(start, None)),
        short_context,
        on=f"the data from {format_ms(base.open_time[start])} (the declared warm-up)",
    )
    if short is None:
        return
    history = (
        _count(spec.base_warmup(params), f"{base_tf} bar")
        + "".join(f" and {_count(spec.context_warmup(params), f'{tf} candle')}" for tf in context)
        + " before it (the declared warm-up)"
    )
    for name, values in full.items():
        other = short.get(name)
        if other is None:
            report.findings.append(_missing("warmup", name, b_open, "the declared warm-up"))
            continue
        differs = _differs(values[b:], other[b - start :], name, WARMUP_RTOL)
        if differs.any():
            at = b + int(np.argmax(differs))
            full_value, cut_value = values[at], other[at - start]
            report.findings.append(
                Finding(
                    "warmup",
                    name,
                    int(base.open_time[at]),
                    full_value,
                    cut_value,
                    f"warm-up: {name} at {format_ms(base.open_time[at])} is "
                    f"{_text(full_value)} with all {b:,} bars of history before "
                    f"{format_ms(b_open)} and {_text(cut_value)} with data from {history}: "
                    "the declared warm-up is too short.",
                )
            )


def _check_lookahead(report, spec, params, base, context, full, ready, cuts, budget_s) -> None:
    """At each cut bar, the computation on the data up to it equals the full one."""
    n = len(base)
    plan = _cut_plan(n, ready, cuts, fixed_cost=report.bars_computed)
    report.cuts_planned = len(plan)
    base_close = close_times(base, spec.base_timeframe)
    context_close = {tf: close_times(c, tf) for tf, c in context.items() if c is not None}
    first_at: dict[str, Finding] = {}  # per series, the earliest finding
    deadline = time.perf_counter() + budget_s
    for done, k in enumerate(plan):
        if done >= MIN_CUTS and time.perf_counter() > deadline:
            report.notes.append(
                f"Lookahead checked at {done} of {len(plan)} cut points: the strategy took "
                f"longer than the {budget_s:g} s budget."
            )
            break
        report.cuts = done + 1
        cut_context = {
            tf: _closed_by(candles, context_close.get(tf), int(base_close[k]))
            for tf, candles in context.items()
        }
        prefix = _computed(
            report,
            spec,
            params,
            base.slice(slice(0, k + 1)),
            cut_context,
            on=f"the data up to {format_ms(base.open_time[k])}",
        )
        if prefix is None:
            continue
        lo = max(k + 1 - TAIL_BARS, 0)
        for name, values in full.items():
            if name in first_at and first_at[name].bar_open_ms <= base.open_time[lo]:
                continue
            other = prefix.get(name)
            if other is None:
                finding = _missing("lookahead", name, int(base.open_time[k]), "data up to it")
            else:
                differs = _differs(values[lo : k + 1], other[lo:], name, LOOKAHEAD_RTOL)
                if not differs.any():
                    continue
                # The cut bar itself when it differs (that is where lookahead shows), else the
                # first differing bar of the tail.
                at = k if differs[-1] else lo + int(np.argmax(differs))
                finding = _lookahead_finding(name, base, at, k, values[at], other[at])
            known = first_at.get(name)
            if known is None or finding.bar_open_ms < known.bar_open_ms:
                first_at[name] = finding
    report.findings.extend(first_at.values())


def _lookahead_finding(name, base, at, k, full_value, cut_value) -> Finding:
    up_to = "that bar" if at == k else format_ms(base.open_time[k])
    return Finding(
        "lookahead",
        name,
        int(base.open_time[at]),
        full_value,
        cut_value,
        f"lookahead: {name} at {format_ms(base.open_time[at])} is {_text(full_value)} with the "
        f"full data and {_text(cut_value)} with data up to {up_to}: the strategy reads data "
        "after the bar.",
    )


def _missing(check: str, name: str, bar_ms: int, other: str) -> Finding:
    return Finding(
        check,
        name,
        bar_ms,
        "present",
        "absent",
        f"{check}: {name} is computed with the full data but not with {other} "
        f"({format_ms(bar_ms)}).",
    )


# --- Where the checks look -------------------------------------------------------------------


def _ready_index(spec, params, base: CandleArrays, context) -> int:
    """The first base bar with its whole declared warm-up inside the data: `base_warmup` base
    bars before it, and `context_warmup` candles of each higher timeframe before its own (from
    the first candle given, or the first whole one the base candles aggregate into)."""
    ready = spec.base_warmup(params)
    if not len(base):
        return ready
    base_first = int(base.open_time[0])
    for tf, candles in context.items():
        first = int(bucket_floor(base_first, tf))
        if first < base_first:  # the base candles start inside that bucket: it is partial
            first = int(bucket_next(first, tf))
        if candles is not None and len(candles):
            first = min(first, int(candles.open_time[0]))
        need = first + spec.context_warmup(params) * timeframe_ms(tf)
        ready = max(ready, int(np.searchsorted(base.open_time, need)))
    return ready


def _closed_by(candles: CandleArrays | None, close_ms: np.ndarray | None, at_ms: int):
    """The candles closed by `at_ms` (the one still forming then is left out)."""
    if candles is None:
        return None
    return candles.slice(slice(0, int(np.searchsorted(close_ms, at_ms, side="right"))))


def _cut_plan(n: int, ready: int, cuts: int, fixed_cost: int) -> list[int]:
    """Cut bars in the order to run them: the last LAST_BARS, then the rest spread evenly from
    `ready` on, coarse to fine; fewer (not below MIN_CUTS) when their prefixes would take the
    bars computed in all past MAX_BARS_COMPUTED."""
    cuts = max(cuts, 1)
    while True:
        plan = _cut_points(n, ready, cuts)
        if cuts <= MIN_CUTS or fixed_cost + sum(k + 1 for k in plan) <= MAX_BARS_COMPUTED:
            return plan
        cuts -= 1


def _cut_points(n: int, ready: int, cuts: int) -> list[int]:
    last = list(range(n - 1, max(n - 1 - min(LAST_BARS, cuts), ready - 1), -1))
    spread: list[int] = []
    if cuts > len(last) and last[-1] > ready:
        points = np.linspace(ready, last[-1] - 1, cuts - len(last)).round().astype(int)
        spread = [int(k) for k in np.unique(points)]
    return last + [spread[i] for i in _coarse_to_fine(len(spread))]


def _coarse_to_fine(m: int) -> list[int]:
    """0..m-1 ordered so that every prefix of the order is spread over the range."""
    order: list[int] = []
    seen: set[int] = set()
    step = 1 << max(m - 1, 0).bit_length()
    while step:
        for i in range(0, m, step):
            if i not in seen:
                seen.add(i)
                order.append(i)
        step //= 2
    return order


# --- Computing and comparing -----------------------------------------------------------------


def _computed(report, spec, params, base, context, *, on: str) -> dict | None:
    """The strategy's series on these candles, or None after recording why it failed."""
    report.bars_computed += len(base)
    try:
        return _series(spec.compute(base, context, params), len(base))
    except Exception as error:  # the strategy's own code: any failure is a finding (once)
        if any(f.check == "compute" for f in report.findings):
            return None
        report.findings.append(
            Finding(
                "compute",
                "compute",
                int(base.open_time[-1]) if len(base) else None,
                None,
                None,
                f"compute: the strategy failed on {on}: {type(error).__name__}: {error}",
            )
        )
        return None


def _series(result: StrategyResult, n: int) -> dict[str, np.ndarray]:
    """Every signal and indicator of a result by name, each one value per base bar."""
    if not isinstance(result, StrategyResult):
        raise _BadResult(f"compute returned a {type(result).__name__}, not a StrategyResult")
    out = {name: np.asarray(getattr(result, name)) for name in SIGNALS}
    out.update({f"indicators.{k}": np.asarray(v) for k, v in result.indicators.items()})
    wrong = [f"{name} {a.shape}" for name, a in out.items() if a.shape != (n,)]
    if wrong:
        raise _BadResult(f"{', '.join(wrong)} for {n} base bars (one value per bar expected)")
    return out


def _differs(full: np.ndarray, other: np.ndarray, name: str, rtol: float) -> np.ndarray:
    """Per bar, True where the two differ: signals exactly, indicators beyond the relative
    tolerance `rtol` (NaN equals NaN)."""
    return _mismatch(full, other, rtol if name.startswith("indicators.") else None)


def _mismatch(a: np.ndarray, b: np.ndarray, rtol: float | None) -> np.ndarray:
    if a.dtype.kind not in "fiub" or b.dtype.kind not in "fiub":
        return ~np.array([x == y for x, y in zip(a, b, strict=True)], dtype=bool)
    if rtol is None or a.dtype.kind == "b" or b.dtype.kind == "b":
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            a, b = a.astype(np.float64), b.astype(np.float64)
            return ~((a == b) | (np.isnan(a) & np.isnan(b)))
        return a != b
    a, b = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(invalid="ignore"):
        magnitude = np.abs(a)[np.isfinite(a)]
        floor = ZERO_FLOOR * float(magnitude.max()) if magnitude.size else 0.0
        allowed = rtol * np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)
        same = (a == b) | (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= allowed)
    return ~same


def _finished(report: CheckReport, started: float) -> CheckReport:
    order = {"data": 0, "compute": 1, "lookahead": 2, "warmup": 3}
    report.findings.sort(key=lambda f: (order.get(f.check, 9), f.bar_open_ms or 0, f.series))
    report.ok = not report.findings
    report.elapsed_s = time.perf_counter() - started
    return report


def _text(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float | np.floating):
        return "NaN" if np.isnan(value) else f"{float(value):.10g}"
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    return value if value is None or isinstance(value, str) else str(value)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat().replace("+00:00", "Z")
