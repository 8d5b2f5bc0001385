"""A user's saved parameter set for a registry strategy."""

from django.conf import settings
from django.db import models


class Strategy(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategies"
    )
    key = models.CharField(max_length=64, help_text="registry key, e.g. hma-sma")
    name = models.CharField(max_length=100)
    params = models.JSONField(default=dict, help_text="validated against the registry schema")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="strategy_owner_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"
