"""Operator strategy plugins: directories and entry points, refusals, and the two commands."""

import logging
import sys
from io import StringIO
from textwrap import dedent

import pytest
from django.core.management import CommandError, call_command

from apps.datafeeds.storage import candles_upsert
from apps.strategies import registry
from apps.strategies.plugins import ENTRY_POINT_GROUP
from apps.strategies.registry import UnknownStrategy, strategy_spec, strategy_specs

# A small plugin module: {key} and {close} (the close its setups read) are filled in.
PLUGIN = dedent(
    """
    import numpy as np

    from apps.strategies.indicators import ema
    from apps.strategies.registry import Param, StrategyResult, StrategySpec, register
    from apps.strategies.signals import entry_signals


    def compute(base, context, params):
        average = ema(base.close, params["period"])
        close = {close}
        long_setup = close > average
        short_setup = close < average
        return StrategyResult(
            long_setup=long_setup,
            short_setup=short_setup,
            long_entry=entry_signals(long_setup),
            short_entry=entry_signals(short_setup),
            long_exit=short_setup,
            short_exit=long_setup,
            indicators={{"ema": average}},
        )


    SPEC = {register}(
        StrategySpec(
            key="{key}",
            name="Plugin {key}",
            description="close against its EMA",
            params=(Param("period", int, 20, 2, 200, "EMA period"),),
            base_timeframe="5m",
            context_timeframes=(),
            base_warmup=lambda params: 10 * params["period"],
            context_warmup=lambda params: 0,
            display_warmup=lambda params: 10 * params["period"],
            compute=compute,
            display=lambda candles, timeframe, result, params: {{}},
        )
    )
    """
)


def plugin(key: str, close: str = "base.close", register: str = "register") -> str:
    return PLUGIN.format(key=key, close=close, register=register)


@pytest.fixture
def reload_registry(settings):
    """Loads the registry afresh (the built-ins, then the plugins of the settings of the test);
    the registry of the process is restored afterwards."""
    registry._load_library()
    saved, loaded = dict(registry._REGISTRY), registry._LOADED
    builtins = {key: spec for key, spec in saved.items() if spec.source == "builtin"}

    def reload():
        registry._REGISTRY.clear()
        registry._REGISTRY.update(builtins)
        registry._LOADED = False
        return {spec.key: spec for spec in strategy_specs()}

    yield reload
    registry._REGISTRY.clear()
    registry._REGISTRY.update(saved)
    registry._LOADED = loaded


@pytest.fixture
def plugin_dir(tmp_path, settings):
    directory = tmp_path / "plugins"
    directory.mkdir()
    settings.STRATEGY_PLUGIN_DIRS = [str(directory)]
    return directory


@pytest.fixture
def stored_btc(btc_symbol, btc_5m_candles):
    """BTCUSDT with 25,000 stored 5m candles (20,000 checked plus their warm-up)."""
    rows = btc_5m_candles.slice(slice(0, 25_000)).rows()
    candles_upsert(symbol=btc_symbol, timeframe="5m", rows=rows)
    return btc_symbol


# --- Discovery --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_directory_plugin_is_listed_in_the_registry_and_the_catalog(
    plugin_dir, reload_registry, client
):
    (plugin_dir / "close_ema.py").write_text(plugin("close-ema"))
    specs = reload_registry()
    assert specs["close-ema"].source == "plugin"
    assert specs["ema-cross"].source == "builtin"
    body = client.get("/api/strategies/catalog/").json()
    by_key = {entry["key"]: entry for entry in body}
    assert by_key["close-ema"]["source"] == "plugin"
    assert by_key["hma-sma"]["source"] == "builtin"
    assert by_key["close-ema"]["params"][0]["name"] == "period"


def test_plugins_load_once_per_process(plugin_dir, reload_registry):
    (plugin_dir / "close_ema.py").write_text(plugin("close-ema"))
    reload_registry()
    (plugin_dir / "later.py").write_text(plugin("later"))
    assert "later" not in {spec.key for spec in strategy_specs()}  # until a restart


