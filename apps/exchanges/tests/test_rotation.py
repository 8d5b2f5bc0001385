"""Encryption keys: rotation to a new key (resumable, repeatable), retired keys, the development
key file, and production refusing to start without keys."""

from __future__ import annotations

import os
import secrets
import subprocess

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.exchanges.crypto import SecretUnreadable, field_keys, secret_decrypt
from apps.exchanges.models import ExchangeAccount
from apps.exchanges.services import exchange_account_create, field_keys_rotate

from .conftest import API_KEY, SECRET

pytestmark = pytest.mark.django_db

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
SECRETS = [SECRET, f"{SECRET}-1", f"{SECRET}-2", f"{SECRET}-3"]  # the first works on the emulator


@pytest.fixture
def accounts_under_a(user, settings) -> list[ExchangeAccount]:
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    return [
        exchange_account_create(
            owner=user,
            label=f"acct {i}",
            exchange="binance",
            api_key=API_KEY,
            secret=secret,
        )
        for i, secret in enumerate(SECRETS)
    ]


def _readable(account: ExchangeAccount) -> str:
    account.refresh_from_db()
    return secret_decrypt(account.secret_encrypted, owner_label=account.display_name)


def _rotate(capsys) -> str:
    call_command("rotate_field_keys", "--batch-size", "3")
    return capsys.readouterr().out


def test_rows_under_the_old_key_read_after_rotation_with_it_removed(
    accounts_under_a, settings, capsys, api, emulator
) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out = _rotate(capsys)
    assert "Re-encrypted 4 account(s)" in out and "older keys can be removed" in out
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # A retired
    assert [_readable(a) for a in accounts_under_a] == SECRETS
    # ... and the credentials still work against the exchange.
    check = api.post(f"/api/exchanges/accounts/{accounts_under_a[0].pk}/check/").json()
    assert check["ok"] is True


def test_rotating_twice_is_harmless(accounts_under_a, settings, capsys) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    _rotate(capsys)
    tokens = list(ExchangeAccount.objects.order_by("pk").values_list("secret_encrypted", flat=True))
    out = _rotate(capsys)
    assert "Re-encrypted 0 account(s)" in out and "4 already current" in out
    again = list(ExchangeAccount.objects.order_by("pk").values_list("secret_encrypted", flat=True))
    assert again == tokens  # untouched
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert [_readable(a) for a in accounts_under_a] == SECRETS


def test_an_interrupted_rotation_resumes(accounts_under_a, settings, capsys) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    def crash_after_two(account: ExchangeAccount) -> None:
        if account.pk == accounts_under_a[1].pk:
            raise KeyboardInterrupt("operator pressed Ctrl-C")

    with pytest.raises(KeyboardInterrupt):
        field_keys_rotate(batch_size=3, after_row=crash_after_two)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert [_readable(a) for a in accounts_under_a[:2]] == SECRETS[:2]
    with pytest.raises(SecretUnreadable):  # the rest is still under A
        _readable(accounts_under_a[2])
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out = _rotate(capsys)
    assert "Re-encrypted 2 account(s)" in out and "2 already current" in out
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert [_readable(a) for a in accounts_under_a] == SECRETS


def test_a_retired_key_fails_with_the_account_named_never_the_data(
    accounts_under_a, settings, capsys, api, user
) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # A removed before rotating
    with pytest.raises(CommandError, match="4 row"):
        _rotate(capsys)
    err = capsys.readouterr().err
    for account in accounts_under_a:
        assert f"Exchange account {account.pk} '{account.label}'" in err
    assert "Traceback" not in err and SECRET not in err and "gAAAA" not in err
    check = api.post(f"/api/exchanges/accounts/{accounts_under_a[0].pk}/check/").json()
    assert check["ok"] is False and check["reason"] == "undecryptable"
    assert (
        f"'{accounts_under_a[0].label}'" in check["message"]
        and "rotate_field_keys" in check["message"]
    )


def test_development_key_file_is_generated_once(settings, tmp_path, caplog) -> None:
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.FIELD_ENCRYPTION_KEY_FILE = tmp_path / "var" / "field_encryption.key"
    first = field_keys()
    assert "generated a development key" in caplog.text
    assert oct(settings.FIELD_ENCRYPTION_KEY_FILE.stat().st_mode & 0o777) == "0o600"
    assert field_keys() == first and len(first) == 1
    Fernet(first[0])  # a real key


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("", "Production needs FIELD_ENCRYPTION_KEYS"),
        ("not-a-key", "FIELD_ENCRYPTION_KEYS: key 1 is not a Fernet key"),
    ],
)
def test_production_refuses_to_start_without_valid_keys(python, keys, message) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "trading.example.org",
        "DJANGO_DEBUG": "False",
        "DJANGO_DB_ENGINE": "postgresql",
        "CHANNEL_LAYER_BACKEND": "redis",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
        "FIELD_ENCRYPTION_KEYS": keys,
    }
    result = subprocess.run(
        [python, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and message in result.stderr
