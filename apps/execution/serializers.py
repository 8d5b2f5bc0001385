"""Input validation and output shapes of the bots API. Candle times go out as epoch seconds UTC
(what the charts take); money as decimal strings (no precision lost)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.analytics.engine import CONFIG_BOUNDS
from apps.analytics.serializers import CostsInput
from apps.strategies.serializers import ParamValuesField, StrategyLabelField
from config.validation import BoundedNumberField, IdField

from .models import (
    STALENESS_BOUND,
    STOP_LIMIT_OFFSET_BOUND,
    Bot,
    BotEvent,
    BotMode,
    BotOrder,
    BotStatus,
    BotTrade,
)

COST_FIELDS = ("fee_rate", "slippage_bps", "size", "stop_loss", "take_profit", "allow_short")


def seconds(ms: int | None) -> int | None:
    return None if ms is None else int(ms) // 1000


# Schemas of the JSON the API hands over as-is (typed, for the generated front-end types).
RISK_LIMITS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "number", "nullable": True},
    "nullable": True,
    "description": "the risk profile's values the bot uses (null: no profile)",
}


@extend_schema_field(RISK_LIMITS_SCHEMA)
class RiskLimitsField(serializers.JSONField):
    """The profile's values copied onto the bot."""


class BotCreateSerializer(CostsInput):
    """A new bot: stopped until started."""

    name = serializers.CharField(max_length=100)
    strategy = serializers.CharField(max_length=64, help_text="registry key, e.g. hma-sma")
    symbol = serializers.CharField(max_length=32)
    exchange = serializers.CharField(required=False, max_length=32)
    params = serializers.DictField(required=False, default=dict)
    mode = serializers.CharField(required=False, default=BotMode.PAPER, max_length=8)
    paper_capital = BoundedNumberField(CONFIG_BOUNDS["initial_capital"], default=10_000.0)
    staleness_seconds = BoundedNumberField(STALENESS_BOUND)
    stop_limit_offset = BoundedNumberField(STOP_LIMIT_OFFSET_BOUND, required=False)
    risk_profile = IdField(required=False, allow_null=True)
    exchange_account = IdField(
        required=False, allow_null=True, help_text="live bots: one of your exchange accounts"
    )

    def config(self) -> dict[str, Any]:
        return {k: self.validated_data[k] for k in COST_FIELDS if k in self.validated_data}


class BotUpdateSerializer(CostsInput):
    """The name any time; strategy, parameters and costs while the bot is stopped."""

    name = serializers.CharField(max_length=100, required=False)
    strategy = serializers.CharField(max_length=64, required=False)
    params = serializers.DictField(required=False)
    staleness_seconds = BoundedNumberField(STALENESS_BOUND)
    stop_limit_offset = BoundedNumberField(STOP_LIMIT_OFFSET_BOUND, required=False)
    risk_profile = IdField(required=False, allow_null=True)

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError({name: "cannot be changed" for name in unknown})
        return attrs


class BotStopSerializer(serializers.Serializer):
    close_position = serializers.BooleanField(required=False, default=False)


class StopAllSerializer(serializers.Serializer):
    close_positions = serializers.BooleanField(
        help_text="also close every open position at market (stopped bots' too)"
    )


class StopOutcomeSerializer(serializers.Serializer):
    bot_id = serializers.IntegerField()
    name = serializers.CharField()
    mode = serializers.ChoiceField(choices=BotMode.choices)
    before = serializers.ChoiceField(choices=BotStatus.choices, help_text="its status before")
    status = serializers.ChoiceField(choices=BotStatus.choices, help_text="its status after")
    outcome = serializers.ChoiceField(choices=["stopped", "closing", "already stopped", "refused"])
    message = serializers.CharField(allow_blank=True)


