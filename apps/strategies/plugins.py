"""The operator's Python strategies (docs/strategies/plugins.md), registered once per process
after the built-ins (registry._load_library calls plugins_load).

Two sources, in this order:
1. every `*.py` module of the directories of settings.STRATEGY_PLUGIN_DIRS (sorted by name;
   names starting with `_` or `.` are skipped), each calling `registry.register(StrategySpec(...))`
   at import, as the built-ins of library/ do;
2. the entry points of the group `bot_trading.strategies` of the installed distributions, each
   naming a module that registers at import or a StrategySpec object.

A plugin runs while its registrations are staged apart; each staged spec is then admitted
(marked `source="plugin"`) or refused with a logged error: a key that is not a slug, that starts
with `user-` (users' strategies), or that is taken (built-ins and earlier plugins keep theirs).
A plugin that fails to import is logged with its path and error and skipped: the platform and
the other plugins load regardless.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.datafeeds.timeframes import TIMEFRAMES

from . import registry
from .registry import USER_KEY_PREFIX, StrategySpec

ENTRY_POINT_GROUP = "bot_trading.strategies"
KEY_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KEY_MAX_LENGTH = 64  # Strategy.key's column

logger = logging.getLogger(__name__)


@dataclass
class PluginsReport:
    """What plugins_load did: admitted keys by origin, and each refusal or failure."""

    loaded: dict[str, str] = field(default_factory=dict)  # key -> origin (path or entry point)
    errors: list[str] = field(default_factory=list)


def plugin_dirs() -> list[Path]:
    """settings.STRATEGY_PLUGIN_DIRS; none outside Django (a bare script loads entry points)."""
    try:
        return [Path(path) for path in settings.STRATEGY_PLUGIN_DIRS]
    except ImproperlyConfigured:
        return []


def key_problem(key: str) -> str | None:
    """Why `key` cannot be a plugin's strategy key (None when it can), taken keys aside."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        return (
            f"key {key!r} is not a slug: lowercase letters a-z, digits and single hyphens "
            "inside (e.g. my-strategy)"
        )
    if len(key) > KEY_MAX_LENGTH:
        return f"key '{key}' is longer than {KEY_MAX_LENGTH} characters"
    if key.startswith(USER_KEY_PREFIX):  # users' strategies (the strategy language)
        return f"key '{key}' starts with '{USER_KEY_PREFIX}', reserved for users' strategies"
    return None


def plugins_load() -> PluginsReport:
    """Import every plugin and register what it declares (module docstring)."""
    report = PluginsReport()
    for directory in plugin_dirs():
        if not directory.is_dir():
            _refuse(report, str(directory), "STRATEGY_PLUGIN_DIRS lists no such directory")
            continue
        for path in sorted(directory.glob("*.py")):
            if not path.name.startswith(("_", ".")):
                _load(report, str(path), lambda path=path: _import_file(path))
    try:
        entry_points = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=_ep_label)
    except Exception as error:  # a broken distribution's metadata
        _refuse(report, f"entry points {ENTRY_POINT_GROUP}", f"{type(error).__name__}: {error}")
        entry_points = []
    for entry_point in entry_points:
        _load(report, _ep_label(entry_point), entry_point.load)
    return report


# --- Loading ---------------------------------------------------------------------------------


