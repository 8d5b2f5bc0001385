"""The Celery application: `celery -A config worker -l info` and `celery -A config beat -l info`."""

import os

from celery import Celery
from celery.signals import worker_process_init

# A server process defaults to production settings, which refuse to start half-configured;
# development sets DJANGO_SETTINGS_MODULE=config.settings.local (make run and the Procfile do).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def _configure_filesystem_broker(sender: Celery, **_: object) -> None:
    """The embedded filesystem broker needs its folders; they live under CELERY_QUEUE_DIR."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return
    queue_dir = settings.CELERY_QUEUE_DIR
    for sub in ("queue", "processed", "results", "control"):
        (queue_dir / sub).mkdir(parents=True, exist_ok=True)
    sender.conf.broker_transport_options = {
        "data_folder_in": str(queue_dir / "queue"),
        "data_folder_out": str(queue_dir / "queue"),
        "processed_folder": str(queue_dir / "processed"),
        "store_processed": False,
        # Exchange tables; kombu's default is ./control in the working directory.
        "control_folder": str(queue_dir / "control"),
    }


@worker_process_init.connect
def _pool_process_leads_its_own_group(**_: object) -> None:
    """A pool process leaves its worker's process group. Supervisors stop a worker by signalling
    that group (honcho; `kill -TERM -<pgid>`): only the main process gets the SIGTERM then, and
    shuts down warm, letting the pool finish the tasks it runs instead of their being killed
    mid-way. The main process still ends its pool itself (a cold shutdown signals each pool
    process; a hard time limit, billiard, signals the group a pool process leads). Under systemd,
    `KillMode=mixed` does the same (docs/operations.md)."""
    os.setpgrp()
