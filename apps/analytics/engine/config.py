"""What the engine takes in: its configuration and the four signal arrays."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from config.bounds import CAPITAL_MAX, STOP_LOSS_BOUND, TAKE_PROFIT_BOUND, Bound

if TYPE_CHECKING:
    from apps.strategies.registry import StrategyResult

BPS = 1e-4  # one basis point as a fraction


@dataclass(frozen=True)
class BacktestConfig:
    """How orders are filled and sized. Fractions, not percent (0.001 = 0.1%)."""

    initial_capital: float = 10_000.0  # quote currency
    fee_rate: float = 0.001  # per side, fraction of the traded notional
    slippage_bps: float = 0.0  # against the trader on every fill, in basis points
    size: float = 1.0  # fraction of current equity committed per entry (fee included)
    stop_loss: float | None = None  # fraction from the entry fill price, e.g. 0.02
    take_profit: float | None = None  # fraction from the entry fill price, e.g. 0.04
    allow_short: bool = True

    def __post_init__(self) -> None:
        errors = config_errors(self)
        if errors:
            raise ValueError("; ".join(f"{k}: {v}" for k, v in errors.items()))

    @property
    def slippage(self) -> float:
        return self.slippage_bps * BPS


# The range of every setting (config/bounds.py): the API's schema, its 400s and the engine
# read this one table, so a backtest and a bot refuse the same values.
CONFIG_BOUNDS: dict[str, Bound] = {
    "initial_capital": Bound(0, CAPITAL_MAX, False, True, 10_000.0, "quote currency"),
    "fee_rate": Bound(0, 0.1, True, False, 0.001, "per side, 0.001 = 0.1%"),
    "slippage_bps": Bound(0, 1000, True, False, 0.0, "basis points per fill"),
    "size": Bound(0, 1, False, True, 1.0, "fraction of equity per entry"),
    "stop_loss": STOP_LOSS_BOUND,
    # The risk profiles' own take-profit range: the same limit whichever sets it.
    "take_profit": TAKE_PROFIT_BOUND,
}


def config_errors(config: BacktestConfig) -> dict[str, str]:
    """Each invalid field with its message (empty when the configuration is valid)."""
    errors = {}
    for name, bound in CONFIG_BOUNDS.items():
        message = bound.error(getattr(config, name))
        if message:
            errors[name] = message
    return errors


@dataclass(frozen=True)
class SignalArrays:
    """The four boolean arrays the engine reads, aligned to the candles."""

    long_entry: np.ndarray
    short_entry: np.ndarray
    long_exit: np.ndarray
    short_exit: np.ndarray

    @classmethod
    def from_any(
        cls, signals: StrategyResult | SignalArrays | Mapping[str, Any], length: int
    ) -> SignalArrays:
        """From a StrategyResult, a SignalArrays, or a mapping of the four names (missing short
        arrays are all False). NaN counts as False."""
        get = signals.get if isinstance(signals, Mapping) else lambda k: getattr(signals, k, None)
        arrays = {}
        for name in ("long_entry", "short_entry", "long_exit", "short_exit"):
            values = get(name)
            if values is None:
                if name.startswith("long"):
                    raise ValueError(f"signals: '{name}' is required")
                values = np.zeros(length, dtype=bool)
            arrays[name] = _as_bool(values, name, length)
        return cls(**arrays)


def _as_bool(values: Any, name: str, length: int) -> np.ndarray:
    array = np.asarray(values)
    if array.shape != (length,):
        raise ValueError(f"signals: '{name}' has shape {array.shape}, expected ({length},)")
    if array.dtype.kind == "f":
        array = np.nan_to_num(array, nan=0.0)
    return array.astype(bool, copy=False)
