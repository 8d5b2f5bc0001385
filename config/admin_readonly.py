"""A base for admin pages of state that only services may write (runs, trades, leases...)."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """View and search only: editing would bypass the services' checks and claims. Deleting
    stays possible where the model allows it (a superuser cleaning up)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
