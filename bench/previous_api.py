"""The run endpoint's cache as it was before answers were cached as bytes (the reference of
bench/api.py): the payload dict pickled in the cache and rendered by DRF on every hit. A URL
conf of its own: the whole project's URLs plus this view, so both go through one stack."""

from __future__ import annotations

from django.core.cache import cache
from django.urls import path
from rest_framework.response import Response

from apps.datafeeds.selectors import symbol_get
from apps.datafeeds.versions import candles_version
from apps.strategies.registry import strategy_spec
from apps.strategies.serializers import StrategyRunQuerySerializer
from apps.strategies.views import StrategyRunView
from config.urls import urlpatterns as project_urlpatterns

PREVIOUS_PAYLOAD = "bench:previous-run-payload:{}:{}"


class PreviousRunView(StrategyRunView):
    def get(self, request, key):
        spec = strategy_spec(key)
        query = StrategyRunQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        overrides = {k: v for k, v in request.query_params.items() if k not in query.fields}
        spec.validate_params(overrides)
        symbol = symbol_get(name=q["symbol"], exchange=q.get("exchange"))
        payload = cache.get(PREVIOUS_PAYLOAD.format(symbol.pk, candles_version(symbol.pk)))
        return Response(payload)


urlpatterns = [
    path("previous/<slug:key>/run/", PreviousRunView.as_view()),
    *project_urlpatterns,
]
