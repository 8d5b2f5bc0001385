from django.contrib import admin

from .models import ExchangeAccount


@admin.register(ExchangeAccount)
class ExchangeAccountAdmin(admin.ModelAdmin):
    """Read-only overview for operators: never the credentials, not even encrypted."""

    list_display = ("label", "owner", "exchange", "environment", "api_key_hint", "last_check_ok")
    list_filter = ("exchange", "environment", "last_check_ok")
    search_fields = ("label", "owner__username")
    fields = (
        "owner",
        "label",
        "exchange",
        "environment",
        "api_key_hint",
        "last_check_at",
        "last_check_ok",
        "last_check_message",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:  # credentials go through the API only
        return False
