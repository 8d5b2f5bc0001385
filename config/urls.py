from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.spa import SPA_PATH, spa_index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("apps.ops.urls")),  # /healthz, /readyz, /metrics
    path("api/auth/", include("apps.accounts.urls")),
    path("api/datafeeds/", include("apps.datafeeds.urls")),
    path("api/strategies/", include("apps.strategies.urls")),
    path("api/analytics/", include("apps.analytics.urls")),
    path("api/execution/", include("apps.execution.urls")),
    path("api/optimisation/", include("apps.optimisation.urls")),
    path("api/risk/", include("apps.risk.urls")),
    path("api/exchanges/", include("apps.exchanges.urls")),
    path("api/notifications/", include("apps.notifications.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    # Last: the browser app's own URLs (/, /backtests/12, /login, ...) all get its index.html.
    re_path(SPA_PATH, spa_index, name="spa"),
]
