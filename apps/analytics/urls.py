from django.urls import path

from .chart_views import BacktestChartView
from .views import (
    BacktestDetailView,
    BacktestEquityView,
    BacktestListCreateView,
    BacktestMonthlyReturnsView,
    BacktestTradesView,
    SweepDetailView,
    SweepListCreateView,
)

app_name = "analytics"
urlpatterns = [
    path("backtests/", BacktestListCreateView.as_view(), name="backtest-list"),
    path("backtests/<int:pk>/", BacktestDetailView.as_view(), name="backtest-detail"),
    path("backtests/<int:pk>/trades/", BacktestTradesView.as_view(), name="backtest-trades"),
    path("backtests/<int:pk>/equity/", BacktestEquityView.as_view(), name="backtest-equity"),
    path("backtests/<int:pk>/chart/", BacktestChartView.as_view(), name="backtest-chart"),
    path(
        "backtests/<int:pk>/monthly-returns/",
        BacktestMonthlyReturnsView.as_view(),
        name="backtest-monthly-returns",
    ),
    path("backtests/sweeps/", SweepListCreateView.as_view(), name="sweep-list"),
    path("backtests/sweeps/<int:pk>/", SweepDetailView.as_view(), name="sweep-detail"),
]
