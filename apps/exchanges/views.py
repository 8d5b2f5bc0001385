"""Exchange account API (owner only: anyone else gets 404, as for a missing account)."""

from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.validation import validated

from .selectors import exchange_account_get, exchange_account_list
from .serializers import (
    CheckResultSerializer,
    ExchangeAccountCreateSerializer,
    ExchangeAccountSerializer,
    ExchangeAccountUpdateSerializer,
)
from .services import (
    AccountInvalid,
    exchange_account_check,
    exchange_account_create,
    exchange_account_delete,
    exchange_account_update,
)

BAD_INPUT = OpenApiResponse(description="a field is invalid; the body names it")


def _as_lists(errors: dict[str, str]) -> dict[str, list[str]]:
    """DRF's own shape for field errors: {field: [message]}."""
    return {field: [message] for field, message in errors.items()}


# Error reports (DEBUG pages, admin mails) never show the credentials a request carried.
_hide_credentials = method_decorator(
    sensitive_post_parameters("api_key", "secret", "passphrase"), name="dispatch"
)


@_hide_credentials
class ExchangeAccountListView(APIView):
    @extend_schema(responses=ExchangeAccountSerializer(many=True), summary="Your exchange accounts")
    def get(self, request: Request) -> Response:
        accounts = exchange_account_list(owner=request.user)
        return Response(ExchangeAccountSerializer(accounts, many=True).data)

    @extend_schema(
        request=ExchangeAccountCreateSerializer,
        responses={201: ExchangeAccountSerializer, 400: BAD_INPUT},
        summary="Add an exchange account (credentials are encrypted, never answered)",
    )
    def post(self, request: Request) -> Response:
        data = validated(ExchangeAccountCreateSerializer, request.data).validated_data
        try:
            account = exchange_account_create(owner=request.user, **data)
        except AccountInvalid as error:
            raise serializers.ValidationError(_as_lists(error.errors)) from None
        return Response(ExchangeAccountSerializer(account).data, status=status.HTTP_201_CREATED)


@_hide_credentials
class ExchangeAccountDetailView(APIView):
    @extend_schema(responses=ExchangeAccountSerializer, summary="One exchange account")
    def get(self, request: Request, pk: int) -> Response:
        account = exchange_account_get(owner=request.user, account_id=pk)
        return Response(ExchangeAccountSerializer(account).data)

    @extend_schema(
        request=ExchangeAccountUpdateSerializer,
        responses={200: ExchangeAccountSerializer, 400: BAD_INPUT},
        summary="Change an exchange account; credentials sent replace the stored ones",
    )
    def patch(self, request: Request, pk: int) -> Response:
        account = exchange_account_get(owner=request.user, account_id=pk)
        data = validated(ExchangeAccountUpdateSerializer, request.data).validated_data
        try:
            account = exchange_account_update(account=account, **data)
        except AccountInvalid as error:
            raise serializers.ValidationError(_as_lists(error.errors)) from None
        return Response(ExchangeAccountSerializer(account).data)

    @extend_schema(responses={204: None}, summary="Delete an exchange account")
    def delete(self, request: Request, pk: int) -> Response:
        exchange_account_delete(account=exchange_account_get(owner=request.user, account_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExchangeAccountCheckView(APIView):
    @extend_schema(
        request=None,
        responses=CheckResultSerializer,
        summary="Check the connection: balance fetch through ccxt",
        description=(
            "Answers ok with the non-zero balances, or ok=false with the exchange's refusal in "
            "words (reason: invalid_key, bad_signature, ip_not_allowed, clock_skew, unreachable, "
            "rate_limited, refused, undecryptable). The result is stored on the account."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        account = exchange_account_get(owner=request.user, account_id=pk)
        result = exchange_account_check(account=account)
        return Response(CheckResultSerializer(result).data)
