"""The architecture of docs/architecture.md, checked on the source: no import cycles between
modules, and the apps' layers (a lower app never imports a higher one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .import_graph import cycles, import_graph

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [p for p in ("apps", "config", "bench", "emulator") if (ROOT / p).is_dir()]

# Lower layers never import higher ones; apps on one layer do not import each other.
APP_LAYERS = {
    "accounts": 0,
    "exchanges": 0,  # the ccxt wrapper, exchange accounts and credentials, shared rate limits
    "risk": 0,  # risk profiles, risk_check (pure)
    "datafeeds": 1,  # symbols, candles, ingestion through the exchanges' client
    "strategies": 2,  # indicators, signals, the registry, strategy_inputs
    "realtime": 2,  # what every WebSocket shares: close codes, heartbeats, the per-user cap
    "ops": 2,  # logs, metrics, health, work leases (infrastructure every worker app may use)
    "analytics": 3,  # backtests
    # alerts to the users' channels (apprise); above ops, whose enqueue it uses
    "notifications": 3,
    "execution": 4,  # bots and orders
    "optimisation": 4,  # parameter studies and walk-forwards: many backtests
}


@pytest.fixture(scope="module")
def graph():
    return import_graph(ROOT, PACKAGES)


def test_no_import_cycles_between_modules(graph):
    assert cycles(graph.load_time) == []


def _registration(module: str) -> bool:
    """The strategy library, the operator's plugins and the registry: the registry imports the
    library and the plugin loader to find the strategies, each of which registers itself with
    the registry (a plugin registry's cycle)."""
    return module in ("apps.strategies.registry", "apps.strategies.plugins") or module.startswith(
        "apps.strategies.library"
    )


def test_no_import_cycles_even_through_imports_inside_functions(graph):
    """An import deferred into a function still ties the two modules together: a service that
    imports its task module, which imports the services, is one knot. Services enqueue tasks
    by name (apps/ops/enqueue.py) instead."""
    knots = [c for c in cycles(graph.any_time) if not all(_registration(m) for m in c)]
    assert knots == []


def _app(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "apps" and len(parts) > 1 else None


def test_every_app_has_a_layer(graph):
    apps = {_app(m) for m in graph.modules} - {None}
    assert apps <= set(APP_LAYERS), f"add {sorted(apps - set(APP_LAYERS))} to APP_LAYERS"


def test_a_lower_app_never_imports_a_higher_one(graph):
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in graph.any_time.items()
        for target in targets
        if (source := _app(module))
        and (dest := _app(target))
        and source != dest
        and APP_LAYERS.get(source, 0) <= APP_LAYERS.get(dest, 0)
    )
    assert wrong == []


def test_the_engine_stays_pure(graph):
    """The backtest engine and the strategies' numeric code run without Django."""
    pure = [
        m
        for m in graph.modules
        if m.startswith("apps.analytics.engine")
        or m in ("apps.strategies.indicators", "apps.strategies.signals", "apps.strategies.inputs")
    ]
    assert pure
    for module in pure:
        reached, todo = set(), [module]
        while todo:
            for target in graph.load_time.get(todo.pop(), ()):
                if target not in reached:
                    reached.add(target)
                    todo.append(target)
        django_bound = sorted(
            m for m in reached if m.endswith((".models", ".selectors", ".services", ".views"))
        )
        assert django_bound == [], f"{module} imports {django_bound}"


def test_the_checker_finds_a_cycle_and_ignores_deferred_imports(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("from .c import thing\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "import pkg.a\n"
        "if TYPE_CHECKING:\n    from pkg import d\n"
        "def later():\n    from pkg import d\n"
    )
    (package / "d.py").write_text("from pkg import c\n")
    found = import_graph(tmp_path, ["pkg"])
    assert cycles(found.load_time) == [["pkg.a", "pkg.b", "pkg.c"]]
    assert found.load_time["pkg.c"] == {"pkg.a"}
    assert found.any_time["pkg.c"] == {"pkg.a", "pkg.d"}
