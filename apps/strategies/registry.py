"""The strategy registry: what a strategy declares so views, serializers and the backtester
can use it without knowing it.

A strategy declares its parameters (defaults and bounds; unknown ones are an error), its base
timeframe and the higher timeframes it reads, its warm-up in base bars, and a pure function from
candles to setups, entries and exits. The run endpoint also asks it for the lines to draw.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from apps.datafeeds.arrays import CandleArrays


class UnknownStrategy(LookupError):
    """No registered strategy has that key; the message lists those that exist."""


class InvalidParameters(ValueError):
    """Parameters outside the schema; `errors` maps each bad field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Param:
    name: str
    kind: type  # int or float
    default: int | float
    minimum: int | float
    maximum: int | float
    description: str

    def schema(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": "integer" if self.kind is int else "number",
            "default": self.default,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "description": self.description,
        }

    def validate(self, value: Any) -> int | float:
        if isinstance(value, bool):
            raise ValueError("must be a number")
        if self.kind is int:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)
            if not isinstance(value, int):
                raise ValueError("must be a whole number")
        else:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError("must be a number") from None
            if not np.isfinite(value):
                raise ValueError("must be a finite number")
        if not self.minimum <= value <= self.maximum:
            raise ValueError(f"must be between {self.minimum} and {self.maximum}")
        return value


@dataclass(frozen=True)
class ClosedSeries:
    """A line on its own timeframe's clock: `values[i]` is known from `close_ms[i]` (epoch ms,
    ascending) on, e.g. the 1h HMA at each 1h close. A strategy hands such lines to its display
    function, which aligns them to the displayed candles (nothing before its close is shown)."""

    close_ms: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class StrategyResult:
    """Per base bar (aligned to the base candles): setups, entries and exits, plus indicators.

    `series` carries lines that live on another timeframe than the base one (keyed by name), for
    the strategy's display function; nothing else reads them.
    """

    long_setup: np.ndarray
    short_setup: np.ndarray
    long_entry: np.ndarray
    short_entry: np.ndarray
    long_exit: np.ndarray
    short_exit: np.ndarray
    indicators: dict[str, np.ndarray] = field(default_factory=dict)
    series: dict[str, ClosedSeries] = field(default_factory=dict)


Compute = Callable[
    [CandleArrays, Mapping[str, CandleArrays | None], Mapping[str, Any]], StrategyResult
]
# (display candles, their timeframe, the base result, params) -> extra response keys of lines,
# each line a float array aligned to the display candles (NaN where undefined).
Display = Callable[[CandleArrays, str, StrategyResult, Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class StrategySpec:
    key: str
    name: str
    description: str
    params: tuple[Param, ...]
    base_timeframe: str
    context_timeframes: tuple[str, ...]
    base_warmup: Callable[[Mapping[str, Any]], int]  # base bars before the first signal
    context_warmup: Callable[[Mapping[str, Any]], int]  # context candles before the first one
    display_warmup: Callable[[Mapping[str, Any]], int]  # display candles the lines need first
    compute: Compute
    display: Display
    check: Callable[[Mapping[str, Any]], dict[str, str]] = lambda params: {}  # cross-field rules
    # The strategy's own stop_loss / take_profit (fractions): a run's or bot's settings and a
    # risk profile override them.
    stops: Mapping[str, float] = field(default_factory=dict)
    source: str = "builtin"  # "builtin", "plugin" (plugins.py sets it) or "user"

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def validate_params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overridden by `values`; unknown or out-of-bounds parameters are an error."""
        known = {p.name: p for p in self.params}
        errors = {name: "unknown parameter" for name in values if name not in known}
        params = self.defaults()
        for name, value in values.items():
            if name in known:
                try:
                    params[name] = known[name].validate(value)
                except ValueError as error:
                    errors[name] = str(error)
        if not errors:
            errors = self.check(params)
        if errors:
            raise InvalidParameters(errors)
        return params

    def stops_defaulted(
        self, config: Mapping[str, Any] | None, *, risk_profile: Any
    ) -> dict[str, Any]:
        """A run's or bot's settings with the strategy's own stop_loss/take_profit where they
        set none; a risk profile sets its own, so then the strategy's do not apply."""
        config = dict(config or {})
        if risk_profile is None:
            config = {**self.stops, **config}
        return config

    def catalog_entry(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "base_timeframe": self.base_timeframe,
            "context_timeframes": list(self.context_timeframes),
            "params": [p.schema() for p in self.params],
            "source": self.source,
        }


_REGISTRY: dict[str, StrategySpec] = {}


def register(spec: StrategySpec) -> StrategySpec:
    if spec.key in _REGISTRY:
        raise ValueError(f"strategy '{spec.key}' is registered twice")
    _REGISTRY[spec.key] = spec
    return spec


# Users' own strategies are not registered: a resolver finds them by key (user_strategies.py,
# installed by the app's ready(); the registry never imports it).
USER_KEY_PREFIX = "user-"
Resolver = Callable[[str, Any], StrategySpec]  # (key, owner or None) -> spec or UnknownStrategy
_user_resolver: list[Resolver] = []


def user_resolver_install(resolver: Resolver) -> None:
    _user_resolver[:] = [resolver]


def strategy_spec(key: str, *, owner: Any = None) -> StrategySpec:
    """The strategy of `key`. A user's strategy (`user-<id>-v<n>`) is found only for its owner
    when `owner` is given: every path that takes a key from a request passes the user; paths
    that read a key already stored on a run or a bot (checked when it was stored) do not."""
    _load_library()
    if key.startswith(USER_KEY_PREFIX) and _user_resolver:
        return _user_resolver[0](key, owner)
    try:
        return _REGISTRY[key]
    except KeyError:
        raise UnknownStrategy(
            f"Unknown strategy '{key}'; available: {', '.join(sorted(_REGISTRY))}."
        ) from None


def strategy_specs() -> list[StrategySpec]:
    _load_library()
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]


_LOADED = False  # the built-ins and the operator's plugins are registered
_LOAD_LOCK = threading.RLock()  # re-entrant: a plugin may read the registry while it loads
_loading = False


def _load_library() -> None:
    # Importing the library registers its strategies; then the operator's plugins (plugins.py).
    # Once per process; other threads wait until both are in.
    global _LOADED, _loading
    if _LOADED:
        return
    with _LOAD_LOCK:
        if _LOADED or _loading:  # _loading: a plugin of this thread reads the registry
            return
        _loading = True
        try:
            from . import library  # noqa: F401
            from .plugins import plugins_load

            plugins_load()
            _LOADED = True
        finally:
            _loading = False
