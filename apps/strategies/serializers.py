from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.datafeeds.serializers import CandleSerializer, CandlesQuerySerializer
from apps.datafeeds.timeframes import TIMEFRAMES

from .language.compiler import MAX_SOURCE_CHARS
from .models import Strategy, StrategyDefinition, StrategyVersion
from .registry import strategy_spec
from .user_strategies import strategy_label, user_key


@extend_schema_field({"type": "string", "example": "My EMA cross (v2)"})
class StrategyLabelField(serializers.Field):
    """The name of the strategy (and version) a run or a bot uses, beside its key."""

    def __init__(self, **kwargs):
        super().__init__(source="strategy", read_only=True, **kwargs)

    def to_representation(self, key: str) -> str:
        return strategy_label(key)


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
    key = serializers.CharField(
        max_length=64, help_text="a strategy key of the catalog (a built-in, a plugin or yours)"
    )
    params = ParamValuesField(required=False, default=dict)

    class Meta:
        model = Strategy
        fields = ["id", "key", "name", "params", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_key(self, value: str) -> str:
        try:
            strategy_spec(value, owner=self.context["request"].user)
        except LookupError as error:
            raise serializers.ValidationError(str(error)) from error
        return value

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
    source = serializers.ChoiceField(
        choices=["builtin", "plugin", "user"],
        help_text="built in, an operator's Python plugin, or one of your own strategies",
    )


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
    # users' strategies
    lines = serializers.DictField(
        child=serializers.ListField(child=serializers.FloatField(allow_null=True)),
        required=False,
        help_text="your strategy: {name: each named series as known at each candle's close}",
    )
    base_indicators = serializers.DictField(
        child=serializers.ListField(child=serializers.FloatField(allow_null=True)),
        required=False,
        help_text=(
            "above the base timeframe only: {name: the base-timeframe indicator the signals use "
            "(hma-sma: sma is the 5m SMA), as it stood at each candle's close}"
        ),
    )
    entries = EntrySerializer(many=True)
    timeline = TimelinePointSerializer(many=True)
    should_enter_long = serializers.BooleanField()
    should_enter_short = serializers.BooleanField()


# --- Users' own strategies (the strategy language) --------------------------------------------


class StrategySourceField(serializers.CharField):
    """A strategy's text, kept exactly as written (whitespace included)."""

    def __init__(self, **kwargs):
        super().__init__(
            max_length=MAX_SOURCE_CHARS,
            trim_whitespace=False,
            help_text="the strategy in the strategy language (docs/strategies/language.md)",
            **kwargs,
        )


class SourceInputSerializer(serializers.Serializer):
    source = StrategySourceField()


class DefinitionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    source = StrategySourceField()

    def validate_name(self, value: str) -> str:
        owner = self.context["request"].user
        clash = StrategyDefinition.objects.filter(owner=owner, name=value, deleted_at__isnull=True)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("you already have a strategy with this name")
        return value


class WarmupSerializer(serializers.Serializer):
    base = serializers.IntegerField(help_text="base bars before the first signal")
    context = serializers.DictField(
        child=serializers.IntegerField(), help_text="{timeframe: candles before the first one}"
    )


class StopsSerializer(serializers.Serializer):
    stop_loss = serializers.FloatField(required=False, help_text="fraction, 0.02 = 2%")
    take_profit = serializers.FloatField(required=False, help_text="fraction, 0.04 = 4%")


class CompiledSchemaSerializer(serializers.Serializer):
    """What compiling a text gives: its params and settings."""

    params = ParamSchemaSerializer(many=True)
    base_timeframe = serializers.ChoiceField(choices=TIMEFRAMES)
    context_timeframes = serializers.ListField(child=serializers.ChoiceField(choices=TIMEFRAMES))
    warmup = WarmupSerializer()
    stops = StopsSerializer()
    lines = serializers.ListField(child=serializers.CharField(), help_text="named series")


class ValidateResponseSerializer(CompiledSchemaSerializer):
    valid = serializers.BooleanField()


class SourceErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.IntegerField()
    end_line = serializers.IntegerField()
    end_column = serializers.IntegerField(help_text="exclusive")
    message = serializers.CharField()


class SourceErrorsSerializer(serializers.Serializer):
    """400 for a text that does not compile."""

    source = serializers.ListField(child=serializers.CharField())
    errors = SourceErrorSerializer(many=True)


class CheckFindingSerializer(serializers.Serializer):
    check = serializers.ChoiceField(choices=["lookahead", "warmup", "compute", "data"])
    series = serializers.CharField(help_text="e.g. long_entry or indicators.fast")
    bar_open_ms = serializers.IntegerField(allow_null=True)
    bar_open = serializers.CharField(allow_null=True, help_text="ISO UTC")
    full_value = serializers.CharField(allow_null=True, help_text="with all the data")
    cut_value = serializers.CharField(allow_null=True, help_text="with the data cut at the bar")
    message = serializers.CharField()


class CheckReportSerializer(serializers.Serializer):
    """The lookahead and warm-up check run on save (docs/strategies/plugins.md)."""

    strategy = serializers.CharField()
    ok = serializers.BooleanField()
    findings = CheckFindingSerializer(many=True)
    bars_checked = serializers.IntegerField()
    cuts = serializers.IntegerField()
    cuts_planned = serializers.IntegerField()
    warmup_bar_ms = serializers.IntegerField(allow_null=True)
    warmup_bar = serializers.CharField(allow_null=True)
    bars_computed = serializers.IntegerField()
    elapsed_s = serializers.FloatField()
    notes = serializers.ListField(child=serializers.CharField())
    data = serializers.CharField(help_text="the candles it ran on")


class DefinitionSerializer(serializers.ModelSerializer):
    """A strategy of yours at its current version."""

    key = serializers.SerializerMethodField(help_text="the current version's strategy key")
    source = serializers.SerializerMethodField()
    schema = serializers.SerializerMethodField()
    check = serializers.SerializerMethodField()

    class Meta:
        model = StrategyDefinition
        fields = [
            "id",
            "name",
            "key",
            "version",
            "source",
            "schema",
            "check",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _current(self, definition: StrategyDefinition) -> StrategyVersion:
        cached = getattr(definition, "_current_version", None)
        if cached is None:
            cached = definition.versions.get(version=definition.version)
            definition._current_version = cached
        return cached

    def get_key(self, definition) -> str:
        return user_key(definition_id=definition.pk, version=definition.version)

    def get_source(self, definition) -> str:
        return self._current(definition).source

    @extend_schema_field(CompiledSchemaSerializer)
    def get_schema(self, definition) -> dict:
        return CompiledSchemaSerializer(self._current(definition).schema).data

    @extend_schema_field(CheckReportSerializer(allow_null=True))
    def get_check(self, definition) -> dict | None:
        report = self._current(definition).check_report
        return None if report is None else CheckReportSerializer(report).data


class VersionSerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField()
    schema = CompiledSchemaSerializer(read_only=True)
    check = CheckReportSerializer(source="check_report", read_only=True, allow_null=True)

    class Meta:
        model = StrategyVersion
        fields = ["version", "key", "source", "schema", "check", "created_at"]
        read_only_fields = fields

    def get_key(self, version) -> str:
        return user_key(definition_id=version.definition_id, version=version.version)


class LanguageFunctionSerializer(serializers.Serializer):
    name = serializers.CharField()
    signature = serializers.CharField()
    description = serializers.CharField()
    outputs = serializers.ListField(child=serializers.CharField())
    returns = serializers.ChoiceField(choices=["series", "condition"])


class LanguageSerializer(serializers.Serializer):
    functions = LanguageFunctionSerializer(many=True)
    fields = serializers.ListField(child=serializers.CharField())
    outputs = serializers.ListField(child=serializers.CharField())
    settings = serializers.ListField(child=serializers.CharField())
    keywords = serializers.ListField(child=serializers.CharField())
    timeframes = serializers.ListField(child=serializers.CharField())
    limits = serializers.DictField(child=serializers.IntegerField())


class BuiltinSourceSerializer(serializers.Serializer):
    source = serializers.CharField()
