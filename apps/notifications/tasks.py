"""Celery tasks of the alerts: they take ids and plain values, never a channel's URL."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .events import Alert
from .services import (
    AlertNotDelivered,
    alert_deliver,
    alert_summaries_send,
    alerts_record,
    alerts_requeue_stuck,
)
from .task_names import ALERTS_RECORD, ALERTS_SWEEP, SEND_ALERT

SEND_MAX_RETRIES = 5  # after the first attempt: 6 attempts in all
RETRY_MAX_SECONDS = 600.0


@shared_task(name=ALERTS_RECORD)
def alerts_record_task(user_id: int, alerts: list[dict]) -> list[int]:
    """Record one flush's alerts of a user (dedupe, rate limit) and queue their sends."""
    return alerts_record(user_id=user_id, alerts=[Alert(**alert) for alert in alerts])


@shared_task(name=SEND_ALERT, bind=True, max_retries=SEND_MAX_RETRIES)
def send_alert(self, alert_id: int) -> str | None:
    """Deliver one alert; a failed delivery is retried with backoff (ALERT_RETRY_SECONDS,
    doubling), and the last failure is recorded on the alert and its channel. Idempotent: an
    alert that is not queued any more is left alone."""
    retries = self.request.retries
    try:
        return alert_deliver(alert_id=alert_id, final_attempt=retries >= SEND_MAX_RETRIES)
    except AlertNotDelivered as error:
        countdown = min(settings.ALERT_RETRY_SECONDS * 2**retries, RETRY_MAX_SECONDS)
        raise self.retry(exc=error, countdown=countdown) from None


@shared_task(name=ALERTS_SWEEP)
def alerts_sweep() -> dict:
    """Beat: the summaries of the dedupe windows that ended, and sends a dead worker left."""
    return {"summaries": len(alert_summaries_send()), "requeued": alerts_requeue_stuck()}
