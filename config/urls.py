from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/auth/", include("apps.accounts.urls")),
    path("api/datafeeds/", include("apps.datafeeds.urls")),
    path("api/strategies/", include("apps.strategies.urls")),
    path("api/analytics/", include("apps.analytics.urls")),
    path("api/execution/", include("apps.execution.urls")),
    path("api/risk/", include("apps.risk.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
]
