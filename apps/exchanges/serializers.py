"""Exchange account input and output. Secrets are write-only: answered only as a key hint."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Environment, ExchangeAccount


class LastCheckSerializer(serializers.Serializer):
    at = serializers.DateTimeField(allow_null=True)
    ok = serializers.BooleanField(allow_null=True)
    message = serializers.CharField(allow_blank=True)


class ExchangeAccountSerializer(serializers.ModelSerializer):
    """Output: never a secret, only `api_key_hint` ("...a1b2")."""

    has_passphrase = serializers.SerializerMethodField()
    last_check = serializers.SerializerMethodField()

    class Meta:
        model = ExchangeAccount
        fields = [
            "id",
            "label",
            "exchange",
            "environment",
            "api_key_hint",
            "has_passphrase",
            "last_check",
            "created_at",
            "updated_at",
        ]

    def get_has_passphrase(self, account: ExchangeAccount) -> bool:
        return bool(account.passphrase_encrypted)

    @extend_schema_field(LastCheckSerializer)
    def get_last_check(self, account: ExchangeAccount) -> dict:
        return LastCheckSerializer(
            {
                "at": account.last_check_at,
                "ok": account.last_check_ok,
                "message": account.last_check_message,
            }
        ).data


class _Secret(serializers.CharField):
    """A write-only credential: whitespace kept as sent (the service says what is wrong)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(
            write_only=True, trim_whitespace=False, style={"input_type": "password"}, **kwargs
        )


class ExchangeAccountCreateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100)
    exchange = serializers.CharField(max_length=50, default="binance")
    environment = serializers.ChoiceField(choices=Environment.choices, default=Environment.LIVE)
    api_key = _Secret(max_length=1024)
    secret = _Secret(max_length=1024)
    passphrase = _Secret(max_length=1024, required=False, allow_blank=True, default="")


class ExchangeAccountUpdateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100, required=False)
    exchange = serializers.CharField(max_length=50, required=False)
    environment = serializers.ChoiceField(choices=Environment.choices, required=False)
    api_key = _Secret(max_length=1024, required=False)
    secret = _Secret(max_length=1024, required=False)
    passphrase = _Secret(max_length=1024, required=False, allow_blank=True)


class BalanceSerializer(serializers.Serializer):
    free = serializers.CharField()
    used = serializers.CharField()
    total = serializers.CharField()


class CheckResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, help_text="e.g. invalid_key, clock_skew")
    message = serializers.CharField()
    balances = serializers.DictField(child=BalanceSerializer())
    checked_at = serializers.DateTimeField()
