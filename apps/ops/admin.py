from django.contrib import admin

from config.admin_readonly import ReadOnlyAdmin

from .models import OutboxTask, WorkLease


@admin.register(WorkLease)
class WorkLeaseAdmin(ReadOnlyAdmin):
    """A lease is the workers' and the sweeper's state: editing it would lose or repeat work."""

    list_display = ("key", "holder", "expires_at", "requeues", "renewed_at")
    search_fields = ("key", "holder")


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    """Tasks waiting for the broker (an outage): the sweep sends them; editing would lose one."""

    list_display = ("task", "args", "created_at")
    search_fields = ("task",)
