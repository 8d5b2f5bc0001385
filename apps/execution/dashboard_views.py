"""The dashboard's panels, one endpoint each, routed at /api/analytics/dashboard/ by
config/urls.py (apps/execution/dashboard.py says why they live here). The user's own bots only."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import dashboard


class _Point(serializers.Serializer):
    time = serializers.IntegerField(help_text="candle open, epoch seconds UTC")
    value = serializers.FloatField()


class SummarySerializer(serializers.Serializer):
    bots = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="bots per status")
    open_positions = serializers.IntegerField()
    capital = serializers.CharField(help_text="sum of the starting capitals")
    total_equity = serializers.CharField(help_text="sum of the bots' marked equities")
    total_pnl = serializers.CharField()
    today_pnl = serializers.CharField(help_text="since 00:00 UTC")


class EquitySerializer(serializers.Serializer):
    start = serializers.FloatField(help_text="sum of the starting capitals")
    points = _Point(many=True)


class DrawdownSerializer(serializers.Serializer):
    max_drawdown = serializers.FloatField(help_text="fraction, <= 0")
    current_drawdown = serializers.FloatField()
    points = _Point(many=True)


class _Day(serializers.Serializer):
    time = serializers.IntegerField(help_text="00:00 UTC of the day, epoch seconds")
    pnl = serializers.FloatField()


class PnlByDaySerializer(serializers.Serializer):
    days = _Day(many=True)


class PositionSerializer(serializers.Serializer):
    bot = serializers.IntegerField()
    name = serializers.CharField()
    symbol = serializers.CharField()
    mode = serializers.CharField()
    side = serializers.CharField()
    size = serializers.CharField()
    entry_price = serializers.CharField()
    entry_time = serializers.IntegerField()


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bot = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    message = serializers.CharField()
    candle = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class _Leader(serializers.Serializer):
    bot = serializers.IntegerField()
    name = serializers.CharField()
    symbol = serializers.CharField()
    strategy = serializers.CharField()
    mode = serializers.CharField()
    status = serializers.CharField()
    total_pnl = serializers.CharField()
    # "return" is a keyword: declared through the fields mapping.


_Leader._declared_fields["return"] = serializers.FloatField(help_text="fraction of the capital")


class LeadersSerializer(serializers.Serializer):
    best = _Leader(many=True)
    worst = _Leader(many=True)


class EventsQuery(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)


class DashboardSummaryView(APIView):
    @extend_schema(responses=SummarySerializer, summary="Totals across your bots")
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_summary(owner=request.user))


class DashboardEquityView(APIView):
    @extend_schema(responses=EquitySerializer, summary="Your bots' total marked equity")
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_equity(owner=request.user))


class DashboardDrawdownView(APIView):
    @extend_schema(responses=DrawdownSerializer, summary="Drawdown of the total equity")
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_drawdown(owner=request.user))


class DashboardPnlByDayView(APIView):
    @extend_schema(responses=PnlByDaySerializer, summary="Total PnL per UTC day")
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_pnl_by_day(owner=request.user))


class DashboardPositionsView(APIView):
    @extend_schema(responses=PositionSerializer(many=True), summary="Open positions of your bots")
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_positions(owner=request.user))


class DashboardEventsView(APIView):
    @extend_schema(
        parameters=[EventsQuery],
        responses=EventSerializer(many=True),
        summary="Your bots' last events, newest first",
    )
    def get(self, request: Request) -> Response:
        query = EventsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["limit"]
        return Response(
            EventSerializer(
                dashboard.dashboard_events(owner=request.user, limit=limit), many=True
            ).data
        )


class DashboardLeadersView(APIView):
    @extend_schema(responses=LeadersSerializer, summary="Best and worst bots by total PnL")
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_leaders(owner=request.user))
