"""The names of the alerts' Celery tasks: tasks.py registers them, services enqueue them by name
(apps/ops/enqueue.py) without importing the task module, which imports the services. All run on
the notifications queue (CELERY_TASK_ROUTES)."""

ALERTS_RECORD = "notifications.alerts_record"
SEND_ALERT = "notifications.send_alert"
ALERTS_SWEEP = "notifications.alerts_sweep"
