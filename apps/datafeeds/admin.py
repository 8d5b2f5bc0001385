from django.contrib import admin

from .models import Symbol


@admin.register(Symbol)
class SymbolAdmin(admin.ModelAdmin):
    list_display = ("name", "exchange", "market_symbol", "tracked_timeframes")
    list_filter = ("exchange",)
    search_fields = ("name", "base", "quote")
