"""Every number a client can send is bounded by what can be stored and computed (config/bounds.py):
a test generated from the API schema and the models fails when one is not; out-of-range values
are 400s naming the field, never a 500 or a stored row; a stored out-of-range value never makes
an answer fail."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import models
from drf_spectacular.generators import SchemaGenerator

from apps.analytics.models import BacktestRun, BacktestStatus, BacktestSweep
from apps.execution.models import Bot
from apps.strategies.registry import strategy_specs
from config.bounds import CAPITAL_MAX, ID_MAX, MONEY_LIMIT

# Maps of strategy parameters: each value is checked against the registry's own range (below).
PARAMETER_MAPS = {"params", "grid", "space"}  # space: a study's ranges, low/high in the same range


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _numbers(schema: dict, node: dict, where: str, found: dict) -> None:
    """Every number/integer reachable in a request schema: where -> its schema."""
    components = schema["components"]["schemas"]
    while "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[-1]]
    if node.get("readOnly"):
        return
    if node.get("type") in ("number", "integer"):
        found[where] = node
    for key in ("oneOf", "anyOf", "allOf"):
        for i, sub in enumerate(node.get(key, [])):
            _numbers(schema, sub, f"{where}<{i}>", found)
    for name, sub in node.get("properties", {}).items():
        if name not in PARAMETER_MAPS:
            _numbers(schema, sub, f"{where}.{name}", found)
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            _numbers(schema, node[key], f"{where}[]", found)


def request_numbers() -> dict[str, dict]:
    """Numbers in every request body and query parameter of the API. Path ids are left to the
    URL converter (a 20-digit id is a 404: config/tests/test_errors.py)."""
    schema, found = _schema(), {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path":
                    where = f"{method.upper()} {path} ?{parameter['name']}"
                    _numbers(schema, parameter.get("schema", {}), where, found)
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                where = f"{method.upper()} {path} body"
                _numbers(schema, content["application/json"]["schema"], where, found)
    return found


NUMBERS = request_numbers()


def test_the_walk_finds_the_numbers_it_must():
    assert "POST /api/execution/bots/ body.paper_capital" in NUMBERS
    assert "PATCH /api/risk/profiles/{id}/ body.leverage" in NUMBERS
    assert "GET /api/analytics/backtests/ ?offset" in NUMBERS
    assert len(NUMBERS) >= 50


def test_every_number_a_client_sends_has_a_minimum_and_a_maximum():
    unbounded = [w for w, s in NUMBERS.items() if "minimum" not in s or "maximum" not in s]
    assert not unbounded, f"numbers without a bound (config/bounds.py): {unbounded}"


def test_every_strategy_parameter_has_a_finite_range():
    for spec in strategy_specs():
        for param in spec.params:
            assert param.minimum <= param.default <= param.maximum, (spec.key, param.name)
            assert abs(param.maximum) < 1e12 and abs(param.minimum) < 1e12, (spec.key, param.name)


def _column_limit(field: models.Field) -> float | None:
    """The smallest magnitude the column cannot store; None for columns without one (floats)."""
    if isinstance(field, models.ForeignKey):
        return _column_limit(field.target_field)
    if isinstance(field, models.DecimalField):
        return 10.0 ** (field.max_digits - field.decimal_places)
    if isinstance(field, models.BigIntegerField | models.BigAutoField):
        return 2**63
    if isinstance(field, models.SmallIntegerField | models.PositiveSmallIntegerField):
        return 2**15
    if isinstance(field, models.IntegerField):
        return 2**31
    return None


# Inputs stored under another name: (app label, model, field).
STORED_AS = {"initial_capital": [("execution", "Bot", "paper_capital")]}


def test_every_bound_fits_the_column_it_is_stored_in():
    """Generated from the models: each numeric column an input of the same name lands in."""
    numeric = models.IntegerField | models.FloatField | models.DecimalField | models.ForeignKey
    columns: dict[str, list[models.Field]] = {}
    for model in django_apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, numeric):
                columns.setdefault(field.name, []).append(field)
    for name, targets in STORED_AS.items():
        for app, model, field in targets:
            columns.setdefault(name, []).append(
                django_apps.get_model(app, model)._meta.get_field(field)
            )
    checked = 0
    for where, schema in NUMBERS.items():
        name = where.rsplit(".", 1)[-1].lstrip("?")
        for field in columns.get(name, []):
            limit = _column_limit(field)
            if limit is not None:
                assert max(abs(schema["minimum"]), abs(schema["maximum"])) < limit, (where, field)
                checked += 1
    assert checked >= 20, checked  # capital, ids, profile values, pagination...


def test_capital_leaves_room_to_grow_in_a_money_column():
    limit = _column_limit(Bot._meta.get_field("paper_capital"))
    assert limit == MONEY_LIMIT and limit > CAPITAL_MAX * 1000


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"paper_capital": 1e16}, "paper_capital"),
        ({"paper_capital": 10**400}, "paper_capital"),
        ({"paper_capital": "1e400"}, "paper_capital"),
        ({"take_profit": 1e9}, "take_profit"),
        ({"staleness_seconds": 1e300}, "staleness_seconds"),
        ({"risk_profile": 10**30}, "risk_profile"),
        ({"exchange_account": -1}, "exchange_account"),
    ],
)
def test_out_of_range_bot_inputs_are_a_400_naming_the_field(ana_client, btc_symbol, body, field):
    base = {"name": "b", "strategy": "hma-sma", "symbol": "BTCUSDT"}
    response = ana_client.post("/api/execution/bots/", {**base, **body}, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()
    assert not Bot.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"initial_capital": 1e20}, "initial_capital"),
        ({"initial_capital": CAPITAL_MAX * 1.01}, "initial_capital"),
        ({"take_profit": 1e9}, "take_profit"),
        ({"fee_rate": "nan"}, "fee_rate"),  # JSON has no NaN: a string the field converts
        ({"size": 10**400}, "size"),
    ],
)
@pytest.mark.parametrize("path", ["/api/analytics/backtests/", "/api/analytics/backtests/sweeps/"])
def test_out_of_range_backtest_inputs_are_a_400_naming_the_field(
    ana_client, btc_symbol, path, body, field
):
    base = {"strategy": "hma-sma", "symbol": "BTCUSDT", "start": "2024-01-01", "end": "2024-02-01"}
    if path.endswith("sweeps/"):
        base["grid"] = {"hma_period": [10, 20]}
    response = ana_client.post(path, {**base, **body}, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()
    assert not BacktestRun.objects.exists() and not BacktestSweep.objects.exists()


@pytest.mark.django_db
def test_a_run_stored_with_a_huge_kpi_never_breaks_an_answer(ana, ana_client, btc_symbol):
    sweep = BacktestSweep.objects.create(
        owner=ana,
        strategy="hma-sma",
        grid={"hma_period": [10]},
        symbol=btc_symbol,
        timeframe="5m",
        start_ms=0,
        end_ms=300_000,
        config={"initial_capital": 1e20},
    )
    run = BacktestRun.objects.create(
        owner=ana,
        sweep=sweep,
        strategy="hma-sma",
        params={"hma_period": 10, "sma_period": 20},
        symbol=btc_symbol,
        timeframe="5m",
        start_ms=0,
        end_ms=300_000,
        initial_capital=1e20,
        status=BacktestStatus.DONE,
        kpis={"fees_paid": 10**20, "net_profit": -(10**25), "trades": 3},
    )
    run.refresh_from_db()
    assert run.kpis["fees_paid"] == 10**20  # PostgreSQL hands it back as an integer
    for path in (
        "/api/analytics/backtests/",
        f"/api/analytics/backtests/{run.pk}/",
        f"/api/analytics/backtests/sweeps/{sweep.pk}/",
        f"/api/analytics/backtests/?sweep={sweep.pk}",
    ):
        response = ana_client.get(path)
        assert response.status_code == 200, (path, response.content[:300])
    kpis = ana_client.get(f"/api/analytics/backtests/{run.pk}/").json()["kpis"]
    assert kpis == {"fees_paid": 1e20, "net_profit": -1e25, "trades": 3}

    migration = importlib.import_module("apps.analytics.migrations.0003_kpis_in_json_range")
    migration.kpis_repair(django_apps, None)
    run.refresh_from_db()
    assert run.kpis == {"fees_paid": None, "net_profit": None, "trades": 3}


def test_the_largest_id_is_the_databases():
    assert ID_MAX == 2**63 - 1
