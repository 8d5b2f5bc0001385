from django.contrib import admin

from .models import RiskProfile


@admin.register(RiskProfile)
class RiskProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "is_default", "risk_per_trade", "stop_loss", "max_drawdown")
    list_filter = ("is_default",)
    search_fields = ("name", "owner__username")
