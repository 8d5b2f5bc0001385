"""Backtest progress pushed to the browser (Zulip's pattern: change the database, then publish
one event after commit). Each user has one Channels group; /ws/backtests/ forwards it
(event_consumers.py). Publishing never fails the caller: a lost event only delays the page,
which re-reads the run when the socket reconnects."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from .models import BacktestRun
from .serializers import BacktestRunSerializer

logger = logging.getLogger(__name__)

EVENT_TYPE = "backtest.run"  # the consumer's handler: backtest_run()


def user_group(user_id: int) -> str:
    return f"backtests.user.{user_id}"


def backtest_run_changed(*, run_id: int) -> None:
    """Publish the run's state (as GET /api/analytics/backtests/<id>/ shows it) to its owner
    once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _publish(run_id))


def _publish(run_id: int) -> None:
    run = BacktestRun.objects.select_related("symbol").defer("equity", "equity_times")
    run = run.filter(pk=run_id).first()
    if run is None:  # deleted meanwhile
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            user_group(run.owner_id),
            {"type": EVENT_TYPE, "run": dict(BacktestRunSerializer(run).data)},
        )
    except Exception:  # the channel layer is down: the run itself is stored, keep going
        logger.warning("could not publish backtest %s", run_id, exc_info=True)