def _load(report: PluginsReport, origin: str, load) -> None:
    """Run one plugin with its registrations staged apart, then admit them one by one."""
    with _staged() as staged:
        try:
            loaded = load()
        except BaseException as error:  # any failure of the plugin's code, SystemExit included
            if isinstance(error, KeyboardInterrupt):
                raise
            logger.error(
                "strategy plugin %s failed to load and is skipped: %s: %s",
                origin,
                type(error).__name__,
                error,
                exc_info=True,
                extra={"plugin": origin},
            )
            report.errors.append(f"{origin}: {type(error).__name__}: {error}")
            return
        if isinstance(loaded, StrategySpec) and staged.get(loaded.key) is not loaded:
            if loaded.key in staged:
                _refuse(report, origin, f"key '{loaded.key}' is declared twice")
                return
            staged[loaded.key] = loaded  # an entry point naming a spec that was not registered
        elif not isinstance(loaded, StrategySpec | ModuleType):
            _refuse(
                report,
                origin,
                f"loads a {type(loaded).__name__}; expected a module or a StrategySpec",
            )
            return
    if not staged:
        logger.warning(
            "strategy plugin %s registered no strategy", origin, extra={"plugin": origin}
        )
    for spec in staged.values():
        problem = _spec_problem(spec)
        if problem:
            _refuse(report, origin, problem)
            continue
        registry.register(dataclasses.replace(spec, source="plugin"))
        report.loaded[spec.key] = origin
        logger.info(
            "strategy plugin %s registered '%s'", origin, spec.key, extra={"plugin": origin}
        )


class _Staging(dict):
    """One plugin's registrations; reading a key it did not register falls through to the
    registry (so a plugin may build on a built-in)."""

    def __init__(self, registered: dict[str, StrategySpec]):
        super().__init__()
        self.registered = registered

    def __missing__(self, key: str) -> StrategySpec:
        return self.registered[key]


@contextmanager
def _staged() -> Iterator[_Staging]:
    # registry.register writes to registry._REGISTRY: while a plugin runs it is the staging
    # dict. Safe: plugins load under the registry's load lock, and readers wait for it.
    registered = registry._REGISTRY
    staging = _Staging(registered)
    registry._REGISTRY = staging
    try:
        yield staging
    finally:
        registry._REGISTRY = registered


def _import_file(path: Path) -> ModuleType:
    """Import one plugin file as its own module (its directory is not put on sys.path)."""
    name = "strategy_plugin_" + re.sub(r"\W", "_", path.stem)
    loaded = sys.modules.get(name)
    if loaded is not None and getattr(loaded, "__file__", None) != str(path):
        name += "_" + hashlib.sha1(str(path).encode()).hexdigest()[:8]  # same name, other dir
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # as a normal import: dataclasses and pickle look modules up
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _ep_label(entry_point: metadata.EntryPoint) -> str:
    dist = getattr(entry_point, "dist", None)
    owner = f" ({dist.name} {dist.version})" if dist is not None else ""
    return f"entry point {entry_point.name} = {entry_point.value}{owner}"


# --- Admission -------------------------------------------------------------------------------


def _spec_problem(spec: object) -> str | None:
    """Why a staged registration is refused (None: admitted)."""
    if not isinstance(spec, StrategySpec):
        return f"registered a {type(spec).__name__}, not a StrategySpec"
    problem = key_problem(spec.key)
    if problem:
        return problem
    taken = registry._REGISTRY.get(spec.key)
    if taken is not None:
        owner = "a built-in strategy" if taken.source == "builtin" else f"a {taken.source}"
        return f"key '{spec.key}' is already taken by {owner} ({taken.name}); refused"
    bad = [tf for tf in (spec.base_timeframe, *spec.context_timeframes) if tf not in TIMEFRAMES]
    if bad:
        return f"'{spec.key}': unknown timeframe(s) {', '.join(bad)}"
    try:  # the defaults and warm-ups must work: the catalog and every run rely on them
        params = spec.validate_params({})
        warmups = (spec.base_warmup(params), spec.context_warmup(params))
    except Exception as error:
        return f"'{spec.key}': its defaults fail: {type(error).__name__}: {error}"
    if not all(isinstance(w, int | np.integer) and w >= 0 for w in warmups):
        return f"'{spec.key}': base_warmup and context_warmup must return whole numbers >= 0"
    return None


def _refuse(report: PluginsReport, origin: str, problem: str) -> None:
    logger.error("strategy plugin %s refused: %s", origin, problem, extra={"plugin": origin})
    report.errors.append(f"{origin}: {problem}")
