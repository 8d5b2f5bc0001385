"""Backtest progress pushed to the browser: the run, as the API shows it, once the transaction
that changed it commits, to its owner's group (the one publisher, apps/realtime/publish.py);
/ws/backtests/ forwards it (event_consumers.py). A lost event only delays the page, which
re-reads the run when the socket reconnects."""

from __future__ import annotations

from django.db import transaction

from apps.realtime.publish import publish

from .models import BacktestRun
from .serializers import BacktestRunSerializer

RUN_CHANGED = "backtest.run"  # the consumer's handler: backtest_run()


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
    publish(user_group(run.owner_id), RUN_CHANGED, [dict(BacktestRunSerializer(run).data)])
