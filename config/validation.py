"""Request input checked by a serializer: the one helper every API view uses (apps import it
from config, like config.exceptions). An invalid body raises DRF's ValidationError: a 400 that
names each bad field (config/exceptions.py renders it)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


def validated(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any):
    """The serializer of `data`, validated (400 naming the fields otherwise); its
    `validated_data` is the clean input."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer
