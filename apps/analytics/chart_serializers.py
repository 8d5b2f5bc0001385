"""Output shape of a run's chart (documentation for the schema: the view writes NumPy columns)."""

from __future__ import annotations

from rest_framework import serializers


def _numbers(*, nullable: bool = False, **kwargs) -> serializers.ListField:
    """A new field each time: a serializer binds each field instance to one name."""
    return serializers.ListField(child=serializers.FloatField(allow_null=nullable), **kwargs)


class CandleColumnsSerializer(serializers.Serializer):
    """One array per column, index i of each is candle i (compact: no object per bar)."""

    time = serializers.ListField(child=serializers.IntegerField(), help_text="open, epoch s UTC")
    open = _numbers()
    high = _numbers()
    low = _numbers()
    close = _numbers()
    volume = _numbers()


class RunChartSerializer(serializers.Serializer):
    run = serializers.IntegerField()
    symbol = serializers.CharField()
    exchange = serializers.CharField()
    simulated = serializers.BooleanField()
    timeframe = serializers.CharField(help_text="the run's (the strategy's base) timeframe")
    truncated = serializers.BooleanField(
        help_text="the span has more candles than one chart holds: only its last ones are here"
    )
    candles = CandleColumnsSerializer()
    lines = serializers.DictField(
        child=_numbers(nullable=True),
        help_text="the strategy's lines by name, aligned to the candles (null: undefined yet)",
    )
    buy_and_hold = _numbers(
        nullable=True,
        help_text="equity of buying at the first open (one fee) and holding, at each close",
    )
