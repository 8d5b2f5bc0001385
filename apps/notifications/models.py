"""Alert channels (a user's apprise URLs, encrypted at rest) and the alerts sent through them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationChannel(models.Model):
    """`url_encrypted` is a Fernet token (apps/exchanges/crypto.py): the URL holds the service's
    credentials. Read it through services only; nothing answers it, `url_hint` is what shows."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_channels"
    )
    name = models.CharField(max_length=100)
    url_encrypted = models.TextField()
    url_hint = models.CharField(max_length=300, help_text="scheme and host only, e.g. tgram://…")
    events = models.JSONField(default=list, help_text="the event names this channel receives")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="notification_channel_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.url_hint})"

    @property
    def display_name(self) -> str:
        """How messages name the channel (never with its URL)."""
        return f"Alert channel {self.id} '{self.name}' of user {self.owner_id}"


class AlertStatus(models.TextChoices):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # every attempt failed
    SUPPRESSED = "suppressed"  # over the channel's hourly rate: recorded, not sent


class NotificationAlert(models.Model):
    """One alert for one channel. An alert whose (channel, dedupe_key) was sent less than
    ALERT_DEDUPE_SECONDS ago is not stored: it only counts on that first one
    (`repeats`), and the window's end sends one summary of them."""

    channel = models.ForeignKey(
        NotificationChannel, on_delete=models.CASCADE, related_name="alerts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_alerts"
    )
    event = models.CharField(max_length=20)
    dedupe_key = models.CharField(max_length=200)
    title = models.CharField(max_length=250)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=AlertStatus.choices, default=AlertStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    is_summary = models.BooleanField(default=False)
    repeats = models.PositiveIntegerField(default=0, help_text="alerts like it within the window")
    summarized_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["channel", "dedupe_key", "created_at"], name="alert_dedupe"),
            models.Index(fields=["channel", "created_at"], name="alert_rate"),
            models.Index(fields=["owner", "created_at"], name="alert_owner_recent"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(repeats__gt=0, summarized_at__isnull=True),
                name="alert_summary_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} alert {self.id} ({self.status})"
