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


class StrategyDefinition(models.Model):
    """A user's own strategy, written in the strategy language (apps/strategies/language).

    Its text lives in versions: an edit adds one, and a backtest or a bot keeps the version it
    started with (its strategy key, `user-<id>-v<n>`, names it). Deleting hides the strategy
    and keeps its versions, so the runs and bots that used them still read their strategy.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategy_definitions"
    )
    name = models.CharField(max_length=100)
    version = models.PositiveIntegerField(default=1, help_text="the current version")
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=models.Q(deleted_at__isnull=True),
                name="strategy_definition_owner_name_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class StrategyVersion(models.Model):
    """One version of a user's strategy: its text as written and what compiling it gave."""

    definition = models.ForeignKey(
        StrategyDefinition, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField()
    source = models.TextField()
    schema = models.JSONField(help_text="params, timeframes, warm-up and stops of the plan")
    check_report = models.JSONField(
        null=True, blank=True, help_text="the lookahead and warm-up check on save"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["definition", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "version"], name="strategy_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition.name} v{self.version}"
