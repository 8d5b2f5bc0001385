"""Bots (SPEC §10, docs/bots.md): a bot, its orders, position, trades, one decision per candle,
and its event log.

Times of candles are epoch milliseconds UTC (the candles' key). Money and quantities are
Decimal (what an exchange is sent and answers); the paper simulation computes in float64 with the
backtest's rules and stores the shortest decimal that gives the same float back, so a paper bot
and its backtest compare bit for bit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.datafeeds.models import Symbol
from config.bounds import MONEY_DIGITS, MONEY_PLACES, Bound


def money_field(**kwargs) -> models.DecimalField:
    # 16 integer digits and 24 decimal places: a price of 1e-8 keeps all of its float's digits.
    # Inputs that end up here are bounded by config/bounds.py (CAPITAL_MAX).
    return models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


# Bot.staleness_seconds: a decision later than this after its candle's close is skipped. Up to
# ~31 years (tests replay old candles as fresh); beyond, the number is no limit at all.
STALENESS_BOUND = Bound(
    0,
    1e9,
    False,
    True,
    None,
    "seconds after the close a decision may still be taken; null: half a bar",
    nullable=True,
)
# Bot.stop_limit_offset: how far beyond a live stop's trigger its limit order may fill.
STOP_LIMIT_OFFSET_BOUND = Bound(
    0,
    0.2,
    False,
    True,
    0.005,
    "live: the stop's limit, as a fraction beyond its trigger (0.005: a long's stop at 100 "
    "sells at 99.5 or better)",
)


class BotMode(models.TextChoices):
    PAPER = "paper"
    LIVE = "live"


class BotStatus(models.TextChoices):
    STOPPED = "stopped"
    RUNNING = "running"
    STOPPING = "stopping"  # stop asked with close_position: waiting for the closing fill
    ERROR = "error"
    KILLED = "killed"  # the risk profile's drawdown limit (kill switch)


class Bot(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bots"
    )
    name = models.CharField(max_length=100)
    strategy = models.CharField(max_length=64, help_text="registry key, e.g. hma-sma")
    params = models.JSONField(help_text="every parameter, validated against the registry")
    symbol = models.ForeignKey(Symbol, on_delete=models.PROTECT, related_name="bots")
    timeframe = models.CharField(max_length=3, help_text="the strategy's base timeframe")
    mode = models.CharField(max_length=5, choices=BotMode.choices, default=BotMode.PAPER)
    # Live bots trade through this account (same exchange as the symbol, the owner's, checked).
    exchange_account = models.ForeignKey(
        "exchanges.ExchangeAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bots",
    )

    # Costs and sizing, as a backtest's (docs/backtesting.md): fractions, not percent.
    paper_capital = money_field(default=10_000, help_text="starting equity, quote currency")
    fee_rate = models.FloatField(default=0.001)
    slippage_bps = models.FloatField(default=0.0)
    size = models.FloatField(default=1.0, help_text="fraction of equity per entry, fee included")
    stop_loss = models.FloatField(null=True, blank=True)
    take_profit = models.FloatField(null=True, blank=True)
    allow_short = models.BooleanField(default=True)
    # The risk profile (SPEC §9): its values are copied onto the bot when it starts (a running
    # bot is not changed under its feet), with the state the risk check keeps between steps.
    risk_profile = models.ForeignKey(
        "risk.RiskProfile", null=True, blank=True, on_delete=models.SET_NULL, related_name="bots"
    )
    risk_limits = models.JSONField(null=True, blank=True, help_text="the profile's values")
    risk_state = models.JSONField(null=True, blank=True, help_text="the risk check's RiskState")
    # A step that runs later than this after its candle closed trades nothing (null: half a bar).
    staleness_seconds = models.FloatField(null=True, blank=True)
    # Live: the stop-loss rests on the exchange as a stop-limit order whose limit is this fraction
    # beyond the trigger (below it for a long): a gap past the limit leaves it unfilled.
    stop_limit_offset = models.FloatField(default=STOP_LIMIT_OFFSET_BOUND.default)

    status = models.CharField(max_length=8, choices=BotStatus.choices, default=BotStatus.STOPPED)
    status_message = models.TextField(blank=True, default="")

    # The running span. Signals of a candle are computed on the base series from
    # `signals_from_ms` (minus the strategy's warm-up) to that candle, as a backtest starting
    # there computes them; bots that share (strategy, params, symbol) share that start, so their
    # signals are computed once per candle (services/signals.py).
    span_start_ms = models.BigIntegerField(null=True, blank=True, help_text="first candle")
    signals_from_ms = models.BigIntegerField(null=True, blank=True)
    last_candle_ms = models.BigIntegerField(
        null=True, blank=True, help_text="the last candle whose fills, stops and decision are done"
    )
    span_start_equity = money_field(default=10_000, help_text="realised equity at the start")
    # Realised equity (fees paid, open position not marked) and the peak of the marked equity.
    equity = money_field(default=10_000)
    peak_equity = money_field(default=10_000)
    # Live: the base asset the account held apart from the live bots' positions when this bot
    # started (measured at its first sync), so that a surplus (an order filled outside the
    # books) can be told from what the user held; and what the last holdings check found.
    base_outside = money_field(null=True, blank=True)
    books_warning = models.TextField(blank=True, default="")
    # The cause of the stall the watch last reported (health.py), "" while the bot decides on
    # time: a stall is said once when it starts and once when it ends, never at every watch.
    stalled_cause = models.CharField(max_length=16, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # The number of the last message published about this bot, written in the transaction that
    # made it: a client that re-reads the bot knows which later messages its copy already holds.
    event_seq = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "bots"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["symbol", "status"], name="bot_symbol_status")]

    def __str__(self) -> str:
        return f"bot {self.pk} {self.name}"


class OrderState(models.TextChoices):
    PENDING_SUBMIT = "pending_submit"  # written, not sent yet
    OPEN = "open"  # accepted by the venue
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    FAILED = "failed"  # refused, or never reached the venue
    UNKNOWN = "unknown"  # sent, answer lost: looked up by client order id, never resent blindly


FINAL_ORDER_STATES = (OrderState.FILLED, OrderState.CANCELLED, OrderState.FAILED)
LIVE_ORDER_STATES = (
    OrderState.PENDING_SUBMIT,
    OrderState.OPEN,
    OrderState.PARTIALLY_FILLED,
    OrderState.UNKNOWN,
)


class OrderLeg(models.TextChoices):
    ENTRY = "entry"
    EXIT = "exit"  # the strategy's exit signal
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    CLOSE = "close"  # stop with close_position
    KILL = "kill"  # the kill switch closes the position
    # Live: the position's stop-loss (and take-profit) resting on the exchange (a STOP_LOSS_LIMIT
    # or an OCO list), placed once the entry filled; its fill closes the position.
    PROTECT = "protect"


class BotOrder(models.Model):
    """One order, written (pending_submit) before it is sent or filled. Its state changes only
    through apps/execution/orders.py."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="orders")
    client_order_id = models.CharField(max_length=36, unique=True)
    candle_ms = models.BigIntegerField(help_text="the candle at whose close it was decided")
    leg = models.CharField(max_length=12, choices=OrderLeg.choices)
    side = models.CharField(max_length=4, choices=[("buy", "buy"), ("sell", "sell")])
    position_side = models.SmallIntegerField(
        help_text="+1 long, -1 short: the position it opens or closes"
    )
    kind = models.CharField(max_length=12, default="market", help_text="market, stop or limit")
    quantity = money_field(null=True, blank=True, help_text="base units; null: sized at the fill")
    size_fraction = models.FloatField(
        null=True, blank=True, help_text="of equity, when sized at the fill"
    )
    trigger_price = money_field(null=True, blank=True)
    # A protective order's stop limit (the price its limit order asks once triggered) and its
    # take-profit (an OCO's other leg; null: a stop-loss alone).
    limit_price = money_field(null=True, blank=True)
    target_price = money_field(null=True, blank=True)
    decision_price = money_field(null=True, blank=True, help_text="the close it was decided at")
    # A reversal's entry: its risk check waits for the exit's fill (the state after that exit).
    risk_deferred = models.BooleanField(default=False)
    state = models.CharField(
        max_length=16, choices=OrderState.choices, default=OrderState.PENDING_SUBMIT
    )
    state_message = models.TextField(blank=True, default="")
    exchange_order_id = models.CharField(max_length=64, blank=True, default="")
    filled_quantity = money_field(default=0)
    average_price = money_field(null=True, blank=True)
    fee = money_field(default=0)
    fill_candle_ms = models.BigIntegerField(null=True, blank=True)
    # Live: how many times the request was sent (a resend only after "not found" has lasted
    # past the lookup window); submitted_at is the time of the last send.
    send_attempts = models.SmallIntegerField(default=0)
    # Live: a failed or cancelled order that was sent is looked up until the exchange settles
    # it: absent past the not-found window, or found (adopted into the books, or reported).
    orphan_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "bot_orders"
        ordering = ["id"]
        indexes = [models.Index(fields=["bot", "state"], name="bot_order_state")]

    def __str__(self) -> str:
        return f"{self.client_order_id} {self.state}"


