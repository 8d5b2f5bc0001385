"""A run's candle chart: candles of its span, the strategy's lines, buy-and-hold (owner only)."""

from __future__ import annotations

import numpy as np
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .chart_selectors import backtest_chart
from .chart_serializers import RunChartSerializer
from .selectors import backtest_run_get


def _drawn(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float32)


class BacktestChartView(APIView):
    @extend_schema(
        responses={
            200: RunChartSerializer,
            404: OpenApiResponse(description="no such run of yours, or its candles are gone"),
        },
        summary="A backtest's candle chart: candles, the strategy's lines, buy-and-hold",
        description=(
            "The candles of the run's span on its timeframe as columns, the strategy's lines "
            "computed as the run endpoint does (null during warm-up) and the buy-and-hold "
            "equity, aligned to the candles. Trades: /trades/."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        run = backtest_run_get(owner=request.user, run_id=pk)
        chart = backtest_chart(run=run)
        candles = chart.candles
        return Response(
            {
                "run": run.pk,
                "symbol": run.symbol.name,
                "exchange": run.symbol.exchange,
                "simulated": run.symbol.is_simulated,
                "timeframe": run.timeframe,
                "truncated": chart.truncated,
                # NumPy arrays go straight to orjson (NaN is written null).
                "candles": {
                    "time": candles.open_time // 1000,
                    "open": candles.open,
                    "high": candles.high,
                    "low": candles.low,
                    "close": candles.close,
                    "volume": candles.volume,
                },
                # Drawn only: float32's 7 digits (about half the JSON of float64's 17).
                "lines": {name: _drawn(values) for name, values in chart.lines.items()},
                "buy_and_hold": _drawn(chart.buy_and_hold),
            }
        )