@pytest.mark.django_db
def test_broken_plugins_are_logged_and_skipped(plugin_dir, reload_registry, caplog, client):
    (plugin_dir / "a_syntax.py").write_text("def broken(:\n")
    (plugin_dir / "b_raises.py").write_text("raise RuntimeError('boom at import')\n")
    (plugin_dir / "c_exits.py").write_text("import sys\nsys.exit(3)\n")
    (plugin_dir / "d_good.py").write_text(plugin("still-loads"))
    (plugin_dir / "_helper.py").write_text("raise RuntimeError('never imported')\n")
    with caplog.at_level(logging.ERROR, logger="apps.strategies.plugins"):
        specs = reload_registry()
    assert specs["still-loads"].source == "plugin"
    assert {"ema-cross", "hma-sma"} <= set(specs)
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    text = "\n".join(r.getMessage() for r in failures)
    assert f"{plugin_dir / 'a_syntax.py'} failed to load" in text and "SyntaxError" in text
    assert f"{plugin_dir / 'b_raises.py'} failed to load" in text
    assert "RuntimeError: boom at import" in text
    assert "SystemExit" in text
    assert "never imported" not in text
    assert "strategy_plugin_b_raises" not in sys.modules
    catalog = client.get("/api/strategies/catalog/")
    assert catalog.status_code == 200
    assert "still-loads" in {entry["key"] for entry in catalog.json()}


def test_a_failed_plugin_leaves_none_of_its_strategies(plugin_dir, reload_registry):
    (plugin_dir / "half.py").write_text(plugin("half-done") + "\nraise ValueError('late')\n")
    assert "half-done" not in reload_registry()


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("ema-cross", "already taken by a built-in strategy"),
        ("user-12-v3", "reserved for users' strategies"),
        ("My_Strategy", "is not a slug"),
    ],
)
def test_a_plugin_key_that_clashes_or_is_reserved_is_refused(
    plugin_dir, reload_registry, caplog, key, said
):
    (plugin_dir / "clash.py").write_text(plugin(key))
    with caplog.at_level(logging.ERROR, logger="apps.strategies.plugins"):
        specs = reload_registry()
    assert f"{plugin_dir / 'clash.py'} refused" in caplog.text and said in caplog.text
    if key == "ema-cross":
        assert specs["ema-cross"].source == "builtin"
        assert specs["ema-cross"].name == "EMA crossover"
    else:
        assert key not in specs


def test_a_key_taken_by_an_earlier_plugin_is_refused(plugin_dir, reload_registry, caplog):
    (plugin_dir / "first.py").write_text(plugin("twice"))
    (plugin_dir / "second.py").write_text(plugin("twice", close="base.open"))
    with caplog.at_level(logging.ERROR, logger="apps.strategies.plugins"):
        specs = reload_registry()
    assert "already taken by a plugin" in caplog.text
    assert specs["twice"].source == "plugin"


def test_a_missing_plugin_directory_is_logged(tmp_path, settings, reload_registry, caplog):
    settings.STRATEGY_PLUGIN_DIRS = [str(tmp_path / "nowhere")]
    with caplog.at_level(logging.ERROR, logger="apps.strategies.plugins"):
        specs = reload_registry()
    assert "no such directory" in caplog.text and "ema-cross" in specs


def test_entry_points_register_a_module_or_a_spec(
    tmp_path, settings, reload_registry, monkeypatch, caplog
):
    settings.STRATEGY_PLUGIN_DIRS = []
    site = tmp_path / "site"
    site.mkdir()
    (site / "fake_ep_module.py").write_text(plugin("ep-module"))
    (site / "fake_ep_object.py").write_text(plugin("ep-object", register=""))  # not registered
    dist = site / "fake_strategies-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-strategies\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n"
        "module = fake_ep_module\n"
        "object = fake_ep_object:SPEC\n"
        "broken = fake_ep_missing_module\n"
    )
    monkeypatch.syspath_prepend(str(site))
    try:
        with caplog.at_level(logging.INFO, logger="apps.strategies.plugins"):
            specs = reload_registry()
    finally:
        for name in ("fake_ep_module", "fake_ep_object"):
            sys.modules.pop(name, None)
    assert specs["ep-module"].source == "plugin"
    assert specs["ep-object"].source == "plugin"
    assert specs["ema-cross"].source == "builtin"
    said = caplog.text
    assert "entry point module = fake_ep_module (fake-strategies 1.0)" in said
    assert "entry point broken = fake_ep_missing_module" in said and "failed to load" in said


