from __future__ import annotations

from rest_framework import serializers

from apps.datafeeds.serializers import CandlesQuerySerializer

from .models import Strategy
from .registry import strategy_specs


class StrategyRunQuerySerializer(CandlesQuerySerializer):
    """The candles query (symbol, timeframe, limit, start, end, exchange); strategy parameter
    overrides come as further query parameters and are checked against the registry schema."""


class StrategySerializer(serializers.ModelSerializer):
    key = serializers.ChoiceField(choices=[])
    params = serializers.JSONField(required=False, default=dict)

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
    base_timeframe = serializers.CharField()
    context_timeframes = serializers.ListField(child=serializers.CharField())
    params = ParamSchemaSerializer(many=True)
