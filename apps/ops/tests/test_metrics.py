"""/metrics: who may read it, and what it says (multiprocess samples of every process plus the
gauges computed at scrape time). The Grafana dashboard only queries names seen here."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import pytest
from celery import shared_task
from django.conf import settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from apps.datafeeds.models import CandleSeries, Symbol
from apps.ops.asgi import WebSocketMetricsMiddleware, websocket_route
from apps.ops.leases import work_sweep
from apps.ops.metrics import bot_step_lag_observe, metrics_render, order_latency_observe
from apps.ops.models import WorkLease
from apps.ops.redis_state import broker_redis
from config.celery import app

DASHBOARD = Path(settings.BASE_DIR) / "docs" / "ops" / "grafana-dashboard.json"
TOKEN = "metrics-test-token"


@shared_task(name="ops.tests.fails")
def failing_task() -> None:
    raise ValueError("expected")


def samples() -> dict[tuple[str, frozenset], float]:
    text = metrics_render().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(name: str, **labels) -> float | None:
    return samples().get((name, frozenset(labels.items())))


@pytest.fixture
def token(settings):
    settings.OPS_METRICS_TOKEN = TOKEN
    settings.OPS_METRICS_ALLOWED_NETWORKS = []
    return TOKEN


def test_metrics_need_the_token_or_an_allowed_network(client, token, settings, db):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/plain")
    settings.OPS_METRICS_TOKEN = ""
    settings.OPS_METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # the test client is 127.0.0.1
    assert client.get("/metrics").status_code == 200
    settings.OPS_METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 403


def test_http_requests_are_counted_by_url_pattern_not_path(client, db):
    before = value(
        "http_requests_total", method="GET", route="api/datafeeds/symbols/", status="200"
    )
    client.get("/api/datafeeds/symbols/")
    client.get("/api/datafeeds/symbols/?x=1")
    client.get("/api/no/such/page/12345")  # under /api/: not the browser app's catch-all
    after = value("http_requests_total", method="GET", route="api/datafeeds/symbols/", status="200")
    assert after == (before or 0) + 2
    assert value("http_requests_total", method="GET", route="<unmatched>", status="404") >= 1
    assert not [key for key in samples() if "12345" in str(key)]  # raw paths never a label
    count = "http_request_duration_seconds_count"
    assert value(count, method="GET", route="api/datafeeds/symbols/") >= 2


def test_celery_tasks_are_counted_by_outcome_with_durations():
    failing_task.apply()
    assert value("celery_tasks_total", task="ops.tests.fails", outcome="failure") >= 1
    assert value("celery_task_duration_seconds_count", task="ops.tests.fails") >= 1


def test_tasks_are_routed_to_their_queue_by_name():
    def queue(task: str) -> str:
        return app.amqp.router.route({}, task)["queue"].name

    assert queue("analytics.backtest_run_task") == "backtests"
    assert queue("datafeeds.fetch_ohlcv_task") == "ingest"
    assert queue("ops.work_sweep") == queue("execution.bot_step") == "bots"
    assert queue("exchanges.account_check") == "ingest"  # no route: the default queue


def test_queue_depth_is_read_from_the_broker(settings):
    # A queue no worker consumes (a worker left running by another test would empty the real
    # ones), read the way the real ones are.
    settings.CELERY_QUEUE_NAMES = [*settings.CELERY_QUEUE_NAMES, "ops-test-idle"]
    app.control.purge()
    with app.connection_for_write() as conn:
        for _ in range(2):
            app.send_task("ops.tests.fails", queue="ops-test-idle", connection=conn)
    try:
        assert value("celery_queue_depth", queue="ops-test-idle") == 2
        assert value("celery_queue_depth", queue="bots") is not None
    finally:
        app.control.purge()
        broker_redis().delete("ops-test-idle")


def test_ingestion_lag_per_tracked_series(db):
    btc = Symbol.objects.create(
        name="BTCUSDT",
        base="BTC",
        quote="USDT",
        market_symbol="BTC/USDT",
        tracked_timeframes=["1h"],
    )
    Symbol.objects.create(name="ETHUSDT", base="ETH", quote="USDT", market_symbol="ETH/USDT")
    hour_ms = 3_600_000
    last_open = (int(time.time() * 1000) // hour_ms - 3) * hour_ms  # closed 2 hours ago
    for timeframe in ("1h", "4h"):  # 4h is stored but not tracked
        CandleSeries.objects.create(
            symbol=btc, timeframe=timeframe, count=1, first_open_time=0, last_open_time=last_open
        )
    lag = value("ingestion_lag_seconds", exchange="binance", symbol="BTCUSDT", timeframe="1h")
    expected = time.time() - (last_open + hour_ms) / 1000  # now minus the last close
    assert expected - 5 < lag <= expected
    assert (
        value("ingestion_lag_seconds", exchange="binance", symbol="BTCUSDT", timeframe="4h") is None
    )


def test_open_websockets_are_counted_until_they_close():
    from asgiref.sync import async_to_sync, sync_to_async
    from channels.testing import WebsocketCommunicator

    async def accepting(scope, receive, send):
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while (await receive())["type"] != "websocket.disconnect":
            pass

    route = websocket_route("/ws/tests/31/replay/")
    assert route == "/ws/tests/<id>/replay/"
    before = value("websocket_connections", route=route) or 0

    async def scenario() -> tuple[float, float]:
        app = WebSocketMetricsMiddleware(accepting)
        communicator = WebsocketCommunicator(app, "/ws/tests/31/replay/")
        connected, _ = await communicator.connect()
        assert connected
        while_open = await sync_to_async(value)("websocket_connections", route=route)
        await communicator.disconnect()
        return while_open, await sync_to_async(value)("websocket_connections", route=route)

    while_open, after = async_to_sync(scenario)()
    assert (while_open, after) == (before + 1, before)


def test_bot_metrics_exist_only_once_used():
    names = {name for name, _ in samples()}
    if "bot_step_lag_seconds_count" not in names:  # nothing in this session has used them yet
        assert "order_latency_seconds_count" not in names
    bot_step_lag_observe(seconds=1.5, timeframe="5m", mode="paper")
    order_latency_observe(seconds=0.2, exchange="binance", mode="live", outcome="accepted")
    assert value("bot_step_lag_seconds_count", timeframe="5m", mode="paper") >= 1
    labels = {"exchange": "binance", "mode": "live", "outcome": "accepted"}
    assert value("order_latency_seconds_count", **labels) >= 1


_PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and",
                 "or", "unless", "offset"}  # fmt: skip


def dashboard_metric_names() -> set[str]:
    names = set()
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel["targets"]:
            expr = re.sub(r'"[^"]*"', "", target["expr"])
            expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\b(by|without)\s*\([^)]*\)", " ", expr)
            for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
                word = match.group()
                tail = expr[match.end() :].lstrip()
                if word not in _PROMQL_WORDS and not tail.startswith("("):
                    names.add(word)
    return names


def test_the_dashboard_queries_only_metrics_the_platform_emits(client, token, db):
    """Every source once (a request, a task, a sweep, a socket, a tracked series, the bot
    helpers), then every metric name of docs/ops/grafana-dashboard.json must be in a scrape."""
    client.get("/api/datafeeds/symbols/")
    failing_task.apply()
    symbol = Symbol.objects.create(
        name="SOLUSDT",
        base="SOL",
        quote="USDT",
        market_symbol="SOL/USDT",
        tracked_timeframes=["5m"],
    )
    CandleSeries.objects.create(
        symbol=symbol, timeframe="5m", count=1, first_open_time=0, last_open_time=0
    )
    now = timezone.now()
    WorkLease.objects.create(
        key="ops.tests.fails:[]",
        task="ops.tests.fails",
        token=uuid.uuid4(),
        expires_at=now - timezone.timedelta(seconds=1),
        acquired_at=now,
        renewed_at=now,
    )
    app.control.purge()
    assert work_sweep().expired_leases == ["ops.tests.fails:[]"]
    app.control.purge()
    from prometheus_client import values  # noqa: F401  (multiprocess storage is in use)

    from apps.ops.metrics import WEBSOCKET_CONNECTIONS

    WEBSOCKET_CONNECTIONS.labels(route="/ws/tests/").inc(0)
    bot_step_lag_observe(seconds=1.0, timeframe="5m", mode="paper")
    order_latency_observe(seconds=0.1, exchange="binance", mode="paper", outcome="accepted")

    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    scraped = {
        sample.name
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }
    wanted = dashboard_metric_names()
    assert len(wanted) >= 10
    assert wanted <= scraped, f"dashboard names never emitted: {sorted(wanted - scraped)}"


def test_a_dependency_that_is_away_is_counted(private_redis):
    from config.cache import FailSafeRedisCache

    private_redis.stop()
    cache = FailSafeRedisCache(private_redis.url, {"OPTIONS": {"socket_connect_timeout": 1}})
    before = value("dependency_failures_total", dependency="cache", operation="get") or 0
    assert cache.get("anything") is None  # answered degraded
    assert value("dependency_failures_total", dependency="cache", operation="get") == before + 1
