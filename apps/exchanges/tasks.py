"""Celery tasks of the exchanges app: they take account ids, never credentials."""

from __future__ import annotations

from celery import shared_task

from .models import ExchangeAccount
from .services import exchange_account_check


@shared_task(name="exchanges.check_account")
def exchange_account_check_task(account_id: int) -> dict:
    """Check one account's connection (e.g. periodically); the result is stored on it too."""
    account = ExchangeAccount.objects.filter(pk=account_id).first()
    if account is None:
        return {"ok": False, "reason": "not_found", "message": f"No exchange account {account_id}."}
    result = exchange_account_check(account=account)
    return {
        "ok": result.ok,
        "reason": result.reason,
        "message": result.message,
        "balances": result.balances,
    }
