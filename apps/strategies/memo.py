"""Indicator results reused while a memo is active.

The trials of a parameter study (apps/optimisation/trials.py) compute the same indicators on
the same candles again and again: every trial recomputes the indicator of a parameter that is
not searched, and a searched value drawn again recomputes its own. With the study's memo
active, an indicator called with the same arrays (by identity) and the same other arguments
(by type and value) returns the result it gave before.

- Correct by construction: the memo holds the argument arrays of each entry, so no identity is
  reused by another array while the entry lives; a new data version of the study gets new
  arrays and a new memo.
- Results come back read-only: a caller that writes into one raises instead of changing the
  next trial's input.
- Bounded: the least recently used entries go once the results pass `max_bytes`.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays

_active: ContextVar[IndicatorMemo | None] = ContextVar("indicator_memo", default=None)
_BY_VALUE = (int, float, str, bool, type(None))
_BY_IDENTITY = (np.ndarray, CandleArrays)


class IndicatorMemo:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.hits = self.misses = 0
        self._entries: OrderedDict[tuple, tuple[tuple, Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @contextmanager
    def active(self) -> Iterator[IndicatorMemo]:
        """Memoised indicators called inside the block (in this thread or task) use this memo."""
        token = _active.set(self)
        try:
            yield self
        finally:
            _active.reset(token)

    def result(self, function: Callable[..., Any], args: tuple) -> Any:
        key = _key(function, args)
        if key is None:  # an argument that is neither an array nor a plain value
            return function(*args)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
        value = _read_only(function(*args))
        size = _nbytes(value)
        with self._lock:
            self.misses += 1
            if key not in self._entries:
                self._entries[key] = (args, value, size)  # args: holds the arrays keyed by id
                self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (_, _, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return value

    @property
    def size_bytes(self) -> int:
        return self._bytes


def call(function: Callable[..., Any], *args: Any) -> Any:
    """function(*args), through the active memo if there is one."""
    memo = _active.get()
    return function(*args) if memo is None else memo.result(function, args)


def memoised(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` through the active memo, if any (positional calls; others are computed)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            return function(*args, **kwargs)
        return call(function, *args)

    return wrapper


def _key(function: Callable[..., Any], args: tuple) -> tuple | None:
    parts: list[Any] = [function]
    for arg in args:
        if isinstance(arg, _BY_IDENTITY):
            parts.append((id(arg),))
        elif isinstance(arg, _BY_VALUE):
            parts.append((type(arg), arg))  # 1, 1.0 and True are different arguments
        else:
            return None
    return tuple(parts)


def _read_only(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        view = value.view()  # the function's own array keeps its flags
        view.flags.writeable = False
        return view
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # Macd, Bands, ...
        return type(value)(*(_read_only(part) for part in value))
    if isinstance(value, tuple):
        return tuple(_read_only(part) for part in value)
    return value


def _nbytes(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, tuple):
        return sum(_nbytes(part) for part in value)
    return 0
