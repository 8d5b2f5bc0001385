from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Revoke (delete) tokens; they are created by their owners only (shown once)."""

    list_display = ("name", "user", "token_key", "created", "expiry")
    search_fields = ("name", "token_key", "user__username")
    readonly_fields = ("name", "user", "token_key", "created", "expiry")
    exclude = ("digest",)

    def has_add_permission(self, request) -> bool:
        return False
