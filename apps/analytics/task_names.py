"""The names of the backtests' Celery tasks: tasks.py registers them, services enqueue them by
name (apps/ops/enqueue.py) without importing the task module, which imports the services."""

BACKTEST_RUN = "analytics.backtest_run_task"
