"""Input and output shapes of the risk profile API. Types and bounds (bounds.PROFILE_BOUNDS) are
checked here, and again by the service for callers other than the API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.validation import BoundedNumberField

from .bounds import PROFILE_BOUNDS, PROFILE_FIELDS
from .models import RiskProfile


def _value_field(name: str) -> serializers.Field:
    return BoundedNumberField(PROFILE_BOUNDS[name])


class RiskProfileInputSerializer(serializers.Serializer):
    """POST (name required) and PATCH (every field optional) bodies."""

    name = serializers.CharField(max_length=80, required=False)
    is_default = serializers.BooleanField(required=False)
    risk_per_trade = _value_field("risk_per_trade")
    max_position_fraction = _value_field("max_position_fraction")
    stop_loss = _value_field("stop_loss")
    take_profit = _value_field("take_profit")
    max_daily_loss = _value_field("max_daily_loss")
    max_open_positions = _value_field("max_open_positions")
    max_drawdown = _value_field("max_drawdown")
    cooldown_bars = _value_field("cooldown_bars")
    leverage = _value_field("leverage")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(dict.fromkeys(unknown, "unknown field"))
        if not self.partial and "name" not in attrs:
            raise serializers.ValidationError({"name": "This field is required."})
        return attrs

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in PROFILE_BOUNDS}


class RiskProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskProfile
        fields = ["id", "name", "is_default", *PROFILE_FIELDS, "created_at", "updated_at"]
        read_only_fields = fields


class ProfileFieldSerializer(serializers.Serializer):
    """One field of the form: its bounds, default and help text."""

    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["number", "integer"])
    min = serializers.FloatField()
    max = serializers.FloatField()
    min_inclusive = serializers.BooleanField()
    max_inclusive = serializers.BooleanField()
    nullable = serializers.BooleanField(help_text="null switches the rule off")
    default = serializers.FloatField(allow_null=True)
    help_text = serializers.CharField()


def profile_field_rows() -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "type": "integer" if bound.integer else "number",
            "min": bound.low,
            "max": bound.high,
            "min_inclusive": bound.low_inclusive,
            "max_inclusive": bound.high_inclusive,
            "nullable": bound.nullable,
            "default": bound.default,
            "help_text": bound.help_text,
        }
        for name, bound in PROFILE_BOUNDS.items()
    ]
