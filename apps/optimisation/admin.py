"""Studies in the admin, read-only: the workers write their status, progress and trials."""

from django.contrib import admin

from config.admin_readonly import ReadOnlyAdmin

from .models import Study, StudyTrial, WalkForward


@admin.register(Study)
class StudyAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "strategy", "symbol", "sampler", "status", "trials_done")
    list_filter = ("status", "sampler", "strategy")
    search_fields = ("owner__username", "optuna_name")
    exclude = ("oos_equity", "oos_equity_times")


@admin.register(StudyTrial)
class StudyTrialAdmin(ReadOnlyAdmin):
    list_display = ("study", "number", "state", "value", "worker")
    list_filter = ("state",)
    exclude = ("samples",)


@admin.register(WalkForward)
class WalkForwardAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "strategy", "symbol", "mode", "status", "created_at")
    list_filter = ("status", "mode")
    search_fields = ("owner__username",)
    exclude = ("oos_equity", "oos_equity_times")
