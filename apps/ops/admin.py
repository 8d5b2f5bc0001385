from django.contrib import admin

from config.admin_readonly import ReadOnlyAdmin

from .models import WorkLease


@admin.register(WorkLease)
class WorkLeaseAdmin(ReadOnlyAdmin):
    """A lease is the workers' and the sweeper's state: editing it would lose or repeat work."""

    list_display = ("key", "holder", "expires_at", "requeues", "renewed_at")
    search_fields = ("key", "holder")
