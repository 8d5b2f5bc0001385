from django.contrib import admin

from .models import ApiToken, UserSession


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Revoke (delete) tokens; they are created by their owners only (shown once)."""

    list_display = ("name", "user", "token_key", "created", "expiry")
    search_fields = ("name", "token_key", "user__username")
    readonly_fields = ("name", "user", "token_key", "created", "expiry")
    exclude = ("digest",)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Signed-in browser sessions: delete one to sign that browser out; never edited."""

    list_display = ("user", "session_key", "expire_date")
    search_fields = ("user__username",)
    exclude = ("session_data",)  # the session's contents stay out of the page

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
