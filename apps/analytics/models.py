"""Stored backtests: a run (its configuration, status, KPIs and equity curve), its trades, and
the parameter sweeps that group runs.

Times of the span and of trades are epoch milliseconds UTC (the candles' key). Prices, sizes,
fees and PnL are floats, as the engine computes them: a backtest is analysis on float64 candle
prices, not a ledger, and PostgreSQL's double precision gives back the engine's values bit for
bit (a Decimal would suggest an exactness the simulation never had).
"""

from django.conf import settings
from django.db import models

from apps.datafeeds.models import Symbol
from apps.risk.models import RiskProfile


class BacktestStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BacktestSweep(models.Model):
    """A grid of parameter values over one strategy, symbol, span and cost model; one run per
    combination (the runs hold everything needed to execute them)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backtest_sweeps"
    )
    strategy = models.CharField(max_length=64, help_text="registry key, e.g. hma-sma")
    params = models.JSONField(default=dict, help_text="parameters fixed for every run")
    grid = models.JSONField(help_text="{parameter: [values]}: one run per combination")
    skipped = models.JSONField(
        default=list, help_text="combinations left out by the strategy's cross-field rules"
    )
    symbol = models.ForeignKey(Symbol, on_delete=models.CASCADE, related_name="backtest_sweeps")
    timeframe = models.CharField(max_length=3)
    start_ms = models.BigIntegerField(help_text="span start, epoch ms UTC (inclusive)")
    end_ms = models.BigIntegerField(help_text="span end, epoch ms UTC (exclusive)")
    config = models.JSONField(help_text="costs and sizing shared by every run")
    # As on a run: the profile chosen, and a copy of its values at creation.
    risk_profile = models.ForeignKey(
        RiskProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    risk_limits = models.JSONField(null=True, blank=True, help_text="the profile's values used")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "backtest_sweeps"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"sweep {self.pk} {self.strategy} {self.symbol_id}"


class BacktestRun(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backtest_runs"
    )
    strategy = models.CharField(max_length=64, help_text="registry key, e.g. hma-sma")
    params = models.JSONField(help_text="every parameter, validated against the registry")
    symbol = models.ForeignKey(Symbol, on_delete=models.CASCADE, related_name="backtest_runs")
    timeframe = models.CharField(max_length=3, help_text="the strategy's base timeframe")
    # The span [start, end): bars whose open time falls inside are traded; the strategy's
    # warm-up is read from before `start` and never traded.
    start_ms = models.BigIntegerField(help_text="epoch ms UTC (inclusive)")
    end_ms = models.BigIntegerField(help_text="epoch ms UTC (exclusive)")

    # The engine's BacktestConfig (docs/backtesting.md): fractions, not percent.
    initial_capital = models.FloatField(default=10_000.0, help_text="quote currency")
    fee_rate = models.FloatField(default=0.001, help_text="per side, fraction of the notional")
    slippage_bps = models.FloatField(default=0.0, help_text="basis points against every fill")
    size = models.FloatField(default=1.0, help_text="fraction of equity per entry, fee included")
    stop_loss = models.FloatField(null=True, blank=True, help_text="fraction from the entry")
    take_profit = models.FloatField(null=True, blank=True, help_text="fraction from the entry")
    allow_short = models.BooleanField(default=True)
    # Optional risk profile (docs/risk.md): sizes and allows every entry. Its values are copied
    # at creation, so editing or deleting the profile never changes what a run did or will do.
    risk_profile = models.ForeignKey(
        RiskProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="backtest_runs",
        help_text="the profile chosen (null once deleted: risk_limits keeps its values)",
    )
    risk_limits = models.JSONField(
        null=True, blank=True, help_text="the profile's name and values used; null: no profile"
    )
    risk_report = models.JSONField(
        null=True,
        blank=True,
        help_text="entries blocked per rule, sizes used, the kill switch (runs with a profile)",
    )

    status = models.CharField(
        max_length=8, choices=BacktestStatus.choices, default=BacktestStatus.QUEUED
    )
    error = models.TextField(blank=True, default="")
    progress = models.FloatField(default=0.0, help_text="0..1")
    # The claim (services.backtest_run_execute): every execution takes a fresh token; only the
    # holder of the current token may store results, so a re-delivered task that took the run
    # over makes an older execution's results void instead of duplicated.
    attempts = models.PositiveSmallIntegerField(default=0, help_text="executions started")
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    worker = models.CharField(max_length=255, blank=True, default="", help_text="last claimant")

    kpis = models.JSONField(null=True, blank=True)
    bars = models.PositiveIntegerField(null=True, blank=True, help_text="bars in the span")
    # What the stored data let the run cover: its first and last bar (the span is clipped when
    # they fall inside it), and the bars at its start the strategy spent warming up (its
    # indicators undefined: no history before the span to compute them from).
    data_start_ms = models.BigIntegerField(null=True, blank=True, help_text="first bar's open")
    data_end_ms = models.BigIntegerField(null=True, blank=True, help_text="last bar's close")
    warmup_bars = models.PositiveIntegerField(
        null=True, blank=True, help_text="bars of the span spent on the indicators' warm-up"
    )
    # The equity curve, one value per bar of the span (at the bar's close): zlib-compressed
    # little-endian float64, and the bars' open times as zlib-compressed little-endian int64
    # deltas (first value, then steps: a regular series compresses to almost nothing).
    equity = models.BinaryField(null=True, blank=True)
    equity_times = models.BinaryField(null=True, blank=True)

    sweep = models.ForeignKey(
        BacktestSweep, on_delete=models.CASCADE, null=True, blank=True, related_name="runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "backtest_runs"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="backtest_run_owner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=1),
                name="backtest_run_progress_range",
            ),
            models.CheckConstraint(
                condition=models.Q(start_ms__lt=models.F("end_ms")),
                name="backtest_run_span_order",
            ),
        ]

    def __str__(self) -> str:
        return f"backtest {self.pk} {self.strategy} {self.status}"


class TradeSide(models.TextChoices):
    LONG = "long"
    SHORT = "short"


class ExitReason(models.TextChoices):
    SIGNAL = "signal"
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    END = "end"
    KILL_SWITCH = "kill_switch"


class BacktestTrade(models.Model):
    """One closed trade of a stored run: a row of the engine's TradeTable (engine/trades.py
    says which trade type is for what)."""

    run = models.ForeignKey(BacktestRun, on_delete=models.CASCADE, related_name="trades")
    number = models.PositiveIntegerField(help_text="0-based, in time order")
    side = models.CharField(max_length=5, choices=TradeSide.choices)
    entry_time = models.BigIntegerField(help_text="epoch ms UTC: the entry bar's open")
    exit_time = models.BigIntegerField(help_text="epoch ms UTC (the last close for 'end')")
    entry_price = models.FloatField(help_text="fill price, slippage included")
    exit_price = models.FloatField()
    size = models.FloatField(help_text="units of the base asset")
    entry_fee = models.FloatField(help_text="quote currency")
    exit_fee = models.FloatField()
    pnl = models.FloatField(help_text="net of both fees, quote currency")
    return_fraction = models.FloatField(help_text="pnl / (size x entry price)")
    exit_reason = models.CharField(max_length=12, choices=ExitReason.choices)

    class Meta:
        db_table = "backtest_trades"
        ordering = ["run", "number"]
        constraints = [
            # The last line of defence against a re-executed run writing its trades twice.
            models.UniqueConstraint(fields=["run", "number"], name="backtest_trade_run_number")
        ]

    def __str__(self) -> str:
        return f"trade {self.number} of run {self.run_id}"
