"""Bots API (docs/bots.md): create, list, read, change, delete, start and stop a bot; its orders,
trades, equity, events and its reconciliation with a backtest. Owner only: anyone else's bot
answers 404, as a missing one."""

from __future__ import annotations

import time

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.datafeeds.selectors import symbol_get
from config.validation import validated

from .health import bots_stalled
from .selectors import bot_equity, bot_events, bot_get, bot_list, bot_orders, bot_trades
from .serializers import (
    BotCreateSerializer,
    BotEquitySerializer,
    BotEventSerializer,
    BotOrderSerializer,
    BotReconciliationSerializer,
    BotSerializer,
    BotStopSerializer,
    BotTradeSerializer,
    BotUpdateSerializer,
    EventQuerySerializer,
    StopAllResultSerializer,
    StopAllSerializer,
)
from .services.bots import (
    bot_create,
    bot_delete,
    bot_start,
    bot_stop,
    bot_update,
    bots_stop_all,
)
from .services.reconciliation import bot_reconciliation, bot_reconciliation_backtest


def bots_data(bots, *, many: bool = True):
    """Bots as the API shows them, each with its stall (if any) said in words."""
    rows = list(bots) if many else [bots]
    stalls = bots_stalled(rows, now_ms=int(time.time() * 1000))
    return BotSerializer(rows if many else bots, many=many, context={"stalls": stalls}).data


class BotListCreateView(APIView):
    @extend_schema(responses=BotSerializer(many=True), summary="Your bots, newest first")
    def get(self, request: Request) -> Response:
        return Response(bots_data(bot_list(owner=request.user)))

    @extend_schema(
        request=BotCreateSerializer,
        responses={
            201: BotSerializer,
            400: OpenApiResponse(description="a field is invalid (the body names it)"),
            404: OpenApiResponse(description="unknown symbol, or not the candles it needs"),
        },
        summary="Create a bot (stopped)",
    )
    def post(self, request: Request) -> Response:
        data = validated(BotCreateSerializer, request.data)
        q = data.validated_data
        bot = bot_create(
            owner=request.user,
            name=q["name"],
            strategy=q["strategy"],
            symbol=symbol_get(name=q["symbol"], exchange=q.get("exchange")),
            params=q["params"],
            mode=q["mode"],
            paper_capital=q["paper_capital"],
            config=data.config(),
            staleness_seconds=q.get("staleness_seconds"),
            stop_limit_offset=q.get("stop_limit_offset"),
            risk_profile=q.get("risk_profile"),
            exchange_account=q.get("exchange_account"),
        )
        bot = bot_get(owner=request.user, bot_id=bot.pk)
        return Response(BotSerializer(bot).data, status=status.HTTP_201_CREATED)


class BotDetailView(APIView):
    @extend_schema(responses=BotSerializer, summary="One bot: status, equity, position")
    def get(self, request: Request, pk: int) -> Response:
        return Response(bots_data(bot_get(owner=request.user, bot_id=pk), many=False))

    @extend_schema(
        request=BotUpdateSerializer,
        responses={200: BotSerializer, 409: OpenApiResponse(description="stop it first")},
        summary="Rename a bot, or change its strategy, parameters and costs while stopped",
    )
    def patch(self, request: Request, pk: int) -> Response:
        bot = bot_get(owner=request.user, bot_id=pk)
        changes = validated(BotUpdateSerializer, request.data).validated_data
        bot_update(bot=bot, changes=changes)
        return Response(bots_data(bot_get(owner=request.user, bot_id=pk), many=False))

    @extend_schema(responses={204: None, 409: OpenApiResponse(description="stop it first")})
    def delete(self, request: Request, pk: int) -> Response:
        bot_delete(bot=bot_get(owner=request.user, bot_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BotStartView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: BotSerializer,
            404: OpenApiResponse(description="the symbol lacks the candles the strategy needs"),
            409: OpenApiResponse(description="already running"),
        },
        summary="Start a bot: it decides at the close of every candle from now on",
    )
    def post(self, request: Request, pk: int) -> Response:
        bot = bot_get(owner=request.user, bot_id=pk)
        bot_start(bot=bot)
        return Response(bots_data(bot_get(owner=request.user, bot_id=pk), many=False))


