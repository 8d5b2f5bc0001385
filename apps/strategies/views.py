"""Strategy API: the registry catalog, the owner's saved parameter sets, and the run endpoint."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.datafeeds.caching import symbol_get_cached
from config.http_cache import answer_response

from .caching import strategy_run_cached
from .evaluation import strategy_evaluate
from .models import Strategy
from .presenters import evaluation_payload
from .registry import InvalidParameters, strategy_spec, strategy_specs
from .selectors import strategy_display_inputs
from .serializers import (
    CatalogEntrySerializer,
    StrategyRunQuerySerializer,
    StrategyRunResponseSerializer,
    StrategySerializer,
)
from .services import strategy_create, strategy_update


def _param_query_parameters() -> list[OpenApiParameter]:
    """One query parameter per strategy parameter of the registry, with its range (a name two
    strategies share spans both ranges; each strategy checks its own)."""
    by_name: dict[str, list] = {}
    for spec in strategy_specs():
        for param in spec.params:
            by_name.setdefault(param.name, []).append((spec.key, param))
    parameters = []
    for name, uses in sorted(by_name.items()):
        schema = {
            "type": "integer" if all(p.kind is int for _, p in uses) else "number",
            "minimum": min(p.minimum for _, p in uses),
            "maximum": max(p.maximum for _, p in uses),
        }
        said = "; ".join(f"{key}: {p.description} ({p.minimum}..{p.maximum})" for key, p in uses)
        parameters.append(OpenApiParameter(name, schema, description=said))
    return parameters


class StrategyRunView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            StrategyRunQuerySerializer,
            *_param_query_parameters(),
        ],
        responses=StrategyRunResponseSerializer,
        summary="Evaluate a registry strategy over stored candles for display",
        description=(
            "Candles of the requested timeframe (window rules as /api/datafeeds/candles/), the "
            "strategy's lines aligned to them (null during warm-up), entries computed on the "
            "base series and projected onto the displayed candles, the setups at each candle's "
            "close (timeline) and at the last one (should_enter_long/short). Times are epoch "
            "seconds UTC. Extra query parameters override the strategy's parameters."
        ),
    )
    def get(self, request: Request, key: str) -> Response:
        spec = strategy_spec(key)
        query = StrategyRunQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        overrides = {k: v for k, v in request.query_params.items() if k not in query.fields}
        params = spec.validate_params(overrides)
        symbol = symbol_get_cached(name=q["symbol"], exchange=q.get("exchange"))
        window = {"start_ms": q.get("start"), "end_ms": q.get("end"), "limit": q["limit"]}
        answer = strategy_run_cached(
            lambda: self._evaluate(spec, params, symbol, q["timeframe"], window),
            key=spec.key,
            symbol_id=symbol.pk,
            timeframe=q["timeframe"],
            params=params,
            window=window,
        )
        return answer_response(request, answer, public=True)

    @staticmethod
    def _evaluate(spec, params, symbol, timeframe, window) -> dict:
        inputs = strategy_display_inputs(
            spec=spec, params=params, symbol=symbol, timeframe=timeframe, **window
        )
        evaluation = strategy_evaluate(spec=spec, params=params, inputs=inputs)
        return evaluation_payload(evaluation, symbol=symbol)


class CatalogView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CatalogEntrySerializer(many=True), summary="Registry strategies")
    def get(self, request: Request) -> Response:
        return Response([spec.catalog_entry() for spec in strategy_specs()])


class StrategyListCreateView(generics.ListCreateAPIView):
    """The signed-in user's saved strategies."""

    serializer_class = StrategySerializer

    def get_queryset(self):
        return Strategy.objects.filter(owner=self.request.user)

    def perform_create(self, serializer):
        try:
            serializer.instance = strategy_create(
                owner=self.request.user, **serializer.validated_data
            )
        except InvalidParameters as error:
            raise serializers.ValidationError({"params": error.errors}) from error


class StrategyDetailView(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = StrategySerializer

    def get_queryset(self):
        return Strategy.objects.filter(owner=self.request.user)  # others' strategies are 404

    def perform_update(self, serializer):
        try:
            serializer.instance = strategy_update(
                strategy=serializer.instance, **serializer.validated_data
            )
        except InvalidParameters as error:
            raise serializers.ValidationError({"params": error.errors}) from error
