"""Exchange account services: create, update, delete, check the connection, rotate keys.

Secrets are encrypted before they touch a model and decrypted only in clients.py, right before
a ccxt call; nothing here returns or logs them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ccxt
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from config.exceptions import ApiError

from .clients import exchange_account_client
from .crypto import (
    ENCRYPTED_COLUMNS,
    SecretUnreadable,
    secret_encrypt,
    token_is_current,
    token_rotate,
)
from .errors import refusal_from
from .models import Environment, ExchangeAccount
from .redaction import redact
from .validation import credential_error, exchange_errors, requires_passphrase

logger = logging.getLogger(__name__)

SECRET_FIELDS = ("api_key_encrypted", "secret_encrypted", "passphrase_encrypted")


class AccountInvalid(Exception):
    """Bad input; `errors` maps each field to what is wrong. Nothing was stored."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _hint(api_key: str) -> str:
    return f"...{api_key[-4:]}"


def _label_clash(owner, label: str, exclude_id: int | None = None) -> bool:
    accounts = ExchangeAccount.objects.filter(owner=owner, label=label)
    if exclude_id is not None:
        accounts = accounts.exclude(pk=exclude_id)
    return accounts.exists()


@sensitive_variables("credentials")  # kept out of Django's error reports
def _validate(
    *,
    owner,
    label: str,
    exchange: str,
    environment: str,
    credentials: dict[str, Any],
    exclude_id: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    label = label.strip() if isinstance(label, str) else ""
    if not label:
        errors["label"] = "label is required."
    elif _label_clash(owner, label, exclude_id):
        errors["label"] = f"You already have an exchange account labelled '{label}'."
    if environment not in Environment.values:
        errors["environment"] = f"environment must be one of {', '.join(Environment.values)}."
    else:
        errors |= exchange_errors(exchange, environment)
    names = {"api_key": "api_key", "secret": "secret", "passphrase": "passphrase"}
    for name, label_text in names.items():
        if name not in credentials:
            continue
        needed = name != "passphrase" or (
            "exchange" not in errors and requires_passphrase(exchange)
        )
        problem = credential_error(label_text, credentials[name], required=needed)
        if problem:
            errors[name] = problem
    if errors:
        raise AccountInvalid(errors)


def _save(account: ExchangeAccount) -> ExchangeAccount:
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:  # a concurrent request took the label between check and insert
        raise AccountInvalid(
            {"label": f"You already have an exchange account labelled '{account.label}'."}
        ) from None
    return account


@sensitive_variables("api_key", "secret", "passphrase", "credentials")
def exchange_account_create(
    *,
    owner,
    label: str,
    exchange: str,
    environment: str = Environment.LIVE,
    api_key: str,
    secret: str,
    passphrase: str = "",
) -> ExchangeAccount:
    credentials = {"api_key": api_key, "secret": secret, "passphrase": passphrase}
    _validate(
        owner=owner,
        label=label,
        exchange=exchange,
        environment=environment,
        credentials=credentials,
    )
    account = ExchangeAccount(
        owner=owner,
        label=label.strip(),
        exchange=exchange,
        environment=environment,
        api_key_encrypted=secret_encrypt(api_key),
        secret_encrypted=secret_encrypt(secret),
        passphrase_encrypted=secret_encrypt(passphrase or ""),
        api_key_hint=_hint(api_key),
    )
    return _save(account)


@sensitive_variables("changes", "credentials")
def exchange_account_update(*, account: ExchangeAccount, **changes: Any) -> ExchangeAccount:
    """Change label/exchange/environment; api_key/secret/passphrase given are replaced."""
    allowed = {"label", "exchange", "environment", "api_key", "secret", "passphrase"}
    unknown = set(changes) - allowed
    if unknown:
        raise AccountInvalid({name: "unknown field." for name in sorted(unknown)})
    credentials = {k: changes[k] for k in ("api_key", "secret", "passphrase") if k in changes}
    _validate(
        owner=account.owner,
        label=changes.get("label", account.label),
        exchange=changes.get("exchange", account.exchange),
        environment=changes.get("environment", account.environment),
        credentials=credentials,
        exclude_id=account.id,
    )
    moved = [
        n for n in ("exchange", "environment") if n in changes and changes[n] != getattr(account, n)
    ]
    if moved and (users := _referencing(account)):
        raise ApiError(
            f"Exchange account {account.pk} is used by {', '.join(users)}: its "
            f"{' and '.join(moved)} cannot change (replace its keys, or add another account).",
            status_code=409,
        )
    for name in ("label", "exchange", "environment"):
        if name in changes:
            setattr(account, name, changes[name].strip() if name == "label" else changes[name])
    if "api_key" in credentials:
        account.api_key_encrypted = secret_encrypt(credentials["api_key"])
        account.api_key_hint = _hint(credentials["api_key"])
    if "secret" in credentials:
        account.secret_encrypted = secret_encrypt(credentials["secret"])
    if "passphrase" in credentials:
        account.passphrase_encrypted = secret_encrypt(credentials["passphrase"] or "")
    if credentials or "exchange" in changes or "environment" in changes:
        # The last check said something about other credentials: it no longer holds.
        account.last_check_at, account.last_check_ok, account.last_check_message = None, None, ""
    return _save(account)


def _referencing(account: ExchangeAccount) -> list[str]:
    """What refers to the account (bots of apps/execution, which sits above this app)."""
    found = []
    for relation in account._meta.related_objects:
        rows = relation.related_model.objects.filter(**{relation.field.name: account})
        kind = relation.related_model._meta.verbose_name
        found += [f"{kind} {row.pk} '{getattr(row, 'name', row)}'" for row in rows[:5]]
    return found


def exchange_account_delete(*, account: ExchangeAccount) -> None:
    """Deleted with its credentials; refused (409) while live bots trade through it."""
    try:
        with transaction.atomic():
            account.delete()
    except ProtectedError as error:
        bots = ", ".join(sorted(f"{b.pk} '{b.name}'" for b in error.protected_objects))
        raise ApiError(
            f"Exchange account {account.pk} is used by live bots ({bots}): delete them first.",
            status_code=409,
        ) from error


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str
    reason: str = ""
    balances: dict[str, dict[str, str]] = field(default_factory=dict)
    checked_at: Any = None


def _amount(value: Any) -> str:
    """A ccxt float amount as a plain decimal string ("1", "0.5", never "1E+1")."""
    return format(Decimal(str(value or 0)).normalize(), "f")


def _non_zero_balances(balance: dict[str, Any]) -> dict[str, dict[str, str]]:
    result = {}
    for asset, total in sorted((balance.get("total") or {}).items()):
        if total is None or Decimal(str(total)) == 0:
            continue
        result[asset] = {
            "free": _amount(balance["free"].get(asset)),
            "used": _amount(balance["used"].get(asset)),
            "total": _amount(total),
        }
    return result


def exchange_account_check(
    *, account: ExchangeAccount, client_factory: Callable[..., Any] = exchange_account_client
) -> CheckResult:
    """Fetch the balance through ccxt; store and answer ok + non-zero balances or the refusal."""
    try:
        client = client_factory(account=account)
        balances = _non_zero_balances(client.fetch_balance())
        count = len(balances)
        message = f"Connected: {count} asset{'s' * (count != 1)} with a balance."
        result = CheckResult(True, message, "", balances)
    except SecretUnreadable as error:
        result = CheckResult(False, str(error), "undecryptable")
    except ccxt.BaseError as error:
        refusal = refusal_from(error)
        result = CheckResult(False, refusal.message, refusal.reason)
    now = timezone.now()
    ExchangeAccount.objects.filter(pk=account.pk).update(
        last_check_at=now, last_check_ok=result.ok, last_check_message=redact(result.message)
    )
    account.last_check_at, account.last_check_ok = now, result.ok
    account.last_check_message = redact(result.message)
    logger.info("Checked %s: %s", account.display_name, account.last_check_message)
    return CheckResult(result.ok, account.last_check_message, result.reason, result.balances, now)


@dataclass
class RotationReport:
    rotated: int = 0
    current: int = 0  # already under the newest key
    failed: list[str] = field(default_factory=list)  # messages naming the accounts
    # The other apps' encrypted columns (crypto.ENCRYPTED_COLUMNS): name -> (rotated, current).
    others: dict[str, tuple[int, int]] = field(default_factory=dict)


def field_keys_rotate(
    *, batch_size: int = 100, after_row: Callable[[ExchangeAccount], None] | None = None
) -> RotationReport:
    """Re-encrypt every account's secrets with the newest key, one row per transaction, then
    every registered column of other apps (alert channel URLs).

    Resumable and safe to repeat: a row already under the newest key is skipped, so an
    interrupted run simply continues where it stopped when run again.
    """
    report = RotationReport()
    _rows_rotate(ExchangeAccount, SECRET_FIELDS, batch_size, report, after_row)
    for columns in ENCRYPTED_COLUMNS:
        counted = RotationReport()
        _rows_rotate(columns.model, columns.fields, batch_size, counted, None)
        report.others[columns.name] = (counted.rotated, counted.current)
        report.failed += counted.failed
    return report


def _rows_rotate(model, fields, batch_size, report: RotationReport, after_row) -> None:
    last_id = 0
    while True:
        ids = list(
            model.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return
        for row_id in ids:
            last_id = row_id
            with transaction.atomic():
                row = model.objects.select_for_update().filter(pk=row_id).first()
                if row is None:  # deleted meanwhile
                    continue
                tokens = [getattr(row, name) for name in fields]
                if all(token_is_current(token) for token in tokens):
                    report.current += 1
                    continue
                label = getattr(row, "display_name", f"{model._meta.verbose_name} {row.pk}")
                try:
                    for name, token in zip(fields, tokens, strict=True):
                        setattr(row, name, token_rotate(token, owner_label=label))
                except SecretUnreadable as error:
                    report.failed.append(str(error))
                    continue
                row.save(update_fields=[*fields, "updated_at"])
                report.rotated += 1
            if after_row is not None:
                after_row(row)
