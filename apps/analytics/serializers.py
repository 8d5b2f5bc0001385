"""Input validation and output shapes of the backtest API. Times out are epoch seconds UTC (what
the charts take); the costs' ranges are the engine's CONFIG_BOUNDS, checked here and again by the
service."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.datafeeds.serializers import TimeField
from apps.datafeeds.timeframes import TIMEFRAMES
from apps.datafeeds.times import TIME_OPENAPI_SCHEMA
from apps.strategies.serializers import ParamValuesField, StrategyLabelField
from config.validation import BoundedNumberField, IdField

from .engine import CONFIG_BOUNDS
from .models import BacktestRun, BacktestStatus, BacktestSweep
from .selectors import SWEEP_ORDER_KEYS

MAX_EQUITY_POINTS = 100_000
# A sweep is queued until a run starts and done when none is left (failed runs included).
SWEEP_STATUSES = ("queued", "running", "done")
TRADE_SIDES = ("long", "short")


@extend_schema_field(OpenApiTypes.INT)
class EpochSecondsField(serializers.ReadOnlyField):
    """An epoch-ms model field shown as epoch seconds."""

    def to_representation(self, value: int) -> int:
        return int(value) // 1000


@extend_schema_field(TIME_OPENAPI_SCHEMA)
class _TimeField(TimeField):
    """YYYY-MM-DD, an ISO 8601 datetime or epoch seconds, UTC (epoch ms inside)."""


class CostsInput(serializers.Serializer):
    """The costs and sizing a backtest and a bot share, in the engine's bounds (CONFIG_BOUNDS)."""

    fee_rate = BoundedNumberField(CONFIG_BOUNDS["fee_rate"])
    slippage_bps = BoundedNumberField(CONFIG_BOUNDS["slippage_bps"])
    size = BoundedNumberField(CONFIG_BOUNDS["size"])
    stop_loss = BoundedNumberField(CONFIG_BOUNDS["stop_loss"])
    take_profit = BoundedNumberField(CONFIG_BOUNDS["take_profit"])
    allow_short = serializers.BooleanField(required=False)


class _SpanInput(CostsInput):
    """What every backtest input shares: strategy, market, span [start, end), costs."""

    # Checked against the registry by the service (unknown keys: 400 naming "strategy").
    strategy = serializers.CharField(max_length=64, help_text="registry key, e.g. hma-sma")
    symbol = serializers.CharField(max_length=32)
    exchange = serializers.CharField(required=False, max_length=32)
    start = _TimeField(help_text="YYYY-MM-DD, ISO 8601 or epoch seconds (UTC), inclusive")
    end = _TimeField(help_text="as start, exclusive")
    initial_capital = BoundedNumberField(CONFIG_BOUNDS["initial_capital"])
    risk_profile = IdField(
        required=False,
        allow_null=True,
        help_text="id of one of your risk profiles: it sizes and allows every entry and sets "
        "the stop-loss and take-profit (then leave size, stop_loss and take_profit out)",
    )

    CONFIG_FIELDS = (
        "initial_capital",
        "fee_rate",
        "slippage_bps",
        "size",
        "stop_loss",
        "take_profit",
        "allow_short",
    )

    def config(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in self.CONFIG_FIELDS}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "number", "nullable": True},
        "nullable": True,
        "description": "KPI name -> value (null when not finite); null until the run is done",
    }
)
class KpisField(serializers.JSONField):
    """The engine's KPIs."""


@extend_schema_field(
    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "number"}}}
)
class GridField(serializers.JSONField):
    """{parameter: [values]}."""


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "params": {"type": "object", "additionalProperties": {"type": "number"}},
                "errors": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "required": ["params", "errors"],
        },
    }
)
class SkippedField(serializers.JSONField):
    """Combinations a strategy's cross-field rules left out, with the reasons."""


class BacktestConfigSerializer(CostsInput):
    """Costs and sizing shared by a sweep's runs (only those given at creation)."""

    initial_capital = BoundedNumberField(CONFIG_BOUNDS["initial_capital"])


