"""One step of one bot at one closed candle (docs/bots.md, "A step").

In one transaction, holding the bot's row lock (so two workers stepping the same bot take turns):

1. Once per (bot, candle): a candle at or before the last one processed is a duplicate and
   changes nothing; the BotDecision row, unique per (bot, candle), is the final guard.
2. Reconcile: the venue's events since the last processed candle (paper: fills at each open,
   stops and targets on each bar's range), each bar's equity mark and the kill switch.
3. Decide, unless the step is stale (later than the bot's staleness limit after the close:
   "skipped: stale", no order) or the bot no longer runs: the shared signals of the candle,
   the risk check before an entry, then order rows in state pending_submit.
4. Record the decision with the equity marked at the close.

After the commit the pending orders are submitted (paper: accepted at once; they fill at the
next candle's open, in the next step). Events are published after the commit.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.analytics.engine import rules
from apps.analytics.engine.trades import LONG, SHORT, SIDE_NAMES
from apps.datafeeds.arrays import CandleArrays
from apps.datafeeds.selectors import candles_window
from apps.datafeeds.timeframes import timeframe_ms
from apps.strategies.registry import strategy_spec

from ..health import WAITING
from ..lifecycle import STATUS_FIELDS, STEPPING, bot_status_move
from ..models import (
    LIVE_ORDER_STATES,
    Bot,
    BotDecision,
    BotEvent,
    BotMode,
    BotOrder,
    BotPosition,
    BotStatus,
    DecisionAction,
    OrderLeg,
    OrderState,
)
from .failure import bot_fail
from .journal import Journal, fill_words, order_noted
from .live import live_sync
from .live_answers import LiveSync
from .paper import dec, marked_equity, order_create, paper_bar, paper_submit
from .protection import protective_exit
from .risk import EntryVerdict, entry_check, kill_switch_reason
from .signals import CandleNotStored, CandleSignals, candle_signals

logger = logging.getLogger(__name__)


class StepOutcome(StrEnum):
    DECIDED = "decided"
    STALE = "stale"
    DUPLICATE = "duplicate"  # this candle (or a later one) was already processed
    NOT_RUNNING = "not_running"
    BEFORE_START = "before_start"
    NO_CANDLE = "no_candle"
    ERROR = "error"
    RECONCILED = "reconciled"  # stopping or killed: fills only, no decision


@dataclass(frozen=True)
class StepResult:
    outcome: StepOutcome
    action: str = ""


def staleness_ms(bot: Bot) -> int:
    if bot.staleness_seconds is not None:
        return int(bot.staleness_seconds * 1000)
    return timeframe_ms(bot.timeframe) // 2


def bot_step(
    *,
    bot_id: int,
    candle_ms: int,
    now_ms: int | None = None,
    bars: CandleArrays | None = None,
    signals: CandleSignals | None = None,
) -> StepResult:
    """Step the bot at the candle opening at `candle_ms` (see the module docstring).

    `bars` (the base candles from the bot's last processed one on) and `signals` may be given
    by a caller that steps many bots at once; `now_ms` by the forward test's simulated clock.
    """
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    sync = None
    if Bot.objects.filter(pk=bot_id, mode=BotMode.LIVE).exists():
        # Live: the exchange's truth first (orders in flight, fills, the position), outside
        # the step's transaction (requests never run under the bot's lock).
        sync = live_sync(bot_id=bot_id, candle_ms=candle_ms)
    try:
        with transaction.atomic():
            bot = _locked(Bot.objects.filter(pk=bot_id)).first()
            if bot is None:
                return StepResult(StepOutcome.NOT_RUNNING)
            step = _step_bot(bot, candle_ms, now_ms, bars, signals, sync)
            if step.decisions:
                BotDecision.objects.bulk_create(step.decisions)
            if step.journal is not None:
                step.journal.stamp()
            if step.changed or (step.journal is not None and step.journal.messages):
                bot.save(update_fields=BOT_STEP_FIELDS)
            if step.journal is not None:
                step.journal.flush(seq_saved=True)
    except IntegrityError:
        # The decision's unique constraint: another execution decided this candle first.
        return StepResult(StepOutcome.DUPLICATE)
    if step.ordered:
        orders_submit_pending(bot_id=bot_id)
    return step.result


def bots_step_batch(
    *,
    bot_ids: list[int],
    candle_ms: int,
    now_ms: int | None = None,
    bars: CandleArrays | None = None,
    signals: dict[int, CandleSignals | None] | None = None,
) -> list[StepResult]:
    """Step many bots of one series at one candle in one transaction: the bots locked in id
    order by one query, the decisions inserted and the bots updated by one statement each, so
    a quiet step costs no round trip of its own. `signals` gives each bot's (shared) signals.
    Any error rolls the whole batch back and each bot is stepped alone (bot_step), so one bot
    never fails the others."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    signals = signals or {}
    live = set(Bot.objects.filter(pk__in=bot_ids, mode=BotMode.LIVE).values_list("pk", flat=True))
    if live:  # live bots talk to their exchange first: each is stepped alone
        results = {i: _step_alone(i, candle_ms, now_ms, bars, signals.get(i)) for i in live}
        rest = [i for i in bot_ids if i not in live]
        others = bots_step_batch(
            bot_ids=rest, candle_ms=candle_ms, now_ms=now_ms, bars=bars, signals=signals
        )
        results.update(zip(rest, others, strict=True))
        return [results[i] for i in bot_ids]
    try:
        with transaction.atomic():
            bots = list(_locked(Bot.objects.filter(pk__in=bot_ids)).order_by("pk"))
            steps = [_step_bot(bot, candle_ms, now_ms, bars, signals.get(bot.pk)) for bot in bots]
            BotDecision.objects.bulk_create([d for s in steps for d in s.decisions])
            for s in steps:
                if s.journal is not None:
                    s.journal.stamp()
            changed = [
                bot
                for bot, s in zip(bots, steps, strict=True)
                if s.changed or (s.journal is not None and s.journal.messages)
            ]
            if changed:
                Bot.objects.bulk_update(changed, BOT_STEP_FIELDS)
            events = [row for s in steps if s.journal for row in s.journal.rows]
            BotEvent.objects.bulk_create(events)
            for s in steps:
                if s.journal is not None:
                    s.journal.rows = []
                    s.journal.flush(seq_saved=True)
    except Exception:
        logger.exception("batch step at %s failed; stepping its bots one by one", candle_ms)
        return [_step_alone(i, candle_ms, now_ms, bars, signals.get(i)) for i in bot_ids]
    for bot, s in zip(bots, steps, strict=True):
        if s.ordered:
            orders_submit_pending(bot_id=bot.pk)
    return [s.result for s in steps]


def _step_alone(bot_id, candle_ms, now_ms, bars, signals) -> StepResult:
    """One bot's step; an unexpected error puts that bot (only) in error, in words."""
    try:
        return bot_step(
            bot_id=bot_id, candle_ms=candle_ms, now_ms=now_ms, bars=bars, signals=signals
        )
    except Exception as error:
        logger.exception("bot %s: step at %s failed", bot_id, candle_ms)
        bot_fail(bot_id=bot_id, message=f"The step at candle {candle_ms} failed: {error!r}")
        return StepResult(StepOutcome.ERROR)


BOT_STEP_FIELDS = [
    "equity",
    "peak_equity",
    "last_candle_ms",
    "risk_state",
    "event_seq",
    *STATUS_FIELDS,
]


def _locked(bots):
    return (
        bots.select_for_update(of=("self",))
        .select_related("symbol", "position")
        .annotate(
            has_live_orders=Exists(
                BotOrder.objects.filter(bot=OuterRef("pk"), state__in=LIVE_ORDER_STATES)
            )
        )
    )


@dataclass
class _Step:
    result: StepResult
    journal: Journal | None = None
    decisions: list[BotDecision] = field(default_factory=list)  # missed candles', then this one
    changed: bool = False  # the bot row must be written
    ordered: bool = False  # new orders to submit after the commit


def _step_bot(
    bot: Bot,
    candle_ms: int,
    now_ms: int,
    bars: CandleArrays | None,
    signals: CandleSignals | None,
    sync: LiveSync | None = None,
) -> _Step:
    """The step of one locked bot, its decision rows and bot changes left to the caller.
    `sync`: a live bot's exchange sync, done just before (its fills are already recorded)."""
    if bot.status not in STEPPING:
        return _Step(StepResult(StepOutcome.NOT_RUNNING))
    if bot.span_start_ms is None or candle_ms < bot.span_start_ms:
        return _Step(StepResult(StepOutcome.BEFORE_START))
    if bot.last_candle_ms is not None and candle_ms <= bot.last_candle_ms:
        return _Step(StepResult(StepOutcome.DUPLICATE))
    bars = _bars_to(bot, candle_ms, bars)
    if not len(bars) or int(bars.open_time[-1]) != candle_ms:
        return _Step(StepResult(StepOutcome.NO_CANDLE))

    journal = Journal(bot)
    was_running = bot.status == BotStatus.RUNNING
    # A live bot with an order in flight neither decides nor kills (a kill's close could
    # double an exit being sent): both wait for the step where the books agree.
    live_waiting = bot.mode == BotMode.LIVE and (sync is None or not sync.settled)
    position, marks = _bars_reconciled(bot, bars, journal, kill_switch=not live_waiting)
    missed = _missed(bot, bars, marks, now_ms, journal) if was_running else []
    if bot.status == BotStatus.STOPPING and position is None and not _live_orders(bot):
        message = "Stopped; the position was closed."
        bot_status_move(bot, BotStatus.STOPPED, message, journal, candle_ms=candle_ms)

    delay_ms = now_ms - (candle_ms + timeframe_ms(bot.timeframe))
    if was_running and bot.status == BotStatus.KILLED:
        outcome, action, reason = StepOutcome.DECIDED, DecisionAction.KILLED, bot.status_message
    elif bot.status != BotStatus.RUNNING:
        outcome, action, reason = StepOutcome.RECONCILED, "", ""
    elif live_waiting:
        # A live bot acts only once its books and the exchange's agree.
        outcome, action = StepOutcome.DECIDED, DecisionAction.NONE
        waiting = "; ".join(sync.in_flight) if sync else "not synchronised"
        reason = f"{WAITING}: {waiting}"
        journal.add("skipped", reason, candle_ms=candle_ms)
    elif delay_ms > staleness_ms(bot):
        outcome, action = StepOutcome.STALE, DecisionAction.SKIPPED_STALE
        reason = (
            f"skipped: stale ({delay_ms / 1000:.1f} s after the close, limit "
            f"{staleness_ms(bot) / 1000:.1f} s)"
        )
        journal.add("skipped", reason, candle_ms=candle_ms, delay_ms=delay_ms)
    else:
        outcome = StepOutcome.DECIDED
        action, reason = _act(bot, position, candle_ms, float(bars.close[-1]), signals, journal)
        if action == DecisionAction.ERROR:
            outcome = StepOutcome.ERROR
    step = _stepped(
        bot, position, candle_ms, float(bars.close[-1]), delay_ms, journal, outcome, action, reason
    )
    step.decisions[:0] = missed
    return step


def _bars_to(bot: Bot, candle_ms: int, bars: CandleArrays | None) -> CandleArrays:
    """The base bars from the one after the bot's last processed candle to `candle_ms`."""
    bar_ms = timeframe_ms(bot.timeframe)
    first = bot.span_start_ms if bot.last_candle_ms is None else bot.last_candle_ms + bar_ms
    if bars is None:
        return candles_window(
            symbol=bot.symbol, timeframe=bot.timeframe, start_ms=first, end_ms=candle_ms
        )
    return bars.slice((bars.open_time >= first) & (bars.open_time <= candle_ms))


def _bars_reconciled(
    bot: Bot, bars: CandleArrays, journal: Journal, *, kill_switch: bool
) -> tuple[BotPosition | None, list[tuple[float, int]]]:
    """Each bar since the last step: the paper venue's fills (a live bot's came from the
    exchange through live_sync), the equity's peak and the kill switch. The position after, and
    each bar's (equity at its close, position side)."""
    position = getattr(bot, "position", None)
    live_orders = bot.has_live_orders  # none (the usual case): no order query at all
    marks = []
    for i in range(len(bars)):
        if bot.mode != BotMode.LIVE:
            position = paper_bar(
                bot=bot, position=position, bars=bars, i=i, journal=journal, live_orders=live_orders
            )
        equity = marked_equity(bot, position, float(bars.close[i]))
        marks.append((equity, position.side if position is not None else 0))
        bot.peak_equity = max(bot.peak_equity, dec(equity))
        if bot.status == BotStatus.RUNNING and kill_switch:
            live_orders |= _kill_switch(bot, position, int(bars.open_time[i]), equity, journal)
    return position, marks


def _missed(
    bot: Bot, bars: CandleArrays, marks: list[tuple[float, int]], now_ms: int, journal: Journal
) -> list[BotDecision]:
    """A "skipped: missed" decision for each candle before this one that no step decided (its
    step was lost or never sent: a worker or the broker away), with how late it was noticed: a
    running bot's candle always has one decision row, never none."""
    bar_ms = timeframe_ms(bot.timeframe)
    decisions = []
    for i in range(len(bars) - 1):
        candle_ms = int(bars.open_time[i])
        delay_ms = now_ms - (candle_ms + bar_ms)
        reason = f"skipped: missed (no step ran; noticed {delay_ms / 1000:.1f} s after the close)"
        journal.add("skipped", reason, candle_ms=candle_ms, delay_ms=delay_ms)
        equity, side = marks[i]
        decisions.append(
            BotDecision(
                bot=bot,
                candle_ms=candle_ms,
                action=DecisionAction.SKIPPED_STALE,
                reason=reason,
                delay_ms=delay_ms,
                equity=dec(equity),
                position_side=side,
            )
        )
    return decisions


def _act(
    bot: Bot,
    position: BotPosition | None,
    candle_ms: int,
    close: float,
    signals: CandleSignals | None,
    journal: Journal,
) -> tuple[str, str]:
    """A running bot's action at the close: a live stop-loss or take-profit without a protective
    order on the exchange first (checked at the close, a market order after it), else the
    strategy's decision."""
    leg = None
    if bot.mode == BotMode.LIVE and not _protected_on_exchange(bot):
        leg = protective_exit(position, close)
    if leg:
        order = order_create(bot=bot, candle_ms=candle_ms, leg=leg, position_side=position.side)
        _ordered(journal, order, leg.replace("_", " "), candle_ms)
        return DecisionAction.EXIT, str(leg)
    return _decide(bot, position, candle_ms, close, signals, journal)


def _protected_on_exchange(bot: Bot) -> bool:
    """A live position whose stop rests on the exchange: the exchange closes it on the bar's
    range (the backtest's rule), not this step at the close."""
    return BotOrder.objects.filter(
        bot=bot, leg=OrderLeg.PROTECT, state__in=LIVE_ORDER_STATES
    ).exists()


def _stepped(
    bot: Bot,
    position: BotPosition | None,
    candle_ms: int,
    close: float,
    delay_ms: int,
    journal: Journal,
    outcome: StepOutcome,
    action: str,
    reason: str,
) -> _Step:
    """The step's record: the decision row (none when only reconciling) and the equity mark."""
    bot.last_candle_ms = candle_ms
    equity = marked_equity(bot, position, close)
    decisions = []
    if outcome != StepOutcome.RECONCILED:
        decision = BotDecision(
            bot=bot,
            candle_ms=candle_ms,
            action=action or DecisionAction.NONE,
            reason=reason,
            delay_ms=delay_ms,
            equity=dec(equity),
            position_side=position.side if position is not None else 0,
        )
        decisions.append(decision)
    bot.updated_at = timezone.now()
    journal.add("equity", f"{equity:,.2f}", candle_ms=candle_ms, record=False, equity=equity)
    ordered = any(m["kind"] == "order" for m in journal.messages)
    return _Step(StepResult(outcome, str(action)), journal, decisions, True, ordered)


def _live_orders(bot: Bot) -> bool:
    return BotOrder.objects.filter(bot=bot, state__in=LIVE_ORDER_STATES).exists()


def _kill_switch(
    bot: Bot, position: BotPosition | None, bar_ms: int, equity: float, journal: Journal
) -> bool:
    """The risk profile's drawdown limit, tested at every close: the bot is killed, and an open
    position is closed at the next open (as the backtest's kill switch does). True when that
    made an order."""
    reason = kill_switch_reason(bot, equity=equity, peak=float(bot.peak_equity))
    if reason is None:
        return False
    bot_status_move(bot, BotStatus.KILLED, reason, journal, candle_ms=bar_ms)
    if position is not None:
        order = order_create(
            bot=bot, candle_ms=bar_ms, leg=OrderLeg.KILL, position_side=position.side
        )
        order_noted(journal, order, f"kill switch: close {order.client_order_id}", candle_ms=bar_ms)
        return True
    return False


def _decide(
    bot: Bot,
    position: BotPosition | None,
    candle_ms: int,
    close: float,
    signals: CandleSignals | None,
    journal: Journal,
) -> tuple[str, str]:
    """The decision at the candle's close and its order rows: (action, reason)."""
    try:
        signals = _signals_of(bot, candle_ms, signals)
    except CandleNotStored as error:
        return DecisionAction.NONE, str(error)
    except Exception as error:  # the strategy raised: this bot stops, no other is affected
        logger.exception("bot %s: strategy %s failed at %s", bot.pk, bot.strategy, candle_ms)
        message = f"The strategy failed at candle {candle_ms}: {type(error).__name__}: {error}"
        bot_status_move(bot, BotStatus.ERROR, message, journal, candle_ms=candle_ms)
        journal.add("error", message, candle_ms=candle_ms)
        return DecisionAction.ERROR, message
    side = position.side if position is not None else 0
    action, entry_side = _wanted(bot, side, signals)
    if action == DecisionAction.EXIT:
        order = order_create(bot=bot, candle_ms=candle_ms, leg=OrderLeg.EXIT, position_side=side)
        message = f"exit {SIDE_NAMES[side]}: {order.side} {fill_words(bot)}"
        order_noted(journal, order, message, candle_ms=candle_ms)
    if not entry_side:
        return action, ""
    if action == DecisionAction.EXIT:
        # A reversal: its entry is asked of the risk check once the exit has filled.
        order = order_create(
            bot=bot,
            candle_ms=candle_ms,
            leg=OrderLeg.ENTRY,
            position_side=entry_side,
            size_fraction=bot.size,
            decision_price=close,
            risk_deferred=True,
        )
        _ordered(journal, order, f"enter {SIDE_NAMES[entry_side]}", candle_ms)
        return DecisionAction.REVERSE, ""
    return _enter(bot, entry_side, candle_ms, close, journal)


def _signals_of(bot: Bot, candle_ms: int, signals: CandleSignals | None) -> CandleSignals:
    """The candle's shared signals (computed once per strategy key, services/signals.py)."""
    if signals is not None and signals.candle_ms == candle_ms:
        return signals
    return candle_signals(
        spec=strategy_spec(bot.strategy),
        params=bot.params,
        symbol=bot.symbol,
        signals_from_ms=bot.signals_from_ms,
        candle_ms=candle_ms,
    )


def _wanted(bot: Bot, side: int, signals: CandleSignals) -> tuple[str, int]:
    """What the signals ask of a bot holding `side` (the backtest's bar rule): (EXIT or NONE,
    the side to enter, 0 for none)."""
    wants = rules.bar_decisions(
        np.bool_(signals.long_entry),
        np.bool_(signals.short_entry),
        np.bool_(signals.long_exit),
        np.bool_(signals.short_exit),
        bot.allow_short,
    )
    if side == LONG and wants.close_long:
        return DecisionAction.EXIT, SHORT if wants.go_short else 0
    if side == SHORT and wants.close_short:
        return DecisionAction.EXIT, LONG if wants.go_long else 0
    if side == 0 and (wants.go_long or wants.go_short):
        return DecisionAction.NONE, LONG if wants.go_long else SHORT
    return DecisionAction.NONE, 0


def _enter(bot: Bot, side: int, candle_ms: int, close: float, journal: Journal) -> tuple[str, str]:
    """An entry asked of the risk check: its order row, or the refusal in words."""
    verdict: EntryVerdict = entry_check(bot, side=side, price=close, candle_ms=candle_ms)
    if not verdict.allowed:
        reason = "; ".join(verdict.reasons)
        journal.add(
            "blocked",
            f"entry {SIDE_NAMES[side]} blocked: {reason}",
            candle_ms=candle_ms,
            side=side,
            reasons=list(verdict.reasons),
        )
        return DecisionAction.BLOCKED, reason
    order = order_create(
        bot=bot,
        candle_ms=candle_ms,
        leg=OrderLeg.ENTRY,
        position_side=side,
        quantity=verdict.size,
        size_fraction=None if verdict.size is not None else bot.size,
        decision_price=close,
    )
    _ordered(journal, order, f"enter {SIDE_NAMES[side]}", candle_ms)
    return (DecisionAction.ENTER_LONG if side == LONG else DecisionAction.ENTER_SHORT), ""


def _ordered(journal: Journal, order: BotOrder, what: str, candle_ms: int) -> None:
    message = f"{what}: {order.side} {fill_words(journal.bot)} ({order.client_order_id})"
    order_noted(journal, order, message, candle_ms=candle_ms)


def orders_submit_pending(*, bot_id: int) -> int:
    """Send the bot's pending_submit orders (paper: the venue accepts them at once). Each in
    its own transaction: the row was committed before, the answer is recorded after."""
    if Bot.objects.filter(pk=bot_id, mode=BotMode.LIVE).exists():
        return len(live_sync(bot_id=bot_id).recorded)
    submitted = 0
    for order in BotOrder.objects.filter(bot_id=bot_id, state=OrderState.PENDING_SUBMIT).order_by(
        "id"
    ):
        with transaction.atomic():
            locked = (
                BotOrder.objects.select_for_update()
                .filter(pk=order.pk, state=OrderState.PENDING_SUBMIT)
                .first()
            )
            if locked is None:
                continue
            paper_submit(locked)
            submitted += 1
    return submitted
