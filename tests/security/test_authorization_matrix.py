"""Authorisation matrix generated from the URL configuration.

Every route under /api/ and every WebSocket route must be classified below; a new one that is
not fails `test_every_route_is_in_the_matrix`. For each owner-only route, every verb is tried as
another user and as anonymous: another user gets exactly what a missing object gets (404, or 405
for a verb the route does not have: no existence oracle), anonymous gets 401/403, and no row of
the owner changes. Every owner-only socket closes 4404 for both ("not yours" looks like "missing").
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, UserSession
from apps.analytics.models import BacktestRun, BacktestSweep
from apps.analytics.services import backtest_run_create, backtest_sweep_create
from apps.datafeeds.models import Symbol
from apps.datafeeds.times import parse_time_ms
from apps.exchanges.models import ExchangeAccount
from apps.exchanges.services import exchange_account_create
from apps.execution.models import Bot, BotEvent
from apps.notifications.models import NotificationAlert, NotificationChannel
from apps.notifications.services import channel_create, channel_test
from apps.optimisation.models import Study, WalkForward
from apps.risk.models import RiskProfile
from apps.risk.services import risk_profile_create
from apps.strategies.models import Strategy, StrategyDefinition, StrategyVersion
from apps.strategies.services import strategy_create, strategy_definition_create
from config.routing import websocket_urlpatterns

PUBLIC = "public"  # anyone, nothing owned
SELF = "self"  # the signed-in user's own account (me, logout, ...): anonymous is refused
COLLECTION = "collection"  # the signed-in user's own list: another user's objects never appear
# Routes to one owned object: the kind of object the <pk> names.
OWNED_STRATEGY, OWNED_RUN, OWNED_SWEEP, OWNED_TOKEN = "strategy", "run", "sweep", "token"
OWNED_PROFILE, OWNED_ACCOUNT, OWNED_BOT = "risk profile", "exchange account", "bot"
OWNED_DEFINITION = "strategy definition"
OWNED_CHANNEL, OWNED_ALERT = "alert channel", "alert"
OWNED_STUDY, OWNED_WALK_FORWARD = "study", "walk-forward"
DASHBOARD = "dashboard"  # figures over the signed-in user's own bots: read only

MATRIX: dict[str, str] = {
    "api/auth/csrf/": PUBLIC,
    "api/auth/signup/": PUBLIC,
    "api/auth/login/": PUBLIC,
    "api/auth/logout/": SELF,
    "api/auth/logout-all/": SELF,
    "api/auth/me/": SELF,
    "api/auth/tokens/": COLLECTION,
    "api/auth/tokens/<int:pk>/": OWNED_TOKEN,
    "api/datafeeds/candles/": PUBLIC,
    "api/datafeeds/symbols/": PUBLIC,
    "api/strategies/catalog/": PUBLIC,
    "api/strategies/saved/": COLLECTION,
    "api/strategies/saved/<int:pk>/": OWNED_STRATEGY,
    "api/strategies/<slug:key>/run/": PUBLIC,  # a user's strategy key: see the test below
    "api/strategies/catalog/<slug:key>/source/": PUBLIC,
    "api/strategies/language/": PUBLIC,
    "api/strategies/definitions/": COLLECTION,
    "api/strategies/definitions/validate/": SELF,
    "api/strategies/definitions/<int:pk>/": OWNED_DEFINITION,
    "api/strategies/definitions/<int:pk>/versions/": OWNED_DEFINITION,
    "api/analytics/backtests/": COLLECTION,
    "api/analytics/backtests/<int:pk>/": OWNED_RUN,
    "api/analytics/backtests/<int:pk>/trades/": OWNED_RUN,
    "api/analytics/backtests/<int:pk>/equity/": OWNED_RUN,
    "api/analytics/backtests/<int:pk>/chart/": OWNED_RUN,
    "api/analytics/backtests/<int:pk>/monthly-returns/": OWNED_RUN,
    "api/analytics/backtests/sweeps/": COLLECTION,
    "api/analytics/backtests/sweeps/<int:pk>/": OWNED_SWEEP,
    "api/optimisation/studies/": COLLECTION,
    "api/optimisation/studies/<int:pk>/": OWNED_STUDY,
    "api/optimisation/studies/<int:pk>/trials/": OWNED_STUDY,
    "api/optimisation/studies/<int:pk>/importance/": OWNED_STUDY,
    "api/optimisation/studies/<int:pk>/pause/": OWNED_STUDY,
    "api/optimisation/studies/<int:pk>/resume/": OWNED_STUDY,
    "api/optimisation/studies/<int:pk>/cancel/": OWNED_STUDY,
    "api/optimisation/walk-forwards/": COLLECTION,
    "api/optimisation/walk-forwards/<int:pk>/": OWNED_WALK_FORWARD,
    "api/optimisation/walk-forwards/<int:pk>/cancel/": OWNED_WALK_FORWARD,
    "api/risk/profiles/": COLLECTION,
    "api/risk/profiles/<int:pk>/": OWNED_PROFILE,
    "api/risk/profile-fields/": SELF,
    "api/exchanges/accounts/": COLLECTION,
    "api/exchanges/accounts/<int:pk>/": OWNED_ACCOUNT,
    "api/exchanges/accounts/<int:pk>/check/": OWNED_ACCOUNT,
    "api/execution/bots/": COLLECTION,
    "api/execution/bots/stop-all/": SELF,  # stops only the signed-in user's bots (tested)
    "api/execution/dashboard/summary/": DASHBOARD,
    "api/execution/dashboard/equity/": DASHBOARD,
    "api/execution/dashboard/drawdown/": DASHBOARD,
    "api/execution/dashboard/pnl-by-day/": DASHBOARD,
    "api/execution/dashboard/positions/": DASHBOARD,
    "api/execution/dashboard/events/": DASHBOARD,
    "api/execution/dashboard/leaders/": DASHBOARD,
    "api/execution/bots/<int:pk>/": OWNED_BOT,
    "api/execution/bots/<int:pk>/start/": OWNED_BOT,
    "api/execution/bots/<int:pk>/stop/": OWNED_BOT,
    "api/execution/bots/<int:pk>/orders/": OWNED_BOT,
    "api/execution/bots/<int:pk>/trades/": OWNED_BOT,
    "api/execution/bots/<int:pk>/equity/": OWNED_BOT,
    "api/execution/bots/<int:pk>/events/": OWNED_BOT,
    "api/execution/bots/<int:pk>/reconciliation/": OWNED_BOT,
    "api/execution/bots/<int:pk>/reconciliation/backtest/": OWNED_BOT,
    "api/notifications/channels/": COLLECTION,
    "api/notifications/channels/<int:pk>/": OWNED_CHANNEL,
    "api/notifications/channels/<int:pk>/test/": OWNED_CHANNEL,
    "api/notifications/alerts/": COLLECTION,
    "api/notifications/alerts/<int:pk>/": OWNED_ALERT,
    "api/schema/": PUBLIC,
    "api/docs/": PUBLIC,
    "api/redoc/": PUBLIC,
}
WEBSOCKET_MATRIX: dict[str, str] = {
    "ws/backtests/<int:run_id>/replay/": OWNED_RUN,
    "ws/backtests/<int:run_id>/": OWNED_RUN,
    "ws/backtests/": COLLECTION,
    "ws/bots/<int:bot_id>/": OWNED_BOT,
    "ws/bots/": COLLECTION,
}
REFUSED_NOT_YOURS = 4404  # one close code for "not yours" and "missing"
REFUSED_ANONYMOUS = 4401  # decided before any lookup: says nothing of the id

VERBS = ("get", "post", "put", "patch", "delete")
MISSING_PK = 10**9
# A body that would change an owned object if a check were missing.
TAKEOVER = {
    "name": "taken over",
    "key": "ema-cross",
    "params": {},
    "is_active": False,
    "strategy": "hma-sma",
    "symbol": "BTCUSDT",
    "start": "2024-01-01",
    "end": "2024-02-01",
    "grid": {"sma_period": [50]},
    "source": "long_entry = close > 1",
    "url": "json://127.0.0.1:9/taken-over",
    "events": ["fill"],
    "enabled": False,
}
OWNED_MODELS = (
    Strategy,
    StrategyDefinition,
    StrategyVersion,
    BacktestRun,
    BacktestSweep,
    ApiToken,
    UserSession,
    RiskProfile,
    ExchangeAccount,
    Bot,
    NotificationChannel,
    NotificationAlert,
    Study,
    WalkForward,
)


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        else:
            yield route


def api_routes() -> set[str]:
    return {route for route in _walk(get_resolver().url_patterns) if route.startswith("api/")}


def websocket_routes() -> set[str]:
    return set(_walk(websocket_urlpatterns))


def test_every_route_is_in_the_matrix():
    assert api_routes() == set(MATRIX), "classify every new /api/ route in MATRIX"
    assert websocket_routes() == set(WEBSOCKET_MATRIX), "classify every socket route"


@pytest.fixture
def world(db) -> dict[str, Any]:
    """ana owns one of everything; bob is the other user."""
    User = get_user_model()
    ana = User.objects.create_user("ana", password="pw-ana-123-long")
    bob = User.objects.create_user("bob", password="pw-bob-123-long")
    symbol = Symbol.objects.create(
        exchange="binance", name="BTCUSDT", base="BTC", quote="USDT", market_symbol="BTC/USDT"
    )
    span = {"start_ms": parse_time_ms("2024-01-01"), "end_ms": parse_time_ms("2024-02-01")}
    sweep = backtest_sweep_create(
        owner=ana, strategy="hma-sma", symbol=symbol, grid={"sma_period": [50, 100]}, **span
    )
    objects = {
        OWNED_STRATEGY: strategy_create(owner=ana, key="hma-sma", name="mine", params={}),
        OWNED_DEFINITION: strategy_definition_create(
            owner=ana, name="ana's own", source="long_entry = crosses_above(close, sma(close, 9))"
        ),
        OWNED_RUN: backtest_run_create(owner=ana, strategy="hma-sma", symbol=symbol, **span),
        OWNED_SWEEP: sweep,
        OWNED_TOKEN: ApiToken.objects.create(user=ana, name="ana's bot")[0],
        OWNED_PROFILE: risk_profile_create(owner=ana, name="careful"),
        OWNED_ACCOUNT: exchange_account_create(
            owner=ana, label="main", exchange="binance", api_key="k" * 64, secret="s" * 64
        ),
        # Straight into the table: creating through bot_create needs stored candles.
        OWNED_BOT: Bot.objects.create(
            owner=ana,
            name="ana's bot",
            strategy="hma-sma",
            params={},
            symbol=symbol,
            timeframe="5m",
        ),
    }
    channel = channel_create(
        owner=ana, name="ana's channel", url="json://127.0.0.1:9/ana-token", events=["fill"]
    )
    objects[OWNED_CHANNEL] = channel
    # Straight into the tables: creating through the services needs stored candles.
    search = {
        "owner": ana,
        "strategy": "hma-sma",
        "space": {"sma_period": {"low": 50, "high": 100, "step": 50}},
        "symbol": symbol,
        "timeframe": "5m",
        "config": {},
        "objective": "sharpe",
        "n_trials": 10,
        **span,
    }
    objects[OWNED_STUDY] = Study.objects.create(optuna_name="study-ana", **search)
    objects[OWNED_WALK_FORWARD] = WalkForward.objects.create(
        mode="rolling", in_sample_ms=1, out_of_sample_ms=1, step_ms=1, windows=[], **search
    )
    objects[OWNED_ALERT] = channel_test(channel=channel)
    return {"ana": ana, "bob": bob, "objects": objects}


def snapshot() -> dict[str, list[dict]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in OWNED_MODELS}


def call(client: APIClient, verb: str, url: str):
    if verb in ("get", "delete"):
        return getattr(client, verb)(url)
    return getattr(client, verb)(url, TAKEOVER, format="json")


def url_of(route: str, pk: int) -> str:
    return "/" + route.replace("<int:pk>", str(pk))


def owned_routes() -> list[tuple[str, str]]:
    return [
        (r, kind) for r, kind in MATRIX.items() if kind not in (PUBLIC, SELF, COLLECTION, DASHBOARD)
    ]


@pytest.mark.parametrize(("route", "kind"), owned_routes())
def test_owner_only_objects_look_missing_to_everyone_else(world, route, kind):
    target = world["objects"][kind]
    bob = APIClient()
    bob.force_authenticate(world["bob"])
    before = snapshot()
    for verb in VERBS:
        theirs = call(bob, verb, url_of(route, target.pk))
        missing = call(bob, verb, url_of(route, MISSING_PK))
        assert theirs.status_code == missing.status_code, (verb, route)
        assert theirs.status_code in (404, 405), (verb, route, theirs.status_code)
        # the same words too, once the id asked for is taken out
        as_theirs = theirs.content.decode().replace(str(target.pk), "<id>")
        assert as_theirs == missing.content.decode().replace(str(MISSING_PK), "<id>"), verb
        anonymous = call(APIClient(), verb, url_of(route, target.pk))
        assert anonymous.status_code in (401, 403), (verb, route, anonymous.status_code)
    assert snapshot() == before


def test_a_users_strategy_key_looks_missing_to_everyone_else(world):
    """The run endpoint is public for the built-ins; a user's strategy key answers another user
    and anonymous exactly as a key that does not exist."""
    definition = world["objects"][OWNED_DEFINITION]
    key, missing = f"user-{definition.pk}-v1", f"user-{MISSING_PK}-v1"
    bob = APIClient()
    bob.force_authenticate(world["bob"])
    for client in (bob, APIClient()):
        theirs = client.get(f"/api/strategies/{key}/run/", {"symbol": "BTCUSDT"})
        absent = client.get(f"/api/strategies/{missing}/run/", {"symbol": "BTCUSDT"})
        assert theirs.status_code == absent.status_code == 404
        assert theirs.content.decode().replace(key, "<key>") == absent.content.decode().replace(
            missing, "<key>"
        )
        catalog = client.get("/api/strategies/catalog/").json()
        assert key not in {entry["key"] for entry in catalog}


@pytest.mark.parametrize("route", [r for r, kind in MATRIX.items() if kind == COLLECTION])
def test_owner_only_lists_show_nothing_of_others_and_refuse_anonymous(world, route):
    bob = APIClient()
    bob.force_authenticate(world["bob"])
    before = snapshot()
    listing = bob.get("/" + route)
    if listing.status_code == 200:
        body = listing.json()
        items = body["results"] if isinstance(body, dict) else body
        assert items == [], route  # bob owns nothing: nothing of ana's shows
    else:
        assert listing.status_code == 405, route
    for verb in ("put", "patch", "delete"):
        assert call(bob, verb, "/" + route).status_code == 405, (verb, route)
    for verb in VERBS:
        status = call(APIClient(), verb, "/" + route).status_code
        assert status in (401, 403), (verb, route, status)
    assert snapshot() == before


@pytest.mark.parametrize("route", [r for r, kind in MATRIX.items() if kind == DASHBOARD])
def test_dashboard_panels_show_only_your_bots_and_refuse_anonymous(world, route):
    bot = world["objects"][OWNED_BOT]
    BotEvent.objects.create(bot=bot, kind="status", message="ana's secret event")
    clients = {}
    for name in ("ana", "bob"):
        clients[name] = APIClient()
        clients[name].force_authenticate(world[name])
    before = snapshot()
    mine, theirs = clients["ana"].get("/" + route), clients["bob"].get("/" + route)
    assert mine.status_code == theirs.status_code == 200, route
    for secret in ("ana's bot", "ana's secret event", f'"bot": {bot.pk}'):
        assert secret not in json.dumps(theirs.json()), (route, secret)
    if route.endswith(("summary/", "events/", "leaders/", "equity/")):
        assert mine.json() != theirs.json(), route  # ana's own bot does show to her
    for verb in ("post", "put", "patch", "delete"):
        assert call(clients["bob"], verb, "/" + route).status_code == 405, (verb, route)
    for verb in VERBS:
        status = call(APIClient(), verb, "/" + route).status_code
        assert status in (401, 403), (verb, route, status)
    assert snapshot() == before


@pytest.mark.parametrize("route", [r for r, kind in MATRIX.items() if kind == SELF])
def test_account_routes_refuse_anonymous(world, route):
    before = snapshot()
    for verb in VERBS:
        status = call(APIClient(), verb, "/" + route).status_code
        assert status in (401, 403), (verb, route, status)
    assert snapshot() == before


# --- WebSocket routes ---------------------------------------------------------------------


def _session_cookie(username: str, password: str) -> bytes:
    client = Client()
    assert client.login(username=username, password=password)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _close_code(path: str, cookie: bytes | None) -> int | None:
    from config.asgi import application

    headers = [(b"origin", b"http://localhost")]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    comm = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await comm.connect()
    if connected:
        message = await comm.receive_output(timeout=5)
        code = message.get("code") if message["type"] == "websocket.close" else None
    await comm.disconnect()
    return code


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("route", "kind"), list(WEBSOCKET_MATRIX.items()))
def test_owner_only_sockets_refuse_another_user_and_anonymous(world, route, kind):
    """4404 for another user's object and for a missing one alike; 4401 for anonymous whatever
    the id. A collection socket (the user's own events) only refuses anonymous: another user's
    events never reach it (apps/analytics/tests/test_run_events.py)."""
    if kind == COLLECTION:
        assert async_to_sync(_close_code)("/" + route, None) == REFUSED_ANONYMOUS
        return
    target = world["objects"][kind]
    bob_cookie = _session_cookie("bob", "pw-bob-123-long")

    def at(pk: int) -> str:
        return "/" + route.replace("<int:run_id>", str(pk)).replace("<int:bot_id>", str(pk))

    path, missing = at(target.pk), at(MISSING_PK)
    assert async_to_sync(_close_code)(missing, bob_cookie) == REFUSED_NOT_YOURS
    assert async_to_sync(_close_code)(path, bob_cookie) == REFUSED_NOT_YOURS
    assert async_to_sync(_close_code)(path, None) == REFUSED_ANONYMOUS
    assert async_to_sync(_close_code)(missing, None) == REFUSED_ANONYMOUS
