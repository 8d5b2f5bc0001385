"""Celery signal handlers: task id (and the caller's request id) in every log line, task
metrics, worker heartbeats, and the reservations of idempotent messages (see leases.py)."""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

import structlog
from celery import signals

from .context import REQUEST_ID, TASK_ID, log_context_get
from .metrics import CELERY_TASK_DURATION, CELERY_TASKS, WORK_REQUEUED

logger = logging.getLogger(__name__)
# task id -> (monotonic start, context tokens), in the process that executes the task
_started: dict[str, tuple[float, dict]] = {}
_heartbeat: dict[str, Any] = {}


@signals.before_task_publish.connect
def _propagate_request_id(headers: dict | None = None, **_: Any) -> None:
    request_id = log_context_get(REQUEST_ID)
    if headers is not None and request_id:
        headers.setdefault(REQUEST_ID, request_id)


@signals.task_prerun.connect
def _task_started(task_id: str, task: Any, **_: Any) -> None:
    context = {TASK_ID: task_id, "task": task.name}
    request_id = getattr(task.request, REQUEST_ID, None) or (task.request.headers or {}).get(
        REQUEST_ID
    )
    if request_id:
        context[REQUEST_ID] = request_id
    _started[task_id] = (time.monotonic(), structlog.contextvars.bind_contextvars(**context))


@signals.task_postrun.connect
def _task_finished(task_id: str, task: Any, state: str | None = None, **_: Any) -> None:
    started, tokens = _started.pop(task_id, (None, {}))
    if started is not None:
        CELERY_TASK_DURATION.labels(task=task.name).observe(time.monotonic() - started)
    CELERY_TASKS.labels(task=task.name, outcome=(state or "unknown").lower()).inc()
    structlog.contextvars.reset_contextvars(**tokens)
    _reservation_done(task.request.hostname, task_id)


@signals.task_received.connect
def _task_reserved(request: Any, **_: Any) -> None:
    """The worker holds this message now (prefetched or about to run): remember it, so that if
    the worker dies the sweeper can send it again without waiting for the visibility timeout.
    Only for late-acknowledged tasks, which promise to be idempotent."""
    from .redis_state import ops_redis, reservation_add

    client = ops_redis()
    if client is None or not getattr(request.task, "acks_late", False):
        return
    message = {"task": request.name, "args": list(request.args), "kwargs": dict(request.kwargs)}
    try:
        reservation_add(client, hostname=request.hostname, task_id=request.id, message=message)
    except Exception as error:
        logger.warning("reservation not recorded: %s", type(error).__name__)


def _reservation_done(hostname: str | None, task_id: str) -> None:
    from .redis_state import ops_redis, reservation_remove

    client = ops_redis()
    if client is None or not hostname:
        return
    try:
        reservation_remove(client, hostname=hostname, task_id=task_id)
    except Exception as error:
        logger.warning("reservation not removed: %s", type(error).__name__)


@signals.celeryd_after_setup.connect
def _heartbeat_start(sender: str, instance: Any, **_: Any) -> None:
    """Every OPS_HEARTBEAT_SECONDS the worker says it is alive and which queues it serves:
    /readyz and the sweeper read it (redis_state.live_workers)."""
    from django.conf import settings

    from .redis_state import heartbeat_write, ops_redis, reservations_take

    client = ops_redis()
    if client is None:
        return
    # A worker restarted under the same name (a process manager restarting a crashed worker)
    # would look alive to the sweeper: what its previous process had reserved is sent again now.
    for message in reservations_take(client, hostname=sender):
        instance.app.send_task(
            message["task"], args=message["args"], kwargs=message["kwargs"], ignore_result=True
        )
        WORK_REQUEUED.labels(task=message["task"], reason="worker_restarted").inc()
        logger.warning("re-sent %s %s left by this worker's previous process", message["task"],
                       message["args"])  # fmt: skip
    queues = sorted(instance.app.amqp.queues.consume_from or instance.app.amqp.queues)
    stop = threading.Event()

    def beat() -> None:
        while True:
            try:
                heartbeat_write(client, hostname=sender, queues=queues, pid=os.getpid())
            except Exception as error:
                logger.warning("heartbeat not written: %s", type(error).__name__)
            if stop.wait(settings.OPS_HEARTBEAT_SECONDS):
                return

    thread = threading.Thread(target=beat, name="ops-heartbeat", daemon=True)
    thread.start()
    _heartbeat.update(stop=stop, thread=thread, hostname=sender)


@signals.worker_shutdown.connect
def _heartbeat_stop(**_: Any) -> None:
    """A clean stop: Celery gives unstarted messages back to the broker, so the worker's
    reservations and heartbeat go too (the sweeper must not send them a second time)."""
    from .redis_state import RESERVED_PREFIX, heartbeat_delete, ops_redis

    if not _heartbeat:
        return
    _heartbeat["stop"].set()
    client = ops_redis()
    hostname = _heartbeat["hostname"]
    try:
        client.delete(RESERVED_PREFIX + hostname)
        heartbeat_delete(client, hostname=hostname)
    except Exception as error:
        logger.warning("heartbeat not removed: %s", type(error).__name__)
