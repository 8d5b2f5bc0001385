from django.contrib import admin

from config.admin_readonly import ReadOnlyAdmin

from .models import NotificationAlert, NotificationChannel


@admin.register(NotificationChannel)
class NotificationChannelAdmin(ReadOnlyAdmin):
    """Read-only overview for operators: never the URL, not even encrypted."""

    list_display = ("name", "owner", "url_hint", "enabled", "last_sent_at")
    list_filter = ("enabled",)
    search_fields = ("name", "owner__username")
    fields = (
        "owner",
        "name",
        "url_hint",
        "events",
        "enabled",
        "last_sent_at",
        "last_error",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(NotificationAlert)
class NotificationAlertAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "channel", "event", "status", "attempts", "created_at")
    list_filter = ("status", "event", "is_summary")
    search_fields = ("title", "owner__username", "channel__name")
    list_select_related = ("owner", "channel")
    fields = (
        "owner",
        "channel",
        "event",
        "dedupe_key",
        "title",
        "body",
        "status",
        "attempts",
        "last_error",
        "is_summary",
        "repeats",
        "summarized_at",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields
