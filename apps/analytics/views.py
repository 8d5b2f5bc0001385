"""Backtest API: create and list runs, read one (detail, trades, equity), delete it, and sweeps.

Every run and sweep belongs to its owner: anyone else gets 404, as for a missing one.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.datafeeds.selectors import symbol_get
from config.pagination import BoundedLimitOffsetPagination
from config.validation import validated

from .selectors import (
    backtest_equity,
    backtest_monthly_returns,
    backtest_run_get,
    backtest_run_list,
    backtest_sweep_get,
    backtest_sweep_list,
    backtest_sweep_progress,
    backtest_sweep_runs,
    backtest_trades,
)
from .serializers import (
    BacktestCreateSerializer,
    BacktestListQuerySerializer,
    BacktestRunSerializer,
    EquityQuerySerializer,
    EquityResponseSerializer,
    MonthlyReturnsResponseSerializer,
    SweepCreateSerializer,
    SweepQuerySerializer,
    SweepSerializer,
    SweepSummarySerializer,
    TradeSerializer,
    trade_rows,
)
from .services import (
    backtest_run_create,
    backtest_run_delete,
    backtest_sweep_create,
)


class RunPagination(BoundedLimitOffsetPagination):
    max_limit = 500


class BacktestListCreateView(generics.ListAPIView):
    """The signed-in user's runs, newest first (?sweep=<id> for one sweep's)."""

    serializer_class = BacktestRunSerializer
    pagination_class = RunPagination

    def get_queryset(self):
        query = validated(BacktestListQuerySerializer, self.request.query_params).validated_data
        return backtest_run_list(
            owner=self.request.user, sweep_id=query.get("sweep"), standalone=query["standalone"]
        )

    @extend_schema(
        parameters=[BacktestListQuerySerializer],
        summary="List your backtests",
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=BacktestCreateSerializer,
        responses={
            202: BacktestRunSerializer,
            400: OpenApiResponse(description="a field is invalid; the body names it"),
            404: OpenApiResponse(description="unknown symbol"),
            429: OpenApiResponse(description="too many of your backtests queued or running"),
        },
        summary="Queue a backtest",
        description=(
            "Validates the strategy parameters (registry schema), the costs and the span "
            "[start, end), stores a queued run and hands it to a worker. Poll the run until its "
            "status is done or failed."
        ),
    )
    def post(self, request: Request) -> Response:
        data = validated(BacktestCreateSerializer, request.data)
        q = data.validated_data
        run = backtest_run_create(
            owner=request.user,
            strategy=q["strategy"],
            symbol=symbol_get(name=q["symbol"], exchange=q.get("exchange")),
            start_ms=q["start"],
            end_ms=q["end"],
            params=q["params"],
            config=data.config(),
            risk_profile=q.get("risk_profile"),
        )
        return Response(BacktestRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class BacktestDetailView(APIView):
    @extend_schema(responses=BacktestRunSerializer, summary="One backtest: status and KPIs")
    def get(self, request: Request, pk: int) -> Response:
        run = backtest_run_get(owner=request.user, run_id=pk)
        return Response(BacktestRunSerializer(run).data)

    @extend_schema(responses={204: None}, summary="Delete a backtest and its trades")
    def delete(self, request: Request, pk: int) -> Response:
        backtest_run_delete(run=backtest_run_get(owner=request.user, run_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BacktestTradesView(APIView):
    @extend_schema(
        responses=TradeSerializer(many=True),
        summary="A backtest's trades in time order (empty until it is done)",
    )
    def get(self, request: Request, pk: int) -> Response:
        run = backtest_run_get(owner=request.user, run_id=pk)
        return Response(trade_rows(backtest_trades(run=run)))


class BacktestEquityView(APIView):
    @extend_schema(
        parameters=[EquityQuerySerializer],
        responses=EquityResponseSerializer,
        summary="A backtest's equity curve, optionally downsampled",
        description=(
            "One point per bar of the span (equity at the bar's close, time = its open). With "
            "?points=N at most N points: the first and last, and the minimum and maximum of "
            "equal buckets, so drawdowns keep their depth. Empty until the run is done."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        query = validated(EquityQuerySerializer, request.query_params).validated_data
        run = backtest_run_get(owner=request.user, run_id=pk)
        series = backtest_equity(run=run, points=query.get("points"))
        equity = [
            {"time": t, "value": v}
            for t, v in zip((series.times_ms // 1000).tolist(), series.values.tolist(), strict=True)
        ]
        return Response(
            {
                "run": run.pk,
                "status": run.status,
                "total": series.total,
                "points": len(equity),
                "equity": equity,
            }
        )


class BacktestMonthlyReturnsView(APIView):
    @extend_schema(
        responses=MonthlyReturnsResponseSerializer,
        summary="A backtest's return per calendar month and per year (UTC)",
        description=(
            "Computed from the full stored equity curve (not a downsampled one): each month's "
            "equity at its last bar over the previous month's, minus one; the first month from "
            "the starting capital. Empty until the run is done."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        run = backtest_run_get(owner=request.user, run_id=pk)
        return Response({"run": run.pk, "status": run.status, **backtest_monthly_returns(run=run)})


class SweepListCreateView(generics.ListAPIView):
    """Your sweeps, newest first, each with its runs per status and best return (the runs list
    shows a sweep as one entry with these); POST queues a new one."""

    serializer_class = SweepSummarySerializer
    pagination_class = RunPagination

    def get_queryset(self):
        return backtest_sweep_list(owner=self.request.user)

    @extend_schema(summary="List your sweeps")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=SweepCreateSerializer,
        responses={
            202: SweepSerializer,
            400: OpenApiResponse(description="a field is invalid, or too many combinations"),
            404: OpenApiResponse(description="unknown symbol"),
            429: OpenApiResponse(description="too many of your backtests queued or running"),
        },
        summary="Queue a parameter sweep",
        description=(
            "One run per combination of the grid's values (cartesian product, at most "
            "BACKTEST_MAX_SWEEP_RUNS, 200 by default), "
            "fanned out over the workers. Combinations that break a cross-field rule of the "
            "strategy are listed in `skipped` instead of run."
        ),
    )
    def post(self, request: Request) -> Response:
        data = validated(SweepCreateSerializer, request.data)
        q = data.validated_data
        sweep = backtest_sweep_create(
            owner=request.user,
            strategy=q["strategy"],
            symbol=symbol_get(name=q["symbol"], exchange=q.get("exchange")),
            start_ms=q["start"],
            end_ms=q["end"],
            grid=q["grid"],
            params=q["params"],
            config=data.config(),
            risk_profile=q.get("risk_profile"),
        )
        return Response(_sweep_payload(sweep, "id"), status=status.HTTP_202_ACCEPTED)


class SweepDetailView(APIView):
    @extend_schema(
        parameters=[SweepQuerySerializer],
        responses=SweepSerializer,
        summary="A sweep's progress and its runs sorted by a KPI (?order=-sharpe)",
    )
    def get(self, request: Request, pk: int) -> Response:
        query = validated(SweepQuerySerializer, request.query_params).validated_data
        sweep = backtest_sweep_get(owner=request.user, sweep_id=pk)
        return Response(_sweep_payload(sweep, query["order"]))


def _sweep_payload(sweep, order: str) -> dict:
    context = {
        "progress": backtest_sweep_progress(sweep=sweep),
        "order": order,
        "runs": backtest_sweep_runs(sweep=sweep, order=order),
    }
    return SweepSerializer(sweep, context=context).data
