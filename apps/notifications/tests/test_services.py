"""Recording, dedupe, rate limit and delivery of alerts, in process, to local targets (a JSON
webhook receiver and an SMTP server): apprise really sends."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from apps.notifications.events import ERROR, FILL, KILL_SWITCH, Alert
from apps.notifications.models import AlertStatus, NotificationAlert, NotificationChannel
from apps.notifications.selectors import channels_wanting
from apps.notifications.services import (
    alert_deliver,
    alert_summaries_send,
    alerts_emit,
    alerts_record,
    channel_create,
    channel_delete,
    channel_update,
)
from apps.notifications.task_names import ALERTS_RECORD
from apps.notifications.tasks import alerts_record_task, send_alert
from apps.ops.models import OutboxTask
from apps.ops.tests.processes import free_port

pytestmark = pytest.mark.django_db


def _error(n: int = 0, key: str = "bot1:error") -> Alert:
    return Alert(event=ERROR, title="Bot 'b': error", body=f"boom {n}", dedupe_key=key)


def _fill(order: str) -> Alert:
    return Alert(event=FILL, title="Bot 'b': fill", body=f"buy ({order})", dedupe_key=order)


def test_an_alert_reaches_only_the_channels_that_want_its_event(ana, receiver) -> None:
    errors = channel_create(owner=ana, name="errors", url=receiver.url("e"), events=[ERROR])
    fills = channel_create(owner=ana, name="fills", url=receiver.url("f"), events=[FILL])
    channel_create(owner=ana, name="off", url=receiver.url("x"), events=[ERROR], enabled=False)
    queued = alerts_record(user_id=ana.pk, alerts=[_error(), _fill("c1"), _fill("c2")])
    by_channel = {
        name: sorted(
            NotificationAlert.objects.filter(channel__name=name).values_list("event", flat=True)
        )
        for name in ("errors", "fills", "off")
    }
    assert by_channel == {"errors": [ERROR], "fills": [FILL, FILL], "off": []}
    for alert_id in queued:
        assert alert_deliver(alert_id=alert_id) == AlertStatus.SENT
    paths = sorted(path for path, _ in receiver.requests)
    assert paths == ["/e", "/f", "/f"]
    assert {errors.pk, fills.pk} == set(
        NotificationChannel.objects.filter(last_sent_at__isnull=False).values_list("pk", flat=True)
    )


def test_a_flapping_bot_sends_one_alert_then_one_summary(ana, receiver, settings) -> None:
    channel_create(owner=ana, name="errors", url=receiver.url(), events=[ERROR])
    first = alerts_record(user_id=ana.pk, alerts=[_error(0)])
    for n in range(1, 8):
        assert alerts_record(user_id=ana.pk, alerts=[_error(n)]) == []
    lead = NotificationAlert.objects.get(pk=first[0])
    assert lead.repeats == 7 and NotificationAlert.objects.count() == 1
    assert alert_summaries_send() == []  # the window has not ended
    later = timezone.now() + timezone.timedelta(seconds=settings.ALERT_DEDUPE_SECONDS + 1)
    (summary_id,) = alert_summaries_send(now=later)
    assert alert_summaries_send(now=later) == []  # once per window
    summary = NotificationAlert.objects.get(pk=summary_id)
    assert summary.is_summary and summary.status == AlertStatus.QUEUED
    assert summary.body.endswith("…and 7 more alerts like this in the last 15 min.")
    assert alert_deliver(alert_id=summary_id) == AlertStatus.SENT
    body = json.loads(receiver.requests[-1][1])
    assert "7 more alerts like this" in body["message"]


def test_another_bots_errors_are_not_duplicates(ana, receiver) -> None:
    channel_create(owner=ana, name="errors", url=receiver.url(), events=[ERROR])
    queued = alerts_record(
        user_id=ana.pk, alerts=[_error(key="bot1:error"), _error(key="bot2:error")]
    )
    assert len(queued) == 2


def test_beyond_the_hourly_rate_alerts_are_recorded_as_suppressed(ana, receiver, settings) -> None:
    settings.ALERT_RATE_PER_HOUR = 3
    channel_create(owner=ana, name="fills", url=receiver.url(), events=[FILL])
    queued = alerts_record(user_id=ana.pk, alerts=[_fill(f"c{i}") for i in range(5)])
    assert len(queued) == 3
    suppressed = NotificationAlert.objects.filter(status=AlertStatus.SUPPRESSED)
    assert suppressed.count() == 2
    assert "ALERT_RATE_PER_HOUR=3" in suppressed.first().last_error


def test_an_email_channel_delivers_through_smtp(ana, mailbox) -> None:
    channel_create(owner=ana, name="mail", url=mailbox.url(), events=[KILL_SWITCH])
    alert = Alert(
        event=KILL_SWITCH, title="Bot 'b': kill switch", body="Killed: drawdown", dedupe_key="k"
    )
    (queued,) = alerts_record(user_id=ana.pk, alerts=[alert])
    assert alert_deliver(alert_id=queued) == AlertStatus.SENT
    (message,) = mailbox.messages
    assert b"Killed: drawdown" in message and b"kill switch" in message


def test_a_failing_target_is_retried_then_failed_with_the_words_redacted(ana, receiver) -> None:
    receiver.status = 500
    url = receiver.url()
    channel = channel_create(owner=ana, name="errors", url=url, events=[ERROR])
    (queued,) = alerts_record(user_id=ana.pk, alerts=[_error()])
    send_alert.apply(args=[queued])  # eager: each retry runs at once
    alert = NotificationAlert.objects.get(pk=queued)
    assert alert.status == AlertStatus.FAILED and alert.attempts == 6
    assert len(receiver.requests) == 6
    channel.refresh_from_db()
    assert channel.last_error and channel.last_error == alert.last_error
    assert "500" in alert.last_error
    for secret in (url, "Tok3n-Hook-Secret-7781", "Passw0rd-Hook-9932"):
        assert secret not in alert.last_error


def test_a_target_that_recovers_gets_the_alert_on_a_retry(ana, receiver) -> None:
    receiver.status = 500
    channel_create(owner=ana, name="errors", url=receiver.url(), events=[ERROR])
    (queued,) = alerts_record(user_id=ana.pk, alerts=[_error()])
    with pytest.raises(Exception):  # noqa: B017 (the first attempt's failure)
        alert_deliver(alert_id=queued, final_attempt=False)
    assert NotificationAlert.objects.get(pk=queued).status == AlertStatus.QUEUED
    receiver.status = 200
    assert alert_deliver(alert_id=queued) == AlertStatus.SENT
    assert NotificationAlert.objects.get(pk=queued).attempts == 2
    assert alert_deliver(alert_id=queued) is None  # sent once: a second delivery does nothing


def test_emit_costs_one_cached_lookup_for_a_user_without_channels(
    ana, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):  # the first: the channels, then cached
        alerts_emit(user_id=ana.pk, alerts=[_error()])
    with django_assert_num_queries(0):
        for _ in range(100):
            alerts_emit(user_id=ana.pk, alerts=[_error()])
    assert not OutboxTask.objects.exists()


def test_emit_queues_one_record_task_for_the_wanted_alerts_only(ana, receiver) -> None:
    channel_create(owner=ana, name="fills", url=receiver.url(), events=[FILL])
    alerts_emit(user_id=ana.pk, alerts=[_error(), _fill("c1")])
    (task,) = OutboxTask.objects.filter(task=ALERTS_RECORD)
    assert task.args[0] == ana.pk and [a["event"] for a in task.args[1]] == [FILL]
    alerts_record_task(*task.args)
    assert NotificationAlert.objects.get().status == AlertStatus.QUEUED


def test_the_cached_channels_follow_create_update_and_delete(ana, receiver) -> None:
    assert channels_wanting(user_id=ana.pk) == {}
    channel = channel_create(owner=ana, name="c", url=receiver.url(), events=[ERROR])
    assert channels_wanting(user_id=ana.pk) == {ERROR: [channel.pk]}
    channel_update(channel=channel, events=[FILL, ERROR])
    assert channels_wanting(user_id=ana.pk) == {FILL: [channel.pk], ERROR: [channel.pk]}
    channel_update(channel=channel, enabled=False)
    assert channels_wanting(user_id=ana.pk) == {}
    channel_update(channel=channel, enabled=True)
    channel_delete(channel=channel)
    assert channels_wanting(user_id=ana.pk) == {}


def test_with_redis_away_the_lookup_reads_the_database(ana, receiver, settings) -> None:
    channel = channel_create(owner=ana, name="c", url=receiver.url(), events=[ERROR])
    # The project's cache on a Redis that does not answer (config/cache.py degrades: a miss).
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "config.cache.FailSafeRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        },
    }
    assert channels_wanting(user_id=ana.pk) == {ERROR: [channel.pk]}
    alerts_emit(user_id=ana.pk, alerts=[_error()])
    assert OutboxTask.objects.filter(task=ALERTS_RECORD).count() == 1
