"""Alerts: channels (create, change, delete, test), the emit API other apps call, and what a
worker does with alerts (record them with dedupe and rate limit, deliver them through apprise).

A channel's URL holds the service's credentials: encrypted before it touches a model
(apps/exchanges/crypto.py), decrypted only in `alert_deliver`, right before apprise sends;
nothing here returns it, and every text stored or logged is redacted of it.

The bots' steps call `alerts_emit` inside their transaction: it costs one cached lookup, plus
one outbox row when a channel of the user wants one of the alerts. Recording (dedupe, rate) and
sending happen on the notifications queue after the commit, so an alert never delays or fails
a step (a channel deleted meanwhile is simply not found there)."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import timedelta
from typing import Any, Protocol

import apprise
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apps.exchanges.crypto import SecretUnreadable, secret_decrypt, secret_encrypt
from apps.ops.enqueue import task_send_on_commit, tasks_send_on_commit

from .channel_urls import url_hint, url_invalid, url_protect, url_redact
from .events import EVENTS, TEST, Alert, alert_event_of_message, alerts_of_bot_messages
from .models import AlertStatus, NotificationAlert, NotificationChannel
from .selectors import channels_wanting, channels_wanting_forget
from .task_names import ALERTS_RECORD, SEND_ALERT

__all__ = ["Alert", "alerts_emit", "bot_messages_alert"]

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 1000  # characters of a delivery error kept on the alert and the channel
SENDING_STUCK_SECONDS = 900  # a claimed send older than this lost its worker: queued again
_SENT = (AlertStatus.QUEUED, AlertStatus.SENDING, AlertStatus.SENT, AlertStatus.FAILED)


class ChannelInvalid(Exception):
    """Bad input; `errors` maps each field to what is wrong. Nothing was stored."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AlertNotDelivered(Exception):
    """apprise could not deliver (the words are redacted of the URL): worth a retry."""


# --- channels ------------------------------------------------------------------------------


def _channels_changed(user_id: int) -> None:
    """Forget the cached "which channels want what" now and again after the commit (a step
    reading between the two would cache the old answer)."""
    channels_wanting_forget(user_id=user_id)
    transaction.on_commit(lambda: channels_wanting_forget(user_id=user_id), robust=True)


def _events_error(events: list[str]) -> str | None:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        return f"Unknown event(s): {', '.join(unknown)}; one of {', '.join(EVENTS)}."
    return None


def _save(channel: NotificationChannel) -> NotificationChannel:
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError:
        raise ChannelInvalid({"name": "You already have a channel with this name."}) from None
    _channels_changed(channel.owner_id)
    return channel


@sensitive_variables("url")  # kept out of Django's error reports
def channel_create(
    *, owner, name: str, url: str, events: list[str], enabled: bool = True
) -> NotificationChannel:
    errors = {}
    if error := url_invalid(url):
        errors["url"] = error
    if error := _events_error(events):
        errors["events"] = error
    if errors:
        raise ChannelInvalid(errors)
    channel = NotificationChannel(
        owner=owner,
        name=name.strip(),
        url_encrypted=secret_encrypt(url.strip()),
        url_hint=url_hint(url),
        events=sorted(set(events), key=EVENTS.index),
        enabled=enabled,
    )
    return _save(channel)


@sensitive_variables("changes", "url")
def channel_update(*, channel: NotificationChannel, **changes: Any) -> NotificationChannel:
    """Change name, url (replaces the stored one), events or enabled."""
    unknown = set(changes) - {"name", "url", "events", "enabled"}
    if unknown:
        raise ChannelInvalid({field: "unknown field." for field in sorted(unknown)})
    errors = {}
    if "url" in changes and (error := url_invalid(changes["url"])):
        errors["url"] = error
    if "events" in changes and (error := _events_error(changes["events"])):
        errors["events"] = error
    if errors:
        raise ChannelInvalid(errors)
    if "name" in changes:
        channel.name = changes["name"].strip()
    if "url" in changes:
        url = changes["url"].strip()
        channel.url_encrypted, channel.url_hint = secret_encrypt(url), url_hint(url)
        channel.last_error = ""  # the old URL's
    if "events" in changes:
        channel.events = sorted(set(changes["events"]), key=EVENTS.index)
    if "enabled" in changes:
        channel.enabled = changes["enabled"]
    return _save(channel)


def channel_delete(*, channel: NotificationChannel) -> None:
    owner_id = channel.owner_id
    channel.delete()
    _channels_changed(owner_id)


