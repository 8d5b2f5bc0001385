from django.urls import include, path

from .views import (
    BotDetailView,
    BotEquityView,
    BotEventsView,
    BotListCreateView,
    BotOrdersView,
    BotReconciliationBacktestView,
    BotReconciliationView,
    BotsStopAllView,
    BotStartView,
    BotStopView,
    BotTradesView,
)

app_name = "execution"
urlpatterns = [
    path("dashboard/", include("apps.execution.dashboard_urls")),  # across your bots
    path("bots/", BotListCreateView.as_view(), name="bot-list"),
    path("bots/stop-all/", BotsStopAllView.as_view(), name="bot-stop-all"),
    path("bots/<int:pk>/", BotDetailView.as_view(), name="bot-detail"),
    path("bots/<int:pk>/start/", BotStartView.as_view(), name="bot-start"),
    path("bots/<int:pk>/stop/", BotStopView.as_view(), name="bot-stop"),
    path("bots/<int:pk>/orders/", BotOrdersView.as_view(), name="bot-orders"),
    path("bots/<int:pk>/trades/", BotTradesView.as_view(), name="bot-trades"),
    path("bots/<int:pk>/equity/", BotEquityView.as_view(), name="bot-equity"),
    path("bots/<int:pk>/events/", BotEventsView.as_view(), name="bot-events"),
    path(
        "bots/<int:pk>/reconciliation/",
        BotReconciliationView.as_view(),
        name="bot-reconciliation",
    ),
    path(
        "bots/<int:pk>/reconciliation/backtest/",
        BotReconciliationBacktestView.as_view(),
        name="bot-reconciliation-backtest",
    ),
]
