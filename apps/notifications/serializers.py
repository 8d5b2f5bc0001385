"""Alert channel input and output. The URL is write-only: answered only as `url_hint`."""

from __future__ import annotations

from rest_framework import serializers

from .channel_urls import URL_MAX_LENGTH
from .events import EVENTS
from .models import AlertStatus, NotificationAlert, NotificationChannel

EVENT_CHOICES = list(EVENTS)


class ChannelSerializer(serializers.ModelSerializer):
    """Output: never the URL, only `url_hint` ('tgram://…', 'json://127.0.0.1:…')."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES))

    class Meta:
        model = NotificationChannel
        fields = [
            "id",
            "name",
            "url_hint",
            "events",
            "enabled",
            "last_sent_at",
            "last_error",
            "created_at",
            "updated_at",
        ]


class _Url(serializers.CharField):
    """The channel's apprise URL: write-only, checked by the service (400 naming `url`)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            write_only=True,
            max_length=URL_MAX_LENGTH,
            style={"input_type": "password"},
            help_text="apprise URL, e.g. tgram://bottoken/ChatID (https://github.com/caronc/apprise/wiki)",
            **kwargs,
        )


class ChannelCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = _Url()
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES), max_length=len(EVENTS)
    )
    enabled = serializers.BooleanField(default=True)


class ChannelUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    url = _Url(required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        max_length=len(EVENTS),
        required=False,
    )
    enabled = serializers.BooleanField(required=False)


class AlertSerializer(serializers.ModelSerializer):
    channel_name = serializers.CharField(source="channel.name", read_only=True)
    status = serializers.ChoiceField(choices=AlertStatus.choices)

    class Meta:
        model = NotificationAlert
        fields = [
            "id",
            "channel",
            "channel_name",
            "event",
            "title",
            "body",
            "status",
            "attempts",
            "last_error",
            "is_summary",
            "repeats",
            "created_at",
            "sent_at",
        ]


class TestQueuedSerializer(serializers.Serializer):
    alert_id = serializers.IntegerField(help_text="GET /api/notifications/alerts/<id>/: its status")
    status = serializers.ChoiceField(choices=AlertStatus.choices)
