"""Input validation and output shapes of the bots API. Candle times go out as epoch seconds UTC
(what the charts take); money as decimal strings (no precision lost)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .models import Bot, BotEvent, BotMode, BotOrder, BotTrade

COST_FIELDS = ("fee_rate", "slippage_bps", "size", "stop_loss", "take_profit", "allow_short")


def seconds(ms: int | None) -> int | None:
    return None if ms is None else int(ms) // 1000


class BotCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    strategy = serializers.CharField(max_length=64, help_text="registry key, e.g. hma-sma")
    symbol = serializers.CharField(max_length=32)
    exchange = serializers.CharField(required=False, max_length=32)
    params = serializers.DictField(required=False, default=dict)
    mode = serializers.CharField(required=False, default=BotMode.PAPER, max_length=8)
    paper_capital = serializers.FloatField(required=False, default=10_000.0)
    fee_rate = serializers.FloatField(required=False)
    slippage_bps = serializers.FloatField(required=False)
    size = serializers.FloatField(required=False, help_text="fraction of equity per entry")
    stop_loss = serializers.FloatField(required=False, allow_null=True)
    take_profit = serializers.FloatField(required=False, allow_null=True)
    allow_short = serializers.BooleanField(required=False)
    staleness_seconds = serializers.FloatField(required=False, allow_null=True)
    risk_profile = serializers.IntegerField(required=False, allow_null=True)
    exchange_account = serializers.IntegerField(
        required=False, allow_null=True, help_text="live bots: one of your exchange accounts"
    )

    def config(self) -> dict[str, Any]:
        return {k: self.validated_data[k] for k in COST_FIELDS if k in self.validated_data}


class BotUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    strategy = serializers.CharField(max_length=64, required=False)
    params = serializers.DictField(required=False)
    fee_rate = serializers.FloatField(required=False)
    slippage_bps = serializers.FloatField(required=False)
    size = serializers.FloatField(required=False)
    stop_loss = serializers.FloatField(required=False, allow_null=True)
    take_profit = serializers.FloatField(required=False, allow_null=True)
    allow_short = serializers.BooleanField(required=False)
    staleness_seconds = serializers.FloatField(required=False, allow_null=True)
    risk_profile = serializers.IntegerField(required=False, allow_null=True)

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: "cannot be changed" for name in unknown})
        return attrs


class BotStopSerializer(serializers.Serializer):
    close_position = serializers.BooleanField(required=False, default=False)


class BotPositionSerializer(serializers.Serializer):
    side = serializers.IntegerField()
    size = serializers.DecimalField(max_digits=40, decimal_places=24)
    entry_price = serializers.DecimalField(max_digits=40, decimal_places=24)
    entry_fee = serializers.DecimalField(max_digits=40, decimal_places=24)
    entry_time = serializers.SerializerMethodField()
    stop_price = serializers.DecimalField(max_digits=40, decimal_places=24, allow_null=True)
    target_price = serializers.DecimalField(max_digits=40, decimal_places=24, allow_null=True)

    def get_entry_time(self, position) -> int:
        return seconds(position.entry_time_ms)


class BotSerializer(serializers.ModelSerializer):
    symbol = serializers.CharField(source="symbol.name")
    exchange = serializers.CharField(source="symbol.exchange")
    position = serializers.SerializerMethodField()
    span_start = serializers.SerializerMethodField()
    last_candle = serializers.SerializerMethodField()

    class Meta:
        model = Bot
        fields = (
            "id",
            "name",
            "strategy",
            "params",
            "symbol",
            "exchange",
            "timeframe",
            "mode",
            "exchange_account",
            "paper_capital",
            *COST_FIELDS,
            "staleness_seconds",
            "risk_profile",
            "risk_limits",
            "status",
            "status_message",
            "equity",
            "peak_equity",
            "position",
            "span_start",
            "last_candle",
            "started_at",
            "stopped_at",
            "created_at",
        )

    def get_position(self, bot) -> dict | None:
        position = getattr(bot, "position", None)
        return None if position is None else BotPositionSerializer(position).data

    def get_span_start(self, bot) -> int | None:
        return seconds(bot.span_start_ms)

    def get_last_candle(self, bot) -> int | None:
        return seconds(bot.last_candle_ms)


class BotOrderSerializer(serializers.ModelSerializer):
    candle = serializers.SerializerMethodField()
    fill_candle = serializers.SerializerMethodField()

    class Meta:
        model = BotOrder
        fields = (
            "id",
            "client_order_id",
            "candle",
            "leg",
            "side",
            "position_side",
            "kind",
            "quantity",
            "trigger_price",
            "state",
            "state_message",
            "exchange_order_id",
            "filled_quantity",
            "average_price",
            "fee",
            "fill_candle",
            "created_at",
            "submitted_at",
            "updated_at",
        )

    def get_candle(self, order) -> int:
        return seconds(order.candle_ms)

    def get_fill_candle(self, order) -> int | None:
        return seconds(order.fill_candle_ms)


class BotTradeSerializer(serializers.ModelSerializer):
    entry_time = serializers.SerializerMethodField()
    exit_time = serializers.SerializerMethodField()
    entry_order = serializers.CharField(source="entry_order.client_order_id")
    exit_order = serializers.CharField(source="exit_order.client_order_id")

    class Meta:
        model = BotTrade
        fields = (
            "number",
            "side",
            "entry_time",
            "exit_time",
            "size",
            "entry_price",
            "exit_price",
            "entry_fee",
            "exit_fee",
            "pnl",
            "return_fraction",
            "exit_reason",
            "entry_order",
            "exit_order",
        )

    def get_entry_time(self, trade) -> int:
        return seconds(trade.entry_time)

    def get_exit_time(self, trade) -> int:
        return seconds(trade.exit_time)


class BotEventSerializer(serializers.ModelSerializer):
    candle = serializers.SerializerMethodField()

    class Meta:
        model = BotEvent
        fields = ("id", "kind", "message", "data", "candle", "created_at")

    def get_candle(self, event) -> int | None:
        return seconds(event.candle_ms)


class EventQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=100, min_value=1, max_value=500)
    kind = serializers.CharField(required=False, max_length=16)


class BotEquityPointSerializer(serializers.Serializer):
    time = serializers.IntegerField(help_text="candle open, epoch seconds UTC")
    value = serializers.FloatField(help_text="equity marked at the candle's close")


class BotEquitySerializer(serializers.Serializer):
    bot = serializers.IntegerField()
    points = serializers.IntegerField()
    equity = BotEquityPointSerializer(many=True)


class BotReconciliationSerializer(serializers.Serializer):
    bot = serializers.IntegerField()
    summary = serializers.DictField(
        help_text="counts, matched, largest differences, PnL difference, identical"
    )
    trades = serializers.ListField(
        child=serializers.DictField(),
        help_text="{bot, backtest, differences} per trade, by entry time",
    )
