"""What a strategy computes on, as arrays (no Django): built by selectors.py, read by the pure
evaluation, backtests and bots."""

from __future__ import annotations

from dataclasses import dataclass

from apps.datafeeds.arrays import CandleArrays


class MissingCandles(LookupError):
    """No stored candles where the evaluation needs them; the message says what to fetch."""


@dataclass(frozen=True)
class StrategyInputs:
    """The base series from the warm-up on, the higher timeframes, and where the span starts."""

    base: CandleArrays
    context: dict[str, CandleArrays | None]
    first: int  # index in `base` of the first bar of the span

    @property
    def span(self) -> CandleArrays:
        return self.base.slice(slice(self.first, None))


@dataclass(frozen=True)
class DisplayInputs:
    """What the run endpoint evaluates: a window of candles of the displayed timeframe, the
    candles before it that its lines need, and the strategy's inputs up to its last close."""

    timeframe: str
    candles: CandleArrays  # the displayed window
    history: CandleArrays  # displayed-timeframe candles just before it (the lines' warm-up)
    strategy: StrategyInputs
