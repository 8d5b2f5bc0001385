"""Market-data API: public reads of symbols and candles."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.http_cache import answer_response

from .caching import candles_answer, symbol_get_cached
from .selectors import symbols_with_coverage
from .serializers import CandlesQuerySerializer, CandlesResponseSerializer, SymbolSerializer
from .timeframes import TIMEFRAMES


class SymbolListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=SymbolSerializer(many=True), summary="Symbols with stored candles")
    def get(self, request: Request) -> Response:
        order = {tf: i for i, tf in enumerate(TIMEFRAMES)}
        data = [
            {
                "exchange": item["symbol"].exchange,
                "name": item["symbol"].name,
                "base": item["symbol"].base,
                "quote": item["symbol"].quote,
                "market_symbol": item["symbol"].market_symbol,
                "simulated": item["symbol"].is_simulated,
                "tracked_timeframes": item["symbol"].tracked_timeframes,
                "timeframes": sorted(
                    (
                        {**cov, "first": cov["first"] // 1000, "last": cov["last"] // 1000}
                        for cov in item["timeframes"]
                    ),
                    key=lambda cov: order.get(cov["timeframe"], len(order)),
                ),
            }
            for item in symbols_with_coverage()
        ]
        return Response(data)


class CandleListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CandlesQuerySerializer],
        responses=CandlesResponseSerializer,
        summary="OHLCV candles of one symbol and timeframe, ascending",
        description=(
            "Without dates: the latest `limit` candles. With `start` only: the first `limit` "
            "from `start`. With `end`: the last `limit` up to `end` (inclusive). `limit` is at "
            "most 10000. Times: YYYY-MM-DD, ISO 8601 or epoch seconds, UTC."
        ),
    )
    def get(self, request: Request) -> Response:
        query = CandlesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        symbol = symbol_get_cached(name=params["symbol"], exchange=params.get("exchange"))
        answer = candles_answer(
            symbol=symbol,
            timeframe=params["timeframe"],
            start_ms=params.get("start"),
            end_ms=params.get("end"),
            limit=params["limit"],
        )
        return answer_response(request, answer, public=True)
