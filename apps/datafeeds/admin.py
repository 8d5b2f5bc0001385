from django.contrib import admin

from .models import CandleSeries, Symbol


@admin.register(Symbol)
class SymbolAdmin(admin.ModelAdmin):
    list_display = ("name", "exchange", "market_symbol", "tracked_timeframes")
    list_filter = ("exchange",)
    search_fields = ("name", "base", "quote")


# Candle has a composite primary key, which Django 5.2's admin does not support: candles are
# browsed through the API. The per-series summary is read-only (candles_upsert keeps it).
@admin.register(CandleSeries)
class CandleSeriesAdmin(admin.ModelAdmin):
    list_display = ("symbol", "timeframe", "count", "first_open_time", "last_open_time")
    list_filter = ("timeframe",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
