"""What the engine takes in: its configuration and the four signal arrays."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

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


def config_errors(config: BacktestConfig) -> dict[str, str]:
    """Each invalid field with its message (empty when the configuration is valid)."""
    errors = {}
    if not (np.isfinite(config.initial_capital) and config.initial_capital > 0):
        errors["initial_capital"] = "must be a positive number"
    if not 0 <= config.fee_rate < 0.1:
        errors["fee_rate"] = "must be in [0, 0.1)"
    if not 0 <= config.slippage_bps < 1000:
        errors["slippage_bps"] = "must be in [0, 1000)"
    if not 0 < config.size <= 1:
        errors["size"] = "must be in (0, 1]"
    if config.stop_loss is not None and not 0 < config.stop_loss < 1:
        errors["stop_loss"] = "must be in (0, 1) or None"
    if config.take_profit is not None and not config.take_profit > 0:
        errors["take_profit"] = "must be positive or None"
    if config.take_profit is not None and not np.isfinite(config.take_profit):
        errors["take_profit"] = "must be finite"
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
