"""Secrets at rest: Fernet tokens under FIELD_ENCRYPTION_KEYS (newest first, MultiFernet).

The newest key encrypts; every listed key decrypts, so an old key can be retired once
`manage.py rotate_field_keys` has re-encrypted every row with the newest one. Local development
without the variable gets a generated key in var/ (and says so); production refuses to start.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .redaction import secret_register

logger = logging.getLogger(__name__)

LOCAL_KEY_FILE_NAME = "field_encryption.key"


class SecretUnreadable(Exception):
    """A stored secret no key in FIELD_ENCRYPTION_KEYS can decrypt (the message names the row)."""


def _local_key_file() -> Path:
    return Path(
        getattr(settings, "FIELD_ENCRYPTION_KEY_FILE", settings.VAR_DIR / LOCAL_KEY_FILE_NAME)
    )


def _local_key() -> str:
    """The generated development key, created once (owner-only permissions)."""
    path = _local_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode() + "\n")
        logger.warning(
            "FIELD_ENCRYPTION_KEYS is not set: generated a development key in %s. Exchange "
            "credentials are encrypted with it; keep the file (losing it loses them). Production "
            "refuses to start without FIELD_ENCRYPTION_KEYS.",
            path,
        )
    return path.read_text().strip()


def field_keys() -> tuple[str, ...]:
    """The configured keys, newest first; ImproperlyConfigured naming the variable when bad."""
    keys = tuple(k.strip() for k in settings.FIELD_ENCRYPTION_KEYS if k.strip())
    if not keys:
        if getattr(settings, "FIELD_ENCRYPTION_REQUIRED", False):
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS is required in production: a comma-separated list of "
                "Fernet keys, newest first (python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')."
            )
        keys = (_local_key(),)
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None
    return keys


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def cipher() -> MultiFernet:
    return _cipher(field_keys())


def primary_key_cipher() -> Fernet:
    return Fernet(field_keys()[0])


def secret_encrypt(plain: str) -> str:
    """A Fernet token (text) of `plain` under the newest key; empty stays empty."""
    if not plain:
        return ""
    secret_register(plain)
    return cipher().encrypt(plain.encode()).decode()


def secret_decrypt(token: str, *, owner_label: str) -> str:
    """The plain secret; SecretUnreadable naming `owner_label` (never the token) when no key can."""
    if not token:
        return ""
    try:
        plain = cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            f"{owner_label}: its credentials cannot be decrypted with any key in "
            "FIELD_ENCRYPTION_KEYS (encrypted with a key that was removed?). Put the old key back "
            "at the end of FIELD_ENCRYPTION_KEYS and run manage.py rotate_field_keys, or enter "
            "the credentials again."
        ) from None
    secret_register(plain)  # from now on redacted from every log line
    return plain


def token_is_current(token: str) -> bool:
    """Whether `token` is already encrypted with the newest key (rotation skips it)."""
    if not token:
        return True
    try:
        primary_key_cipher().decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def token_rotate(token: str, *, owner_label: str) -> str:
    """`token` re-encrypted with the newest key (SecretUnreadable when no key can read it)."""
    if not token:
        return ""
    try:
        return cipher().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            f"{owner_label}: cannot be re-encrypted, no key in FIELD_ENCRYPTION_KEYS decrypts it "
            "(its key was removed before rotation?)."
        ) from None


@dataclass(frozen=True)
class EncryptedColumns:
    """Another app's encrypted columns (e.g. alert channel URLs), re-encrypted by
    `rotate_field_keys` with the exchange credentials: registered from the app's ready()."""

    name: str  # in the command's report, plural: "alert channel(s)"
    model: Any  # a Django model
    fields: tuple[str, ...]


ENCRYPTED_COLUMNS: list[EncryptedColumns] = []


def encrypted_columns_register(*, name: str, model: Any, fields: tuple[str, ...]) -> None:
    if not any(c.model is model for c in ENCRYPTED_COLUMNS):
        ENCRYPTED_COLUMNS.append(EncryptedColumns(name, model, fields))