class BotStopView(APIView):
    @extend_schema(
        request=BotStopSerializer,
        responses=BotSerializer,
        summary="Stop a bot: cancel its open orders; optionally close its position at market",
    )
    def post(self, request: Request, pk: int) -> Response:
        q = validated(BotStopSerializer, request.data).validated_data
        bot = bot_get(owner=request.user, bot_id=pk)
        bot_stop(bot=bot, close_position=q["close_position"])
        return Response(bots_data(bot_get(owner=request.user, bot_id=pk), many=False))


class BotsStopAllView(APIView):
    @extend_schema(
        request=StopAllSerializer,
        responses=StopAllResultSerializer,
        summary="Stop all your bots at once, closing their positions or not (idempotent)",
        description="One outcome per bot: stopped, closing (its position), already stopped, or "
        "refused with the reason. Asking again changes nothing more.",
    )
    def post(self, request: Request) -> Response:
        q = validated(StopAllSerializer, request.data).validated_data
        outcomes = bots_stop_all(owner=request.user, close_positions=q["close_positions"])
        return Response(StopAllResultSerializer({"results": outcomes}).data)


class BotOrdersView(APIView):
    @extend_schema(responses=BotOrderSerializer(many=True), summary="A bot's orders, newest first")
    def get(self, request: Request, pk: int) -> Response:
        bot = bot_get(owner=request.user, bot_id=pk)
        return Response(BotOrderSerializer(bot_orders(bot=bot), many=True).data)


class BotTradesView(APIView):
    @extend_schema(responses=BotTradeSerializer(many=True), summary="A bot's closed trades")
    def get(self, request: Request, pk: int) -> Response:
        bot = bot_get(owner=request.user, bot_id=pk)
        trades = bot_trades(bot=bot).select_related("entry_order", "exit_order")
        return Response(BotTradeSerializer(trades, many=True).data)


class BotEquityView(APIView):
    @extend_schema(
        responses=BotEquitySerializer,
        summary="A bot's equity at the close of every candle it decided",
    )
    def get(self, request: Request, pk: int) -> Response:
        bot = bot_get(owner=request.user, bot_id=pk)
        points = [{"time": t // 1000, "value": v} for t, v in bot_equity(bot=bot)]
        return Response({"bot": bot.pk, "points": len(points), "equity": points})


class BotEventsView(APIView):
    @extend_schema(
        parameters=[EventQuerySerializer],
        responses=BotEventSerializer(many=True),
        summary="A bot's event log, newest first (?kind=error&limit=100)",
    )
    def get(self, request: Request, pk: int) -> Response:
        q = validated(EventQuerySerializer, request.query_params).validated_data
        bot = bot_get(owner=request.user, bot_id=pk)
        events = bot_events(bot=bot, limit=q["limit"], kind=q.get("kind"))
        return Response(BotEventSerializer(events, many=True).data)


class BotReconciliationView(APIView):
    @extend_schema(
        responses=BotReconciliationSerializer,
        summary="The bot's trades next to a backtest over its running span, trade by trade",
        description=(
            "Pairs by entry time with the differences (bot minus backtest) in prices, size, "
            "fees and PnL, and a summary. For a paper bot every difference is zero."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        bot = bot_get(owner=request.user, bot_id=pk)
        report = bot_reconciliation(bot=bot)
        body = {"bot": bot.pk, "summary": report.summary, "trades": report.rows}
        return Response(BotReconciliationSerializer(body).data)


class BacktestLinkSerializer(serializers.Serializer):
    run = serializers.IntegerField(help_text="the backtest run: /api/analytics/backtests/<run>/")
    status = serializers.CharField()


class BotReconciliationBacktestView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: BacktestLinkSerializer,
            409: OpenApiResponse(description="the bot has decided no candle yet"),
        },
        summary="A stored backtest of the bot's running span, to open beside the reconciliation",
    )
    def post(self, request: Request, pk: int) -> Response:
        bot = bot_get(owner=request.user, bot_id=pk)
        run = bot_reconciliation_backtest(bot=bot)
        return Response({"run": run.pk, "status": run.status})
