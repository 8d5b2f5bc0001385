"""Market-data API: public reads of symbols and candles."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.exceptions import ApiError

from .selectors import (
    AmbiguousSymbol,
    SymbolNotFound,
    candles_window,
    symbol_get,
    symbols_with_coverage,
)
from .serializers import CandlesQuerySerializer, CandlesResponseSerializer, SymbolSerializer
from .timeframes import TIMEFRAMES


def candle_rows(candles) -> list[dict]:
    """Chart-ready rows: time in epoch seconds (what Lightweight Charts takes)."""
    return [
        {"time": t, "open": o, "high": h, "low": lo, "close": c, "volume": v}
        for t, o, h, lo, c, v in zip(
            (candles.open_time // 1000).tolist(),
            candles.open.tolist(),
            candles.high.tolist(),
            candles.low.tolist(),
            candles.close.tolist(),
            candles.volume.tolist(),
            strict=True,
        )
    ]


def symbol_resolve(name: str, exchange: str | None):
    """The symbol a request names, or the API's 404/400 saying what is wrong."""
    try:
        return symbol_get(name=name, exchange=exchange)
    except SymbolNotFound as error:
        raise ApiError(
            f"{error} Download it first, e.g. python manage.py fetch_ohlcv {name} 1h "
            "--base <BASE> --quote <QUOTE>.",
            field="symbol",
            status_code=404,
        ) from error
    except AmbiguousSymbol as error:
        raise ApiError(str(error), field="exchange") from error


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
        symbol = symbol_resolve(params["symbol"], params.get("exchange"))
        candles = candles_window(
            symbol=symbol,
            timeframe=params["timeframe"],
            start_ms=params.get("start"),
            end_ms=params.get("end"),
            limit=params["limit"],
        )
        return Response(
            {
                "symbol": symbol.name,
                "exchange": symbol.exchange,
                "timeframe": params["timeframe"],
                "simulated": symbol.is_simulated,
                "count": len(candles),
                "candles": candle_rows(candles),
            }
        )
