"""Candles as NumPy columns: the shape in which market data leaves the database (no Django here)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class CandleArrays:
    """Candles as columns: open time in epoch ms (int64) and float64 prices and volume."""

    open_time: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray

    def __len__(self) -> int:
        return len(self.open_time)

    @classmethod
    def from_rows(cls, rows: np.ndarray) -> CandleArrays:
        rows = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
        columns = (np.ascontiguousarray(rows[:, i]) for i in range(1, 6))
        return cls(rows[:, 0].astype(np.int64), *columns)

    def rows(self) -> np.ndarray:
        """The candles as one float64 (N, 6) matrix (built once, then shared: do not modify)."""
        return self._rows

    @cached_property
    def _rows(self) -> np.ndarray:
        return np.column_stack(
            [self.open_time, self.open, self.high, self.low, self.close, self.volume]
        ).astype(np.float64)

    def slice(self, index: slice | np.ndarray) -> CandleArrays:
        return CandleArrays(
            self.open_time[index],
            self.open[index],
            self.high[index],
            self.low[index],
            self.close[index],
            self.volume[index],
        )

    @classmethod
    def concat(cls, parts: list[CandleArrays]) -> CandleArrays:
        return cls.from_rows(np.concatenate([p.rows() for p in parts]))
