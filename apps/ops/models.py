"""Leases on work a worker has claimed (backtest runs today, bot steps later)."""

from django.db import models


class WorkLease(models.Model):
    """A claim on a piece of work that its worker renews while the work runs.

    The row names the Celery task and arguments that (re)do the work, so the sweeper can
    re-enqueue it when the lease expires (its worker died, or the database went away and the
    task gave up). Only idempotent tasks take leases: a second execution must be harmless.
    """

    key = models.CharField(max_length=255, unique=True, help_text="task name + arguments")
    task = models.CharField(max_length=200, help_text="Celery task name")
    args = models.JSONField(default=list, help_text="positional arguments of the task")
    holder = models.CharField(max_length=255, blank=True, default="", help_text="worker")
    token = models.UUIDField(help_text="changes with every acquisition")
    expires_at = models.DateTimeField(db_index=True)
    requeues = models.PositiveIntegerField(default=0, help_text="times the sweeper re-enqueued")
    acquired_at = models.DateTimeField()
    renewed_at = models.DateTimeField()

    class Meta:
        db_table = "ops_work_leases"
        ordering = ["expires_at"]

    def __str__(self) -> str:
        return f"lease {self.key} held by {self.holder or '-'}"


class OutboxTask(models.Model):
    """A task to send, written in the same transaction as the rows it is about (enqueue.py).

    Sent as soon as that transaction commits, and the row deleted; when the broker cannot take
    it (Redis away), the row stays and the work sweep sends it once the broker is back, so a
    commit never loses its task. Such tasks are idempotent: a send may happen twice.
    """

    task = models.CharField(max_length=200, help_text="Celery task name")
    args = models.JSONField(default=list, help_text="positional arguments of the task")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "ops_outbox_tasks"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"outbox {self.task}{self.args}"