def _object(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise serializers.ValidationError(f"must be an object of {what}")
    return value


class BacktestCreateSerializer(_SpanInput):
    params = ParamValuesField(
        required=False, default=dict, help_text="strategy parameters; defaults fill the rest"
    )

    def validate_params(self, value: Any) -> dict:
        return _object(value, "parameter values")


class SweepCreateSerializer(_SpanInput):
    params = ParamValuesField(
        required=False, default=dict, help_text="parameters fixed for every run"
    )
    grid = GridField(
        help_text='{"sma_period": [100, 200], "hma_period": [50, 100]}: one run per combination'
    )

    def validate_params(self, value: Any) -> dict:
        return _object(value, "parameter values")

    def validate_grid(self, value: Any) -> dict:
        return _object(value, "parameter name: [values]")


class BacktestRunSerializer(serializers.ModelSerializer):
    symbol = serializers.CharField(source="symbol.name", read_only=True)
    exchange = serializers.CharField(source="symbol.exchange", read_only=True)
    simulated = serializers.BooleanField(
        source="symbol.is_simulated", read_only=True, help_text="the demo's simulated market"
    )
    start = EpochSecondsField(source="start_ms")
    end = EpochSecondsField(source="end_ms")
    data_start = serializers.SerializerMethodField(
        help_text="epoch seconds UTC: the first bar the stored data gave (null until done)"
    )
    data_end = serializers.SerializerMethodField(
        help_text="epoch seconds UTC: the close of the last bar the stored data gave"
    )
    params = ParamValuesField(read_only=True)
    kpis = KpisField(read_only=True)
    strategy_name = StrategyLabelField()

    class Meta:
        model = BacktestRun
        fields = [
            "id",
            "status",
            "progress",
            "error",
            "strategy",
            "strategy_name",
            "params",
            "symbol",
            "exchange",
            "simulated",
            "timeframe",
            "start",
            "end",
            "data_start",
            "data_end",
            "warmup_bars",
            *_SpanInput.CONFIG_FIELDS,
            "risk_profile",
            "risk_limits",
            "risk_report",
            "kpis",
            "bars",
            "sweep",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_data_start(self, run: BacktestRun) -> int | None:
        return None if run.data_start_ms is None else run.data_start_ms // 1000

    def get_data_end(self, run: BacktestRun) -> int | None:
        return None if run.data_end_ms is None else run.data_end_ms // 1000


class TradeSerializer(serializers.Serializer):
    """One trade of the trades endpoint (the view builds rows directly for speed)."""

    number = serializers.IntegerField()
    side = serializers.ChoiceField(choices=TRADE_SIDES)
    entry_time = serializers.IntegerField(help_text="epoch seconds UTC")
    exit_time = serializers.IntegerField(help_text="epoch seconds UTC")
    entry_price = serializers.FloatField()
    exit_price = serializers.FloatField()
    size = serializers.FloatField(help_text="units of the base asset")
    entry_fee = serializers.FloatField()
    exit_fee = serializers.FloatField()
    pnl = serializers.FloatField(help_text="net of fees, quote currency")
    return_fraction = serializers.FloatField()
    exit_reason = serializers.ChoiceField(
        choices=["signal", "stop_loss", "take_profit", "end", "kill_switch"]
    )


def trade_rows(trades: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for trade in trades:
        trade["entry_time"] //= 1000
        trade["exit_time"] //= 1000
    return trades


class BacktestListQuerySerializer(serializers.Serializer):
    sweep = IdField(required=False, help_text="only this sweep's runs")
    standalone = serializers.BooleanField(
        required=False, default=False, help_text="only runs that belong to no sweep"
    )


class EquityQuerySerializer(serializers.Serializer):
    points = serializers.IntegerField(
        required=False,
        min_value=4,
        max_value=MAX_EQUITY_POINTS,
        help_text="at most this many points: the min and max of equal buckets, first and last",
    )


class EquityPointSerializer(serializers.Serializer):
    time = serializers.IntegerField(help_text="bar open time, epoch seconds UTC")
    value = serializers.FloatField(help_text="equity at that bar's close")


class EquityResponseSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BacktestStatus.choices)
    total = serializers.IntegerField(help_text="bars in the stored curve")
    points = serializers.IntegerField(help_text="points returned")
    equity = EquityPointSerializer(many=True)


class PeriodReturnSerializer(serializers.Serializer):
    period = serializers.CharField(help_text='a calendar month "YYYY-MM" or year "YYYY", UTC')
    return_fraction = serializers.FloatField(
        allow_null=True,
        help_text="equity at the period's last bar over that at the previous period's last bar "
        "(the starting capital for the first), minus one; null when not finite",
    )


class MonthlyReturnsResponseSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    status = serializers.ChoiceField(choices=BacktestStatus.choices)
    months = PeriodReturnSerializer(
        many=True, help_text="oldest first; months without a bar are absent"
    )
    years = PeriodReturnSerializer(many=True, help_text="the same per calendar year")


class SweepQuerySerializer(serializers.Serializer):
    order = serializers.ChoiceField(
        choices=[*SWEEP_ORDER_KEYS, *(f"-{key}" for key in SWEEP_ORDER_KEYS)],
        required=False,
        default="id",
        help_text="a KPI name (or id), '-' for descending; runs without it come last",
    )


class SweepRunSerializer(serializers.ModelSerializer):
    params = ParamValuesField(read_only=True)
    kpis = KpisField(read_only=True)

    class Meta:
        model = BacktestRun
        fields = ["id", "status", "progress", "error", "params", "kpis", "risk_report", "attempts"]
        read_only_fields = fields


class RunCountsSerializer(serializers.Serializer):
    """A sweep's runs per status."""

    queued = serializers.IntegerField()
    running = serializers.IntegerField()
    done = serializers.IntegerField()
    failed = serializers.IntegerField()


class SweepSummarySerializer(serializers.ModelSerializer):
    """A sweep in the list of your sweeps: what it ran, its runs per status and its best return
    (annotated by selectors.backtest_sweep_list)."""

    strategy_name = StrategyLabelField()
    symbol = serializers.CharField(source="symbol.name", read_only=True)
    exchange = serializers.CharField(source="symbol.exchange", read_only=True)
    start = EpochSecondsField(source="start_ms")
    end = EpochSecondsField(source="end_ms")
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES, read_only=True)
    params = ParamValuesField(read_only=True, help_text="parameters fixed for every run")
    grid = GridField(read_only=True)
    counts = serializers.SerializerMethodField()
    best_total_return = serializers.FloatField(
        read_only=True, allow_null=True, help_text="the best total return of its done runs"
    )

    class Meta:
        model = BacktestSweep
        fields = [
            "id",
            "strategy",
            "strategy_name",
            "symbol",
            "exchange",
            "timeframe",
            "start",
            "end",
            "params",
            "grid",
            "created_at",
            "counts",
            "best_total_return",
        ]
        read_only_fields = fields

    @extend_schema_field(RunCountsSerializer)
    def get_counts(self, sweep: BacktestSweep) -> dict[str, int]:
        return {status: getattr(sweep, f"n_{status}") for status in BacktestStatus.values}


class SweepSerializer(serializers.ModelSerializer):
    """A sweep with its progress and its runs (given in the context, sorted by the view)."""

    symbol = serializers.CharField(source="symbol.name", read_only=True)
    exchange = serializers.CharField(source="symbol.exchange", read_only=True)
    start = EpochSecondsField(source="start_ms")
    end = EpochSecondsField(source="end_ms")
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES, read_only=True)
    params = ParamValuesField(read_only=True, help_text="parameters fixed for every run")
    grid = GridField(read_only=True)
    skipped = SkippedField(read_only=True)
    config = BacktestConfigSerializer(read_only=True)
    status = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    order = serializers.SerializerMethodField()
    runs = serializers.SerializerMethodField()

    class Meta:
        model = BacktestSweep
        fields = [
            "id",
            "strategy",
            "symbol",
            "exchange",
            "timeframe",
            "start",
            "end",
            "params",
            "grid",
            "skipped",
            "config",
            "risk_profile",
            "risk_limits",
            "created_at",
            "status",
            "counts",
            "order",
            "runs",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=SWEEP_STATUSES))
    def get_status(self, sweep: BacktestSweep) -> str:
        return self.context["progress"]["status"]

    @extend_schema_field(RunCountsSerializer)
    def get_counts(self, sweep: BacktestSweep) -> dict[str, int]:
        return self.context["progress"]["counts"]

    @extend_schema_field(serializers.CharField())
    def get_order(self, sweep: BacktestSweep) -> str:
        return self.context["order"]

    @extend_schema_field(SweepRunSerializer(many=True))
    def get_runs(self, sweep: BacktestSweep) -> list:
        return SweepRunSerializer(self.context["runs"], many=True).data
