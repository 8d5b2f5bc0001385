"""Routed at /api/execution/dashboard/ by the app's urls.py (see apps/execution/dashboard.py)."""

from django.urls import path

from . import dashboard_views as views

app_name = "dashboard"
urlpatterns = [
    path("summary/", views.DashboardSummaryView.as_view(), name="summary"),
    path("equity/", views.DashboardEquityView.as_view(), name="equity"),
    path("drawdown/", views.DashboardDrawdownView.as_view(), name="drawdown"),
    path("pnl-by-day/", views.DashboardPnlByDayView.as_view(), name="pnl-by-day"),
    path("positions/", views.DashboardPositionsView.as_view(), name="positions"),
    path("events/", views.DashboardEventsView.as_view(), name="events"),
    path("leaders/", views.DashboardLeadersView.as_view(), name="leaders"),
]