def channel_test(*, channel: NotificationChannel) -> NotificationAlert:
    """A test alert for the channel, queued now (whatever its events, enabled or not, and not
    counted against dedupe); the worker sends it."""
    alert = NotificationAlert.objects.create(
        channel=channel,
        owner_id=channel.owner_id,
        event=TEST,
        dedupe_key=f"test:{channel.pk}:{timezone.now().timestamp()}",
        title="Test alert",
        body=f"Alerts of the bot trading platform reach you through '{channel.name}'.",
    )
    task_send_on_commit(SEND_ALERT, alert.pk)
    return alert


# --- the emit API ---------------------------------------------------------------------------


def alerts_emit(*, user_id: int, alerts: list[Alert]) -> None:
    """Queue the alerts of one user for the channels that want them; cheap when the user has
    no channel (one cached lookup); recording and sending happen after the commit on a worker
    (by task name through apps/ops/enqueue.py), never in the caller."""
    if not alerts:
        return
    wanting = channels_wanting(user_id=user_id)
    wanted = [alert for alert in alerts if wanting.get(alert.event)]
    if wanted:
        task_send_on_commit(ALERTS_RECORD, user_id, [asdict(alert) for alert in wanted])


class _Bot(Protocol):
    pk: int
    name: str
    owner_id: int


def bot_messages_alert(*, bot: _Bot, messages: list[dict]) -> None:
    """The alerts of a bot's flushed journal messages (apps/execution/services/journal.py),
    emitted for its owner. Most flushes (equity, skipped, orders) make none and cost nothing:
    the bot's name is read only for an alert."""
    if not any(alert_event_of_message(message) for message in messages):
        return
    alerts = alerts_of_bot_messages(bot.pk, bot.name, messages)
    alerts_emit(user_id=bot.owner_id, alerts=alerts)


# --- on the worker: record, summarise, deliver ------------------------------------------------


