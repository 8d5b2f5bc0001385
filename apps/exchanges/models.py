"""Exchange accounts: a user's API credentials for one exchange, encrypted at rest."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Environment(models.TextChoices):
    LIVE = "live", "Live"
    TESTNET = "testnet", "Testnet"


class ExchangeAccount(models.Model):
    """The secrets are Fernet tokens (see crypto.py); read them through services only."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_accounts"
    )
    label = models.CharField(max_length=100)
    exchange = models.CharField(max_length=50, help_text="ccxt exchange id, e.g. binance")
    environment = models.CharField(
        max_length=10, choices=Environment.choices, default=Environment.LIVE
    )
    api_key_encrypted = models.TextField()
    secret_encrypted = models.TextField()
    passphrase_encrypted = models.TextField(blank=True, default="")
    api_key_hint = models.CharField(max_length=8, help_text="last 4 characters of the API key")
    last_check_at = models.DateTimeField(null=True, blank=True)
    last_check_ok = models.BooleanField(null=True, blank=True)
    last_check_message = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "label"], name="exchange_account_label_per_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.exchange} {self.environment})"

    @property
    def display_name(self) -> str:
        """How messages name the account (never with a secret)."""
        return f"Exchange account {self.id} '{self.label}' of user {self.owner_id}"