# --- strategy_new and strategy_check ----------------------------------------------------------


@pytest.mark.django_db
def test_scaffold_passes_strategy_check(plugin_dir, reload_registry, stored_btc):
    out = StringIO()
    call_command("strategy_new", "my-trend", stdout=out)
    path = plugin_dir / "my_trend.py"
    assert path.is_file() and f"Wrote {path}" in out.getvalue()
    specs = reload_registry()  # as a restart would
    assert specs["my-trend"].source == "plugin"
    assert specs["my-trend"].context_timeframes == ("1h",)
    out = StringIO()
    call_command("strategy_check", "my-trend", "--symbol", "BTCUSDT", stdout=out)
    text = out.getvalue()
    assert "my-trend: passed" in text and "20,000 bars" in text


def test_strategy_new_refuses_to_overwrite(plugin_dir, reload_registry):
    (plugin_dir / "mine.py").write_text("# my own work\n")
    with pytest.raises(CommandError, match="exists; not overwritten"):
        call_command("strategy_new", "mine")
    assert (plugin_dir / "mine.py").read_text() == "# my own work\n"


def test_strategy_new_writes_into_dir(tmp_path, settings, reload_registry):
    settings.STRATEGY_PLUGIN_DIRS = []
    call_command("strategy_new", "elsewhere", "--dir", str(tmp_path / "new"), stdout=StringIO())
    assert 'key="elsewhere"' in (tmp_path / "new" / "elsewhere.py").read_text()


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Bad_Name", "is not a slug"),
        ("user-1-v1", "reserved for users' strategies"),
        ("ema-cross", "already the key of the builtin strategy"),
    ],
)
def test_strategy_new_validates_the_name(plugin_dir, reload_registry, name, said):
    with pytest.raises(CommandError, match=said):
        call_command("strategy_new", name)


def test_strategy_new_without_a_directory_says_so(settings, reload_registry):
    settings.STRATEGY_PLUGIN_DIRS = []
    with pytest.raises(CommandError, match="pass --dir DIR, or set STRATEGY_PLUGIN_DIRS"):
        call_command("strategy_new", "nowhere")


@pytest.mark.django_db
def test_a_plugin_reading_the_next_close_fails_strategy_check(
    plugin_dir, reload_registry, stored_btc
):
    (plugin_dir / "peek.py").write_text(plugin("peek", close="np.roll(base.close, -1)"))
    reload_registry()
    with pytest.raises(CommandError) as failed:
        call_command("strategy_check", "peek", "--bars", "5000", stdout=StringIO())
    message = str(failed.value)
    assert "peek: FAILED" in message
    assert "lookahead: long_setup at 2024-" in message
    assert "UTC is " in message and "with data up to that bar" in message


@pytest.mark.django_db
def test_builtin_passes_strategy_check_command(stored_btc):
    out = StringIO()
    call_command("strategy_check", "ema-cross", "--param", "fast_period=10", stdout=out)
    assert "ema-cross: passed" in out.getvalue() and "fast_period=10" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["nope"], "Unknown strategy 'nope'"),
        (["ema-cross", "--symbol", "DOGEBTC"], "Unknown symbol 'DOGEBTC'"),
        (["ema-cross", "--param", "nope=3"], "--param nope: unknown parameter"),
        (["ema-cross", "--param", "fast_period=x"], "--param fast_period: must be a whole"),
        (["ema-cross", "--param", "fast_period"], "expected name=value"),
    ],
)
def test_strategy_check_names_what_is_wrong(stored_btc, args, said):
    with pytest.raises(CommandError, match=said):
        call_command("strategy_check", *args, stdout=StringIO())


@pytest.mark.django_db
def test_strategy_check_without_candles_says_what_to_fetch(btc_symbol):
    with pytest.raises(CommandError, match="fetch_ohlcv BTCUSDT 5m"):
        call_command("strategy_check", "ema-cross", stdout=StringIO())


def test_unknown_plugin_key_is_unknown_after_reload(plugin_dir, reload_registry):
    reload_registry()
    with pytest.raises(UnknownStrategy):
        strategy_spec("close-ema")
