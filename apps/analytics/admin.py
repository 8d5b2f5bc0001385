"""Backtests in the admin, read-only: a run's status, claim token and results are written by
the workers only (editing them would corrupt the claim or the stored results)."""

from django.contrib import admin

from config.admin_readonly import ReadOnlyAdmin

from .models import BacktestRun, BacktestSweep, BacktestTrade


@admin.register(BacktestRun)
class BacktestRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "strategy", "symbol", "status", "attempts", "created_at")
    list_filter = ("status", "strategy")
    search_fields = ("owner__username", "worker")
    exclude = ("equity", "equity_times")  # binary blobs; the API serves the curve


@admin.register(BacktestSweep)
class BacktestSweepAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "strategy", "symbol", "timeframe", "created_at")
    search_fields = ("owner__username",)


@admin.register(BacktestTrade)
class BacktestTradeAdmin(ReadOnlyAdmin):
    list_display = ("run", "number", "side", "entry_time", "exit_time", "pnl", "exit_reason")
    list_filter = ("side", "exit_reason")
