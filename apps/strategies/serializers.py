from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.datafeeds.serializers import CandleSerializer, CandlesQuerySerializer
from apps.datafeeds.timeframes import TIMEFRAMES

from .models import Strategy
from .registry import strategy_specs


class StrategyRunQuerySerializer(CandlesQuerySerializer):
    """The candles query (symbol, timeframe, limit, start, end, exchange); strategy parameter
    overrides come as further query parameters and are checked against the registry schema."""


# JSON the API stores as-is, typed for the schema (and the generated front-end types).
@extend_schema_field(
    {"type": "object", "additionalProperties": {"type": "number"}, "example": {"sma_period": 200}}
)
class ParamValuesField(serializers.JSONField):
    """Strategy parameters: {name: value}."""


class StrategySerializer(serializers.ModelSerializer):
    key = serializers.ChoiceField(choices=[])
    params = ParamValuesField(required=False, default=dict)

    class Meta:
        model = Strategy
        fields = ["id", "key", "name", "params", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [spec.key for spec in strategy_specs()]

    def validate_params(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("must be an object of parameter values")
        return value

    def validate(self, attrs):
        # Parameter values are checked against the registry schema by the services.
        owner = self.context["request"].user
        name = attrs.get("name", getattr(self.instance, "name", None))
        clash = Strategy.objects.filter(owner=owner, name=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"name": "you already have a strategy with this name"}
            )
        return attrs


class ParamSchemaSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["integer", "number"])
    default = serializers.FloatField()
    minimum = serializers.FloatField()
    maximum = serializers.FloatField()
    description = serializers.CharField()


class CatalogEntrySerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    base_timeframe = serializers.ChoiceField(choices=TIMEFRAMES)
    context_timeframes = serializers.ListField(child=serializers.ChoiceField(choices=TIMEFRAMES))
    params = ParamSchemaSerializer(many=True)


class EntrySerializer(serializers.Serializer):
    time = serializers.IntegerField(help_text="open time of the displayed candle, epoch seconds")
    side = serializers.ChoiceField(choices=["long", "short"])
    bar_time = serializers.IntegerField(help_text="open time of the base bar that entered")
    price = serializers.FloatField(help_text="close of that base bar")


class TimelinePointSerializer(serializers.Serializer):
    time = serializers.IntegerField(help_text="open time, epoch seconds UTC")
    long = serializers.BooleanField(help_text="long setup active at this candle's close")
    short = serializers.BooleanField(help_text="short setup active at this candle's close")


def _line(help_text: str) -> serializers.ListField:
    """A line aligned to `candles`: null during warm-up, never zero."""
    return serializers.ListField(
        child=serializers.FloatField(allow_null=True), required=False, help_text=help_text
    )


class StrategyRunResponseSerializer(serializers.Serializer):
    """The run endpoint's answer. The lines depend on the strategy: each registry strategy's
    `display` keys are declared here (optional), so the schema names every one."""

    strategy = serializers.CharField()
    params = ParamValuesField()
    symbol = serializers.CharField()
    exchange = serializers.CharField()
    simulated = serializers.BooleanField()
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES)
    base_timeframe = serializers.ChoiceField(choices=TIMEFRAMES)
    warmup_complete = serializers.BooleanField()
    candles = CandleSerializer(many=True)
    # hma-sma
    sma = _line("hma-sma: SMA of the shown timeframe")
    hma = serializers.DictField(
        child=serializers.ListField(child=serializers.FloatField(allow_null=True)),
        required=False,
        help_text="hma-sma: {timeframe: closed HMA of that timeframe as seen at each candle}",
    )
    # ema-cross
    ema_fast = _line("ema-cross: fast EMA")
    ema_slow = _line("ema-cross: slow EMA")
    entries = EntrySerializer(many=True)
    timeline = TimelinePointSerializer(many=True)
    should_enter_long = serializers.BooleanField()
    should_enter_short = serializers.BooleanField()
