"""The dashboard's panels, one endpoint each, routed at /api/execution/dashboard/ by the app's
urls.py (apps/execution/dashboard.py says why they live here). The user's own bots only."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.validation import validated

from . import dashboard
from .models import BotMode


class DashboardPoint(serializers.Serializer):
    time = serializers.IntegerField(help_text="candle open, epoch seconds UTC")
    value = serializers.FloatField()


class DashboardTotalsSerializer(serializers.Serializer):
    mode = serializers.CharField(help_text="paper or live: their money is never added")
    quote = serializers.CharField(help_text="the quote currency of the group's bots")
    bots = serializers.IntegerField()
    open_positions = serializers.IntegerField()
    capital = serializers.CharField(help_text="sum of the starting capitals")
    total_equity = serializers.CharField(help_text="sum of the bots' marked equities")
    total_pnl = serializers.CharField()
    today_pnl = serializers.CharField(help_text="since 00:00 UTC")


class DashboardStalledSerializer(serializers.Serializer):
    bot = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField(help_text="why its decision is late, in words")


class DashboardSummarySerializer(serializers.Serializer):
    bots = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="bots per status")
    open_positions = serializers.IntegerField()
    totals = DashboardTotalsSerializer(many=True, help_text="per (mode, quote), live first")
    stalled = DashboardStalledSerializer(many=True, help_text="running bots whose decision is late")


class DashboardGroupQuery(serializers.Serializer):
    mode = serializers.ChoiceField(choices=BotMode.values, required=False)
    quote = serializers.RegexField(r"^[A-Za-z0-9]{1,16}$", required=False)


class DashboardGroupSerializer(serializers.Serializer):
    mode = serializers.CharField()
    quote = serializers.CharField()


class DashboardEquitySerializer(DashboardGroupSerializer):
    start = serializers.FloatField(help_text="sum of the starting capitals")
    points = DashboardPoint(many=True)


class DashboardDrawdownSerializer(DashboardGroupSerializer):
    max_drawdown = serializers.FloatField(help_text="fraction, <= 0")
    current_drawdown = serializers.FloatField()
    points = DashboardPoint(many=True)


class DashboardDay(serializers.Serializer):
    time = serializers.IntegerField(help_text="00:00 UTC of the day, epoch seconds")
    pnl = serializers.FloatField()


class DashboardPnlByDaySerializer(DashboardGroupSerializer):
    days = DashboardDay(many=True)


class DashboardPositionSerializer(serializers.Serializer):
    bot = serializers.IntegerField()
    name = serializers.CharField()
    symbol = serializers.CharField()
    mode = serializers.CharField()
    side = serializers.CharField()
    size = serializers.CharField()
    entry_price = serializers.CharField()
    entry_time = serializers.IntegerField()


class DashboardEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bot = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    message = serializers.CharField()
    candle = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class DashboardLeader(serializers.Serializer):
    bot = serializers.IntegerField()
    name = serializers.CharField()
    symbol = serializers.CharField()
    strategy = serializers.CharField()
    mode = serializers.CharField()
    status = serializers.CharField()
    total_pnl = serializers.CharField()
    # "return" is a keyword: declared through the fields mapping.


DashboardLeader._declared_fields["return"] = serializers.FloatField(
    help_text="fraction of the capital"
)


class DashboardLeadersSerializer(serializers.Serializer):
    best = DashboardLeader(many=True)
    worst = DashboardLeader(many=True)


class DashboardEventsQuery(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)


def _group(request: Request) -> dashboard.Group:
    """The (mode, quote) group a curve is asked for (?mode=&quote=), by default the first."""
    query = validated(DashboardGroupQuery, request.query_params).validated_data
    return dashboard.dashboard_group(
        owner=request.user, mode=query.get("mode"), quote=query.get("quote")
    )


class DashboardSummaryView(APIView):
    @extend_schema(responses=DashboardSummarySerializer, summary="Totals across your bots")
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_summary(owner=request.user))


class DashboardEquityView(APIView):
    @extend_schema(
        parameters=[DashboardGroupQuery],
        responses=DashboardEquitySerializer,
        summary="Your bots' total marked equity",
    )
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_equity(owner=request.user, group=_group(request)))


class DashboardDrawdownView(APIView):
    @extend_schema(
        parameters=[DashboardGroupQuery],
        responses=DashboardDrawdownSerializer,
        summary="Drawdown of the total equity",
    )
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_drawdown(owner=request.user, group=_group(request)))


class DashboardPnlByDayView(APIView):
    @extend_schema(
        parameters=[DashboardGroupQuery],
        responses=DashboardPnlByDaySerializer,
        summary="Total PnL per UTC day",
    )
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_pnl_by_day(owner=request.user, group=_group(request)))


class DashboardPositionsView(APIView):
    @extend_schema(
        responses=DashboardPositionSerializer(many=True), summary="Open positions of your bots"
    )
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_positions(owner=request.user))


class DashboardEventsView(APIView):
    @extend_schema(
        parameters=[DashboardEventsQuery],
        responses=DashboardEventSerializer(many=True),
        summary="Your bots' last events, newest first",
    )
    def get(self, request: Request) -> Response:
        query = DashboardEventsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["limit"]
        return Response(
            DashboardEventSerializer(
                dashboard.dashboard_events(owner=request.user, limit=limit), many=True
            ).data
        )


class DashboardLeadersView(APIView):
    @extend_schema(responses=DashboardLeadersSerializer, summary="Best and worst bots by total PnL")
    def get(self, request: Request) -> Response:
        return Response(dashboard.dashboard_leaders(owner=request.user))
