"""Reading exchange accounts: always scoped to their owner (anyone else gets 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import ExchangeAccount


def exchange_account_list(*, owner) -> QuerySet[ExchangeAccount]:
    return ExchangeAccount.objects.filter(owner=owner)


def exchange_account_get(*, owner, account_id: int) -> ExchangeAccount:
    account = ExchangeAccount.objects.filter(owner=owner, pk=account_id).first()
    if account is None:
        raise Http404("No such exchange account.")
    return account