class BotPosition(models.Model):
    """The open position of a bot (no row while flat)."""

    bot = models.OneToOneField(Bot, on_delete=models.CASCADE, related_name="position")
    side = models.SmallIntegerField(help_text="+1 long, -1 short")
    size = money_field()
    entry_price = money_field()
    entry_fee = money_field()
    entry_time_ms = models.BigIntegerField(help_text="open time of the bar whose open filled it")
    equity_before = money_field(help_text="realised equity before the entry fee")
    stop_price = money_field(null=True, blank=True)
    target_price = money_field(null=True, blank=True)
    entry_order = models.ForeignKey(BotOrder, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "bot_positions"

    def __str__(self) -> str:
        return f"bot {self.bot_id} {self.side:+d} {self.size}"


class BotTrade(models.Model):
    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="trades")
    number = models.IntegerField()
    side = models.CharField(max_length=5)
    entry_time = models.BigIntegerField()
    exit_time = models.BigIntegerField()
    size = money_field()
    entry_price = money_field()
    exit_price = money_field()
    entry_fee = money_field()
    exit_fee = money_field()
    pnl = money_field()
    return_fraction = models.FloatField()
    exit_reason = models.CharField(max_length=12)
    entry_order = models.ForeignKey(BotOrder, on_delete=models.CASCADE, related_name="+")
    exit_order = models.ForeignKey(BotOrder, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "bot_trades"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["bot", "number"], name="bot_trade_number_unique")
        ]

    def __str__(self) -> str:
        return f"bot {self.bot_id} trade {self.number}"


