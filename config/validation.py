"""Request input checked by a serializer: the one helper every API view uses (apps import it
from config, like config.exceptions). An invalid body raises DRF's ValidationError: a 400 that
names each bad field (config/exceptions.py renders it)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.bounds import ID_BOUND, Bound


def validated(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any):
    """The serializer of `data`, validated (400 naming the fields otherwise); its
    `validated_data` is the clean input."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer


class BoundedNumberField(serializers.FloatField):
    """A number within `bound` (config/bounds.py): anything else is a 400 naming the field and
    the rule (a 400-digit integer included, which a plain FloatField fails to convert). The
    schema shows the bound's minimum and maximum."""

    def __init__(self, bound: Bound, **kwargs: Any):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", bound.nullable)
        kwargs.setdefault("help_text", bound.help_text)
        super().__init__(**kwargs)
        self.bound = bound
        # Read by the schema only: the bound's own check (exclusive ends too) runs below.
        self.min_value, self.max_value = bound.low, bound.high

    def to_internal_value(self, data: Any) -> int | float:
        if isinstance(data, bool):
            self.fail("invalid")
        value = data if isinstance(data, int | float) else super().to_internal_value(data)
        message = self.bound.error(value)
        if message:
            raise serializers.ValidationError(message)
        return int(value) if self.bound.integer else float(value)


class IdField(serializers.IntegerField):
    """The id of a row: a whole number that fits the database's ids (else a 400, never a
    query the database refuses)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("min_value", ID_BOUND.low)
        kwargs.setdefault("max_value", ID_BOUND.high)
        super().__init__(**kwargs)