class StopAllResultSerializer(serializers.Serializer):
    results = StopOutcomeSerializer(many=True)


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
    params = ParamValuesField(read_only=True)
    risk_limits = RiskLimitsField(read_only=True)
    symbol = serializers.CharField(source="symbol.name")
    exchange = serializers.CharField(source="symbol.exchange")
    quote = serializers.CharField(source="symbol.quote", help_text="the currency of its money")
    position = serializers.SerializerMethodField()
    span_start = serializers.SerializerMethodField()
    last_candle = serializers.SerializerMethodField()
    marked_equity = serializers.SerializerMethodField(
        help_text="equity marked at the close of the last candle decided (position included)"
    )
    total_pnl = serializers.SerializerMethodField(help_text="marked equity - starting capital")
    today_pnl = serializers.SerializerMethodField(
        help_text="marked equity - marked equity at 00:00 UTC today"
    )
    last_decision_at = serializers.SerializerMethodField()
    strategy_name = StrategyLabelField()
    stalled = serializers.SerializerMethodField(
        help_text="why a running bot's decision is late (health.py), in words; empty when not"
    )

    class Meta:
        model = Bot
        fields = (
            "id",
            "name",
            "strategy",
            "strategy_name",
            "params",
            "symbol",
            "exchange",
            "quote",
            "timeframe",
            "mode",
            "exchange_account",
            "paper_capital",
            *COST_FIELDS,
            "staleness_seconds",
            "stop_limit_offset",
            "risk_profile",
            "risk_limits",
            "status",
            "status_message",
            "books_warning",
            "stalled",
            "equity",
            "peak_equity",
            "position",
            "span_start",
            "last_candle",
            "started_at",
            "stopped_at",
            "created_at",
            "marked_equity",
            "total_pnl",
            "today_pnl",
            "last_decision_at",
            "event_seq",
        )
        read_only_fields = fields  # an output shape: creating and changing have their own

    def get_stalled(self, bot) -> str:
        stall = self.context.get("stalls", {}).get(bot.pk)
        return stall.reason if stall is not None else ""

    def get_marked_equity(self, bot) -> str:
        return str(getattr(bot, "marked_equity", bot.equity))

    def get_total_pnl(self, bot) -> str:
        return str(getattr(bot, "marked_equity", bot.equity) - bot.paper_capital)

    def get_today_pnl(self, bot) -> str:
        marked = getattr(bot, "marked_equity", bot.equity)
        return str(marked - getattr(bot, "day_start_equity", bot.paper_capital))

    def get_last_decision_at(self, bot) -> datetime | None:
        return getattr(bot, "last_decision_at", None)

    @extend_schema_field(BotPositionSerializer(allow_null=True))
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
            "limit_price",
            "target_price",
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
    data = serializers.DictField(
        child=serializers.JSONField(help_text="the event's details (order id, reasons, ...)")
    )

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


class ReconciledTradeSerializer(serializers.Serializer):
    """One side of a reconciled pair: times in epoch ms, prices and money as floats."""

    side = serializers.CharField()
    entry_time = serializers.IntegerField()
    exit_time = serializers.IntegerField(allow_null=True)
    exit_reason = serializers.CharField(help_text="open: the bot's position, not closed yet")
    entry_price = serializers.FloatField()
    exit_price = serializers.FloatField(allow_null=True)
    size = serializers.FloatField()
    entry_fee = serializers.FloatField()
    exit_fee = serializers.FloatField(allow_null=True)
    pnl = serializers.FloatField(allow_null=True)


class ReconciledPairSerializer(serializers.Serializer):
    bot = ReconciledTradeSerializer(allow_null=True)
    backtest = ReconciledTradeSerializer(allow_null=True)
    differences = serializers.DictField(
        child=serializers.FloatField(), allow_null=True, help_text="bot minus backtest"
    )


class ReconciliationSummarySerializer(serializers.Serializer):
    bot_trades = serializers.IntegerField()
    backtest_trades = serializers.IntegerField()
    matched = serializers.IntegerField()
    unmatched = serializers.IntegerField()
    max_abs_difference = serializers.DictField(child=serializers.FloatField())
    bot_pnl = serializers.FloatField()
    backtest_pnl_closed = serializers.FloatField()
    pnl_difference = serializers.FloatField()
    span_start_ms = serializers.IntegerField(allow_null=True)
    span_end_ms = serializers.IntegerField(allow_null=True)
    identical = serializers.BooleanField()


class BotReconciliationSerializer(serializers.Serializer):
    bot = serializers.IntegerField()
    summary = ReconciliationSummarySerializer(
        help_text="counts, matched, largest differences, PnL difference, identical"
    )
    trades = ReconciledPairSerializer(
        many=True, help_text="{bot, backtest, differences} per trade, by entry time"
    )