class DecisionAction(models.TextChoices):
    NONE = "none"
    ENTER_LONG = "enter_long"
    ENTER_SHORT = "enter_short"
    EXIT = "exit"
    REVERSE = "reverse"
    BLOCKED = "blocked"  # the risk check refused the entry
    SKIPPED_STALE = "skipped_stale"
    ERROR = "error"  # the strategy raised
    KILLED = "killed"


class BotDecision(models.Model):
    """What a bot did at one candle: the idempotency point of a step (one row per bot and
    candle, whatever delivers the step how many times). Holds the equity marked at the close."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="decisions")
    candle_ms = models.BigIntegerField()
    action = models.CharField(max_length=16, choices=DecisionAction.choices)
    reason = models.TextField(blank=True, default="")
    delay_ms = models.BigIntegerField(help_text="from the candle's close to the step")
    equity = money_field(help_text="marked to the candle's close")
    position_side = models.SmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "bot_decisions"
        ordering = ["candle_ms"]
        constraints = [
            models.UniqueConstraint(fields=["bot", "candle_ms"], name="bot_decision_once")
        ]

    def __str__(self) -> str:
        return f"bot {self.bot_id} at {self.candle_ms}: {self.action}"


class BotEvent(models.Model):
    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)  # status, order, fill, position, blocked, skipped, error
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    candle_ms = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "bot_events"
        ordering = ["-id"]
        indexes = [models.Index(fields=["bot", "-id"], name="bot_event_recent")]

    def __str__(self) -> str:
        return f"bot {self.bot_id} {self.kind}: {self.message}"
