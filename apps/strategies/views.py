"""Strategy API: the registry catalog, the owner's saved parameter sets, and the run endpoint."""

from __future__ import annotations

import numpy as np
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.datafeeds.serializers import candle_rows, symbol_resolve
from config.exceptions import ApiError

from .caching import strategy_run_cached
from .evaluation import Evaluation, MissingCandles, strategy_evaluate
from .models import Strategy
from .registry import InvalidParameters, strategy_spec, strategy_specs
from .serializers import (
    CatalogEntrySerializer,
    StrategyRunQuerySerializer,
    StrategyRunResponseSerializer,
    StrategySerializer,
)
from .services import strategy_create, strategy_update


def _nullable(values: np.ndarray) -> list[float | None]:
    """A float array as JSON: NaN (warm-up, undefined) becomes null, never zero."""
    return [None if v != v else v for v in values.tolist()]


def _seconds(ms: int) -> int:
    return int(ms) // 1000


def evaluation_payload(evaluation: Evaluation) -> dict:
    times = (evaluation.candles.open_time // 1000).tolist()
    payload = {
        "strategy": evaluation.spec.key,
        "params": evaluation.params,
        "symbol": evaluation.symbol.name,
        "exchange": evaluation.symbol.exchange,
        "simulated": evaluation.symbol.is_simulated,
        "timeframe": evaluation.timeframe,
        "base_timeframe": evaluation.spec.base_timeframe,
        "warmup_complete": evaluation.warmup_complete,
        "candles": candle_rows(evaluation.candles),
    }
    for key, line in evaluation.lines.items():
        payload[key] = (
            {name: _nullable(values) for name, values in line.items()}
            if isinstance(line, dict)
            else _nullable(line)
        )
    payload["entries"] = [
        {
            "time": _seconds(e.display_open_ms),
            "side": e.side,
            "bar_time": _seconds(e.bar_open_ms),
            "price": e.price,
        }
        for e in evaluation.entries
    ]
    payload["timeline"] = [
        {"time": t, "long": lg, "short": sh}
        for t, lg, sh in zip(
            times, evaluation.long_active.tolist(), evaluation.short_active.tolist(), strict=True
        )
    ]
    payload["should_enter_long"] = bool(evaluation.long_active[-1])
    payload["should_enter_short"] = bool(evaluation.short_active[-1])
    return payload


class StrategyRunView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            StrategyRunQuerySerializer,
            OpenApiParameter("sma_period", int, description="hma-sma: SMA period (2..1000)"),
            OpenApiParameter("hma_period", int, description="hma-sma: HMA period (4..1000)"),
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
        try:
            spec = strategy_spec(key)
        except LookupError as error:
            raise ApiError(str(error), status_code=404) from error
        query = StrategyRunQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        overrides = {k: v for k, v in request.query_params.items() if k not in query.fields}
        try:
            params = spec.validate_params(overrides)
        except InvalidParameters as error:
            raise serializers.ValidationError(error.errors) from error
        symbol = symbol_resolve(q["symbol"], q.get("exchange"))
        window = {"start_ms": q.get("start"), "end_ms": q.get("end"), "limit": q["limit"]}
        payload = strategy_run_cached(
            lambda: self._evaluate(spec, params, symbol, q["timeframe"], window),
            key=spec.key,
            symbol_id=symbol.pk,
            timeframe=q["timeframe"],
            params=params,
            window=window,
        )
        return Response(payload)

    @staticmethod
    def _evaluate(spec, params, symbol, timeframe, window) -> dict:
        try:
            evaluation = strategy_evaluate(
                spec=spec, params=params, symbol=symbol, timeframe=timeframe, **window
            )
        except MissingCandles as error:
            raise ApiError(str(error), field="timeframe", status_code=404) from error
        return evaluation_payload(evaluation)


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
