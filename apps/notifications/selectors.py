"""Reading alert channels and alerts: always scoped to their owner (anyone else gets 404)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from .models import NotificationAlert, NotificationChannel


def channel_list(*, owner) -> QuerySet[NotificationChannel]:
    return NotificationChannel.objects.filter(owner=owner)


def channel_get(*, owner, channel_id: int) -> NotificationChannel:
    channel = NotificationChannel.objects.filter(owner=owner, pk=channel_id).first()
    if channel is None:
        raise Http404("No such alert channel.")
    return channel


def alert_list(*, owner) -> QuerySet[NotificationAlert]:
    return NotificationAlert.objects.filter(owner=owner).select_related("channel")


def alert_get(*, owner, alert_id: int) -> NotificationAlert:
    alert = alert_list(owner=owner).filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert.")
    return alert


def _wanting_key(user_id: int) -> str:
    return f"notifications:wanting:v1:{user_id}"


def channels_wanting(*, user_id: int) -> dict[str, list[int]]:
    """{event: ids of the user's enabled channels that want it}; {} for a user without one.
    Cached ALERT_CHANNELS_CACHE_SECONDS (the bots' steps ask at every flush with an alert);
    a cache that is away (Redis down: config/cache.py degrades to a miss) costs one query."""
    key = _wanting_key(user_id)
    wanting = cache.get(key)
    if wanting is None:
        wanting = {}
        rows = NotificationChannel.objects.filter(owner_id=user_id, enabled=True).values_list(
            "id", "events"
        )
        for channel_id, events in rows.order_by("id"):
            for event in events:
                wanting.setdefault(event, []).append(channel_id)
        cache.set(key, wanting, settings.ALERT_CHANNELS_CACHE_SECONDS)
    return wanting


def channels_wanting_forget(*, user_id: int) -> None:
    """Drop the cached answer (a channel of the user changed)."""
    cache.delete(_wanting_key(user_id))