def _window_words(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def alerts_record(*, user_id: int, alerts: list[Alert]) -> list[int]:
    """Record the alerts for the user's enabled channels that want them, and queue their sends
    after the commit. Per channel: an alert whose dedupe key the channel sent less than
    ALERT_DEDUPE_SECONDS ago only counts on that one (`repeats`, summarised later); beyond
    ALERT_RATE_PER_HOUR alerts in the last hour it is recorded as suppressed. The ids queued."""
    now = timezone.now()
    window_start = now - timedelta(seconds=settings.ALERT_DEDUPE_SECONDS)
    queued: list[int] = []
    with transaction.atomic():
        # Locked: two records for one user at once would both miss each other's alert.
        channels = list(
            NotificationChannel.objects.select_for_update()
            .filter(owner_id=user_id, enabled=True)
            .order_by("id")
        )
        for channel in channels:
            mine = [alert for alert in alerts if alert.event in channel.events]
            if not mine:
                continue
            recent = NotificationAlert.objects.filter(channel=channel)
            sent_last_hour = recent.filter(
                created_at__gte=now - timedelta(hours=1), status__in=_SENT
            ).count()
            for alert in mine:
                lead = (
                    recent.filter(
                        dedupe_key=alert.dedupe_key,
                        is_summary=False,
                        created_at__gte=window_start,
                        status__in=_SENT,
                    )
                    .order_by("-created_at")
                    .values_list("pk", flat=True)
                    .first()
                )
                if lead is not None:
                    NotificationAlert.objects.filter(pk=lead).update(repeats=F("repeats") + 1)
                    continue
                limited = sent_last_hour >= settings.ALERT_RATE_PER_HOUR
                row = NotificationAlert.objects.create(
                    channel=channel,
                    owner_id=user_id,
                    event=alert.event,
                    dedupe_key=alert.dedupe_key,
                    title=alert.title[:250],
                    body=alert.body,
                    status=AlertStatus.SUPPRESSED if limited else AlertStatus.QUEUED,
                    last_error=(
                        f"Not sent: the channel sent {sent_last_hour} alerts in the last hour "
                        f"(ALERT_RATE_PER_HOUR={settings.ALERT_RATE_PER_HOUR})."
                        if limited
                        else ""
                    ),
                )
                if not limited:
                    sent_last_hour += 1
                    queued.append(row.pk)
        tasks_send_on_commit(SEND_ALERT, [(pk,) for pk in queued])
    return queued


def alert_summaries_send(*, now=None) -> list[int]:
    """One summary for each alert whose dedupe window ended with repeats ("…and 7 more alerts
    like this in the last 15 min"), queued for sending. Each window is summarised once (a
    conditional update claims it). The summaries' ids."""
    now = now or timezone.now()
    window = settings.ALERT_DEDUPE_SECONDS
    due = NotificationAlert.objects.filter(
        repeats__gt=0,
        summarized_at__isnull=True,
        created_at__lt=now - timedelta(seconds=window),
    ).order_by("id")[:1000]
    summaries: list[int] = []
    for lead in due:
        with transaction.atomic():
            claimed = NotificationAlert.objects.filter(
                pk=lead.pk, summarized_at__isnull=True
            ).update(summarized_at=now)
            if claimed != 1:
                continue
            more = "alert" if lead.repeats == 1 else "alerts"
            summary = NotificationAlert.objects.create(
                channel_id=lead.channel_id,
                owner_id=lead.owner_id,
                event=lead.event,
                dedupe_key=lead.dedupe_key,
                title=f"{lead.title} (repeated)"[:250],
                body=(
                    f"{lead.body}\n…and {lead.repeats} more {more} like this in the last "
                    f"{_window_words(window)}."
                ),
                is_summary=True,
            )
            task_send_on_commit(SEND_ALERT, summary.pk)
            summaries.append(summary.pk)
    return summaries


def alerts_requeue_stuck(*, now=None) -> int:
    """Sends a worker claimed and never finished (it died): queued and sent again."""
    now = now or timezone.now()
    stuck = list(
        NotificationAlert.objects.filter(
            status=AlertStatus.SENDING,
            updated_at__lt=now - timedelta(seconds=SENDING_STUCK_SECONDS),
        ).values_list("pk", flat=True)[:1000]
    )
    with transaction.atomic():
        NotificationAlert.objects.filter(pk__in=stuck, status=AlertStatus.SENDING).update(
            status=AlertStatus.QUEUED, updated_at=now
        )
        tasks_send_on_commit(SEND_ALERT, [(pk,) for pk in stuck])
    return len(stuck)


def _finish(
    alert: NotificationAlert, status: str, error: str = "", *, channel_error: bool = False
) -> None:
    now = timezone.now()
    NotificationAlert.objects.filter(pk=alert.pk).update(
        status=status,
        last_error=error[:ERROR_MAX_LENGTH],
        sent_at=now if status == AlertStatus.SENT else None,
        updated_at=now,
    )
    if status == AlertStatus.SENT:
        NotificationChannel.objects.filter(pk=alert.channel_id).update(
            last_sent_at=now, last_error=""
        )
    elif channel_error:
        NotificationChannel.objects.filter(pk=alert.channel_id).update(
            last_error=error[:ERROR_MAX_LENGTH]
        )


@sensitive_variables("url")
def alert_deliver(*, alert_id: int, final_attempt: bool = True) -> str | None:
    """Send one queued alert through apprise: its status becomes sent, or (on the final
    attempt) failed with apprise's words, redacted of the URL; before the final attempt a
    failure is AlertNotDelivered (the task retries) and the alert is queued again. The status,
    or None when the alert was not queued (sent already, or another worker has it)."""
    claimed = NotificationAlert.objects.filter(pk=alert_id, status=AlertStatus.QUEUED).update(
        status=AlertStatus.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if claimed != 1:
        return None
    alert = NotificationAlert.objects.select_related("channel").get(pk=alert_id)
    channel = alert.channel
    if not channel.enabled and alert.event != TEST:
        _finish(alert, AlertStatus.SUPPRESSED, "Not sent: the channel was disabled.")
        return AlertStatus.SUPPRESSED
    try:
        url = secret_decrypt(channel.url_encrypted, owner_label=channel.display_name)
    except SecretUnreadable as error:
        _finish(alert, AlertStatus.FAILED, str(error), channel_error=True)
        return AlertStatus.FAILED
    url_protect(url)  # apprise logs the URL: redacted from every log line of this process
    with apprise.LogCapture(level=apprise.logging.WARNING, fmt="%(message)s") as captured:
        sender = apprise.Apprise()
        delivered = bool(sender.add(url)) and bool(
            sender.notify(title=alert.title, body=alert.body)
        )
    if delivered:
        _finish(alert, AlertStatus.SENT)
        return AlertStatus.SENT
    said = " ".join(captured.getvalue().split()) or "apprise could not deliver the alert."
    error = url_redact(said, url)
    if not final_attempt:
        NotificationAlert.objects.filter(pk=alert.pk).update(
            status=AlertStatus.QUEUED, last_error=error[:ERROR_MAX_LENGTH]
        )
        raise AlertNotDelivered(error)
    _finish(alert, AlertStatus.FAILED, error, channel_error=True)
    logger.warning("alert %s to channel %s failed: %s", alert.pk, channel.pk, error)
    return AlertStatus.FAILED
