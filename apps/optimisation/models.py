"""Parameter studies (an Optuna study of backtests), their trials, and walk-forward analyses
(one study per in-sample window). docs/optimisation.md.

The Optuna study itself (its sampler's history, the trials' states and heartbeats) lives in
Optuna's own tables (storage.py); these rows hold what the API shows and what the workers check
before every trial: the settings, the status, the progress and each finished trial's KPIs.
"""

from django.conf import settings
from django.db import models

from apps.datafeeds.models import Symbol
from apps.risk.models import RiskProfile


class StudyStatus(models.TextChoices):
    RUNNING = "running"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"
    FAILED = "failed"


class Sampler(models.TextChoices):
    TPE = "tpe"
    GRID = "grid"
    RANDOM = "random"


class WalkForwardMode(models.TextChoices):
    ROLLING = "rolling"
    ANCHORED = "anchored"


class _SearchSettings(models.Model):
    """What a study and a walk-forward share: the strategy, market, costs and search."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    strategy = models.CharField(max_length=64, help_text="registry key, e.g. hma-sma")
    params = models.JSONField(default=dict, help_text="parameters fixed for every trial")
    space = models.JSONField(help_text="{parameter: {low, high, step}}: the searched ranges")
    symbol = models.ForeignKey(Symbol, on_delete=models.CASCADE, related_name="+")
    timeframe = models.CharField(max_length=3)
    start_ms = models.BigIntegerField(help_text="span start, epoch ms UTC (inclusive)")
    end_ms = models.BigIntegerField(help_text="span end, epoch ms UTC (exclusive)")
    config = models.JSONField(help_text="the engine's costs and sizing for every trial")
    risk_profile = models.ForeignKey(
        RiskProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    risk_limits = models.JSONField(null=True, blank=True, help_text="the profile's values used")
    objective = models.CharField(max_length=16, help_text="the KPI maximised")
    min_trades = models.PositiveIntegerField(default=1, help_text="fewer trades: pruned")
    sampler = models.CharField(max_length=8, choices=Sampler.choices, default=Sampler.TPE)
    n_trials = models.PositiveIntegerField(help_text="finished trials (complete or pruned) asked")
    seed = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=9, choices=StudyStatus.choices, default=StudyStatus.RUNNING
    )
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class WalkForward(_SearchSettings):
    mode = models.CharField(max_length=8, choices=WalkForwardMode.choices)
    in_sample_ms = models.BigIntegerField()
    out_of_sample_ms = models.BigIntegerField()
    step_ms = models.BigIntegerField()
    windows = models.JSONField(help_text="[{index, is_start_ms, is_end_ms, oos_end_ms}]")
    # Filled when every window is done: stitched out-of-sample KPIs next to the in-sample ones,
    # walk-forward efficiency, parameter stability (services/walk_forward.py).
    results = models.JSONField(null=True, blank=True)
    oos_equity = models.BinaryField(null=True, blank=True, help_text="analytics.equity encoding")
    oos_equity_times = models.BinaryField(null=True, blank=True)

    class Meta:
        db_table = "optimisation_walk_forwards"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"walk-forward {self.pk} {self.strategy} {self.status}"


class Study(_SearchSettings):
    optuna_name = models.CharField(max_length=64, unique=True, editable=False)
    trials_done = models.PositiveIntegerField(default=0, help_text="complete + pruned")
    trials_pruned = models.PositiveIntegerField(default=0)
    best_value = models.FloatField(null=True, blank=True)
    best_params = models.JSONField(null=True, blank=True)
    best_kpis = models.JSONField(null=True, blank=True)
    # A walk-forward's window: the study optimises its in-sample stretch [start, end); its best
    # parameters are then run on [end, oos_end_ms) and stored here.
    walk_forward = models.ForeignKey(
        WalkForward, on_delete=models.CASCADE, null=True, blank=True, related_name="studies"
    )
    window = models.PositiveIntegerField(null=True, blank=True)
    oos_end_ms = models.BigIntegerField(null=True, blank=True)
    oos_kpis = models.JSONField(null=True, blank=True)
    oos_equity = models.BinaryField(null=True, blank=True)
    oos_equity_times = models.BinaryField(null=True, blank=True)

    class Meta:
        db_table = "optimisation_studies"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"], name="study_owner_status_idx")]

    def __str__(self) -> str:
        return f"study {self.pk} {self.strategy} {self.status}"


class TrialState(models.TextChoices):
    COMPLETE = "complete"
    PRUNED = "pruned"


class StudyTrial(models.Model):
    """A finished trial: its parameters, the objective's value and every KPI of its backtest."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="trials")
    number = models.PositiveIntegerField(help_text="Optuna's trial number in the study")
    params = models.JSONField()
    state = models.CharField(max_length=8, choices=TrialState.choices)
    value = models.FloatField(null=True, blank=True, help_text="the objective; null: pruned")
    kpis = models.JSONField(null=True, blank=True)
    # For the diagnostics: the trial's equity at 257 evenly spaced bars (float64), so that CSCV
    # can compare trials on the same sub-periods, and its per-bar return moments for the DSR.
    samples = models.BinaryField(null=True, blank=True)
    moments = models.JSONField(null=True, blank=True, help_text="{observations, skew, kurtosis}")
    worker = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "optimisation_trials"
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="study_trial_number")
        ]

    def __str__(self) -> str:
        return f"trial {self.number} of study {self.study_id}"
