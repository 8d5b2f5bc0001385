"""Query validation and output shapes of the market-data API."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .timeframes import TIMEFRAMES
from .times import TIME_OPENAPI_SCHEMA, parse_time_ms

DEFAULT_CANDLES_LIMIT = 500


@extend_schema_field(TIME_OPENAPI_SCHEMA)
class TimeField(serializers.Field):
    """A UTC time given as YYYY-MM-DD, an ISO 8601 datetime or epoch seconds; epoch ms inside."""

    def to_internal_value(self, data) -> int:
        try:
            return parse_time_ms(str(data))
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def to_representation(self, value):
        return value


class CandlesQuerySerializer(serializers.Serializer):
    symbol = serializers.CharField(max_length=32)
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES)
    limit = serializers.IntegerField(
        required=False,
        default=DEFAULT_CANDLES_LIMIT,
        min_value=1,
        max_value=settings.CANDLES_MAX_LIMIT,
    )
    start = TimeField(required=False)
    end = TimeField(required=False)
    exchange = serializers.CharField(required=False, max_length=32)

    def validate(self, attrs):
        if "start" in attrs and "end" in attrs and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": "end must not be before start."})
        return attrs


class CandleSerializer(serializers.Serializer):
    """Documentation of one candle of the response (presenters.candle_rows builds them, for
    speed)."""

    time = serializers.IntegerField(help_text="open time, epoch seconds UTC")
    open = serializers.FloatField()
    high = serializers.FloatField()
    low = serializers.FloatField()
    close = serializers.FloatField()
    volume = serializers.FloatField()


class CandlesResponseSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    exchange = serializers.CharField()
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES)
    simulated = serializers.BooleanField()
    count = serializers.IntegerField()
    candles = CandleSerializer(many=True)


class TimeframeCoverageSerializer(serializers.Serializer):
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES)
    count = serializers.IntegerField()
    first = serializers.IntegerField(help_text="first open time, epoch seconds UTC")
    last = serializers.IntegerField(help_text="last open time, epoch seconds UTC")


class SymbolSerializer(serializers.Serializer):
    exchange = serializers.CharField()
    name = serializers.CharField()
    base = serializers.CharField()
    quote = serializers.CharField()
    market_symbol = serializers.CharField()
    simulated = serializers.BooleanField()
    tracked_timeframes = serializers.ListField(child=serializers.ChoiceField(choices=TIMEFRAMES))
    timeframes = TimeframeCoverageSerializer(many=True)
