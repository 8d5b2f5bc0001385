"""Bots in the admin, read-only: a bot's status, orders, position and decisions are written by
its services and tasks only (an edit here would desynchronise the bot from its orders, or from
the exchange). Deleting a stopped bot goes through the API, which checks it is stopped."""

from django.contrib import admin

from config.admin_readonly import ReadOnlyAdmin

from .models import Bot, BotDecision, BotEvent, BotOrder, BotPosition, BotTrade


@admin.register(Bot)
class BotAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "name", "strategy", "symbol", "mode", "status", "equity")
    list_filter = ("mode", "status", "strategy")
    search_fields = ("name", "owner__username")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BotOrder)
class BotOrderAdmin(ReadOnlyAdmin):
    list_display = ("client_order_id", "bot", "leg", "side", "state", "created_at")
    list_filter = ("state", "leg", "side")
    search_fields = ("client_order_id",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BotPosition)
class BotPositionAdmin(ReadOnlyAdmin):
    list_display = ("bot", "side", "size", "entry_price")


@admin.register(BotTrade)
class BotTradeAdmin(ReadOnlyAdmin):
    list_display = ("bot", "number", "side", "entry_time", "exit_time", "pnl", "exit_reason")
    list_filter = ("side",)


@admin.register(BotDecision)
class BotDecisionAdmin(ReadOnlyAdmin):
    list_display = ("bot", "candle_ms", "action", "created_at")
    list_filter = ("action",)


@admin.register(BotEvent)
class BotEventAdmin(ReadOnlyAdmin):
    list_display = ("bot", "kind", "created_at")
    list_filter = ("kind",)
