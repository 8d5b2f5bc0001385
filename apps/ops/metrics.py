"""Prometheus metrics of the platform (multiprocess mode: see metrics_dir.py).

Counters and histograms are written by the process where the event happens; gauges that read
shared state (queue depth, ingestion lag, worker heartbeats) are computed by the collectors
below when /metrics is scraped. Names are the contract of docs/ops/grafana-dashboard.json.
"""

from __future__ import annotations

import logging
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

# Seconds: from a fast cached answer (ms) to a slow backtest (minutes).
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_TASK_BUCKETS = (0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600)
_LAG_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered, by URL pattern", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, by URL pattern",
    ["method", "route"],
    buckets=_HTTP_BUCKETS,
)
CELERY_TASKS = Counter(
    "celery_tasks_total", "Celery task executions by outcome", ["task", "outcome"]
)
CELERY_TASK_DURATION = Histogram(
    "celery_task_duration_seconds", "Celery task run time", ["task"], buckets=_TASK_BUCKETS
)
WORK_REQUEUED = Counter(
    "ops_work_requeued_total",
    "Work re-enqueued, by reason (lease_expired, worker_dead, worker_restarted)",
    ["task", "reason"],
)
WEBSOCKET_CONNECTIONS = Gauge(
    "websocket_connections",
    "Open WebSocket connections, by URL path pattern",
    ["route"],
    multiprocess_mode="livesum",
)
# Bots (apps/execution) call the helpers below; until then these series do not exist.
BOT_STEP_LAG = Histogram(
    "bot_step_lag_seconds",
    "From the close of a bot's candle to its decision being committed",
    ["timeframe", "mode"],
    buckets=_LAG_BUCKETS,
)
ORDER_LATENCY = Histogram(
    "order_latency_seconds",
    "From sending an order to the exchange's answer",
    ["exchange", "mode", "outcome"],
    buckets=_LAG_BUCKETS,
)


def bot_step_lag_observe(*, seconds: float, timeframe: str, mode: str) -> None:
    """A bot step's decision was committed `seconds` after its candle closed."""
    BOT_STEP_LAG.labels(timeframe=timeframe, mode=mode).observe(max(seconds, 0.0))


def order_latency_observe(*, seconds: float, exchange: str, mode: str, outcome: str) -> None:
    """An order's request took `seconds` until the exchange answered (outcome: accepted,
    rejected, unknown)."""
    ORDER_LATENCY.labels(exchange=exchange, mode=mode, outcome=outcome).observe(max(seconds, 0.0))


class QueueDepthCollector:
    """Messages waiting in each Celery queue of the Redis broker, and the unacknowledged ones."""

    def collect(self):
        from django.conf import settings

        from .redis_state import broker_redis, queue_depths

        waiting = GaugeMetricFamily(
            "celery_queue_depth", "Messages waiting in the queue", labels=["queue"]
        )
        unacked = GaugeMetricFamily(
            "celery_unacked_messages", "Messages delivered to workers and not yet acknowledged"
        )
        client = broker_redis()
        if client is None:
            return
        try:
            for queue, depth in queue_depths(client, settings.CELERY_QUEUE_NAMES).items():
                waiting.add_metric([queue], depth)
            unacked.add_metric([], client.hlen("unacked"))
        except Exception as error:  # a scrape must answer even with the broker away
            logger.warning("queue depth unavailable: %s", type(error).__name__)
            return
        yield waiting
        yield unacked


class WorkerCollector:
    """Live Celery workers (by heartbeat) per queue."""

    def collect(self):
        from .redis_state import live_workers, ops_redis

        client = ops_redis()
        if client is None:
            return
        family = GaugeMetricFamily(
            "celery_workers", "Celery workers with a live heartbeat, by queue", labels=["queue"]
        )
        try:
            counts: dict[str, int] = {}
            for info in live_workers(client).values():
                for queue in info.get("queues", []):
                    counts[queue] = counts.get(queue, 0) + 1
        except Exception as error:
            logger.warning("worker heartbeats unavailable: %s", type(error).__name__)
            return
        from django.conf import settings

        for queue in settings.CELERY_QUEUE_NAMES:
            family.add_metric([queue], counts.get(queue, 0))
        yield family


class IngestionLagCollector:
    """Now minus the close of the last stored candle, per tracked symbol and timeframe."""

    def collect(self):
        from .selectors import ingestion_lags

        family = GaugeMetricFamily(
            "ingestion_lag_seconds",
            "Now minus the close time of the last stored candle of a tracked series",
            labels=["exchange", "symbol", "timeframe"],
        )
        try:
            lags = ingestion_lags(now_ms=int(time.time() * 1000))
        except Exception as error:
            logger.warning("ingestion lag unavailable: %s", type(error).__name__)
            return
        for lag in lags:
            family.add_metric([lag.exchange, lag.symbol, lag.timeframe], lag.seconds)
        yield family


def metrics_render() -> bytes:
    """The text exposition of every process's samples plus the scrape-time gauges."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    registry.register(QueueDepthCollector())
    registry.register(WorkerCollector())
    registry.register(IngestionLagCollector())
    return generate_latest(registry)
