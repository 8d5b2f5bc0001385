"""The names of the bots' Celery tasks: tasks.py registers them, services enqueue them by name
(apps/ops/enqueue.py) without importing the task module, which imports the services."""

START_BOT = "execution.start_bot"
STOP_BOT = "execution.stop_bot"
CANDLE_CLOSED = "execution.candle_closed"
BOTS_STEP = "execution.bots_step"
BOT_STEP = "execution.bot_step"
BOT_ORDERS_SYNC = "execution.bot_orders_sync"
RECONCILE_BOTS = "execution.reconcile_bots"
BOTS_WATCH = "execution.bots_watch"
