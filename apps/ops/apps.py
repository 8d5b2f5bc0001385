from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "apps.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Celery signal handlers (task ids in logs, task metrics, worker heartbeats, reservations).
        from . import celery_signals  # noqa: F401
