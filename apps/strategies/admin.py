"""Saved parameter sets, read-only: their parameters are validated against the registry by the
services; an edit here would skip that check."""

from django.contrib import admin

from config.admin_readonly import ReadOnlyAdmin

from .models import Strategy


@admin.register(Strategy)
class StrategyAdmin(ReadOnlyAdmin):
    list_display = ("name", "key", "owner", "is_active", "updated_at")
    list_filter = ("key", "is_active")
    search_fields = ("name", "owner__username")
