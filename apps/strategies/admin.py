"""Saved parameter sets, read-only: their parameters are validated against the registry by the
services; an edit here would skip that check."""

from django.contrib import admin

from config.admin_readonly import ReadOnlyAdmin

from .models import Strategy, StrategyDefinition, StrategyVersion


@admin.register(Strategy)
class StrategyAdmin(ReadOnlyAdmin):
    list_display = ("name", "key", "owner", "is_active", "updated_at")
    list_filter = ("key", "is_active")
    search_fields = ("name", "owner__username")


@admin.register(StrategyDefinition)
class StrategyDefinitionAdmin(ReadOnlyAdmin):
    """Users' own strategies: a text is compiled and checked by the services on every save."""

    list_display = ("name", "owner", "version", "deleted_at", "updated_at")
    list_filter = ("deleted_at",)
    search_fields = ("name", "owner__username")


@admin.register(StrategyVersion)
class StrategyVersionAdmin(ReadOnlyAdmin):
    list_display = ("definition", "version", "created_at")
    search_fields = ("definition__name", "definition__owner__username")
