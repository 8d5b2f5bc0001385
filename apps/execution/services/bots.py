"""Create, change, delete, start and stop bots (docs/bots.md, "The life of a bot")."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from apps.analytics.services.validation import config_checked
from apps.datafeeds.hints import fetch_command
from apps.datafeeds.models import CandleSeries, Symbol
from apps.datafeeds.timeframes import bucket_floor, timeframe_ms
from apps.datafeeds.times import duration_words, format_ms
from apps.exchanges.models import ExchangeAccount
from apps.ops.enqueue import task_send_on_commit
from apps.risk.choice import risk_profile_chosen, risk_profile_values
from apps.risk.models import RiskProfile
from apps.strategies.registry import InvalidParameters, StrategySpec, strategy_spec

from ..lifecycle import RUNNABLE_FROM, bot_status_move
from ..models import (
    LIVE_ORDER_STATES,
    STALENESS_BOUND,
    STOP_LIMIT_OFFSET_BOUND,
    Bot,
    BotMode,
    BotOrder,
    BotStatus,
    OrderLeg,
    OrderState,
)
from ..orders import client_order_id, order_cancelled
from ..task_names import BOT_ORDERS_SYNC, START_BOT
from .journal import Journal, fill_words
from .paper import dec, order_create
from .risk import risk_state_start

CONFIG_FIELDS = ("fee_rate", "slippage_bps", "size", "stop_loss", "take_profit", "allow_short")
EDITABLE_WHILE_RUNNING = ("name",)


class BotInvalid(ValueError):
    """Input that cannot make or change a bot; `errors` maps each bad field to its message."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class BotMissingCandles(LookupError):
    """The symbol lacks the candles the strategy needs; the message says how to fetch them."""


class BotConflict(Exception):
    """The bot's state does not allow the operation (409)."""


def candles_required(*, spec: StrategySpec, params: Mapping[str, Any], symbol: Symbol) -> None:
    """The base series holds at least the strategy's warm-up; else BotMissingCandles naming the
    command that fetches it. (Higher timeframes are aggregated from the base when not stored.)"""
    needed = spec.base_warmup(params) + 1
    series = CandleSeries.objects.filter(symbol=symbol, timeframe=spec.base_timeframe).first()
    stored = series.count if series is not None else 0
    if stored < needed:
        tf = spec.base_timeframe
        since = int(time.time() * 1000) - (needed + 1) * timeframe_ms(tf)
        raise BotMissingCandles(
            f"{symbol} has {stored} {tf} candles; {spec.key} needs at least {needed} (its "
            f"warm-up). Fetch them: {fetch_command(symbol, tf, since_ms=since, track=True)}"
        )


LIVE_FRESH_BARS = 2  # a live bot starts only on candles at most this many bars old


def candles_fresh_required(*, symbol: Symbol, timeframe: str, now_ms: int) -> None:
    """A live bot decides with real money from the candle in progress on: its symbol's last
    closed candle must be at most LIVE_FRESH_BARS bars old, else BotInvalid naming the age and
    the command that brings the series up to date."""
    series = CandleSeries.objects.filter(symbol=symbol, timeframe=timeframe).first()
    if series is None:
        return  # candles_required has already refused an empty series
    bar_ms = timeframe_ms(timeframe)
    closed_ms = series.last_open_time + bar_ms
    age_ms = now_ms - closed_ms
    if age_ms > LIVE_FRESH_BARS * bar_ms:
        raise BotInvalid(
            {
                "symbol": (
                    f"{symbol}'s last {timeframe} candle closed {duration_words(age_ms)} ago "
                    f"({format_ms(closed_ms)}): a live bot starts only on candles at most "
                    f"{LIVE_FRESH_BARS} bars old. Bring them up to date, then start it: "
                    f"{fetch_command(symbol, timeframe, track=True)}"
                )
            }
        )


def _account_checked(
    owner: AbstractBaseUser,
    mode: str,
    symbol: Symbol,
    account_id: int | None,
    config: Mapping[str, Any],
    errors: dict[str, Any],
) -> ExchangeAccount | None:
    """A live bot trades through one of the owner's accounts, of the symbol's exchange, whose
    last connection check passed; spot markets cannot be shorted, so allow_short must be off."""
    if mode != BotMode.LIVE:
        if account_id is not None:
            errors["exchange_account"] = "only live bots trade through an exchange account"
        return None
    if config.get("allow_short", True):
        errors["allow_short"] = "live bots trade spot markets: set allow_short to false"
    if account_id is None:
        errors["exchange_account"] = "a live bot needs one of your exchange accounts"
        return None
    account = ExchangeAccount.objects.filter(pk=account_id, owner=owner).first()
    if account is None:
        errors["exchange_account"] = f"you have no exchange account {account_id}"
    elif account.exchange != symbol.exchange:
        errors["exchange_account"] = (
            f"account {account_id} is on {account.exchange}, the symbol on {symbol.exchange}"
        )
    elif account.last_check_ok is not True:
        said = f" ({account.last_check_message})" if account.last_check_message else ""
        errors["exchange_account"] = (
            f"account {account_id} has not passed its connection check{said}: check it first"
        )
    return account


def _checked(
    owner: Any,
    strategy: str,
    params: Mapping[str, Any] | None,
    config: Mapping[str, Any],
    mode: str,
    errors: dict[str, Any] | None = None,
    staleness_seconds: float | None = None,
) -> tuple[StrategySpec | None, dict[str, Any], dict[str, Any]]:
    errors = {} if errors is None else errors
    if mode not in BotMode.values:
        errors["mode"] = f"must be one of {', '.join(BotMode.values)}"
    spec, validated = None, {}
    try:
        spec = strategy_spec(strategy, owner=owner)
    except LookupError as error:
        errors["strategy"] = str(error)
    if spec is not None:
        try:
            validated = spec.validate_params(params or {})
        except InvalidParameters as error:
            errors["params"] = error.errors
    unknown = [name for name in config if name not in (*CONFIG_FIELDS, "initial_capital")]
    for name in unknown:
        errors[name] = "unknown setting"
    costs = config_checked({k: v for k, v in config.items() if k not in unknown}, errors)
    if "initial_capital" in errors:  # a bot's starting capital is its paper_capital
        errors["paper_capital"] = errors.pop("initial_capital")
    if message := STALENESS_BOUND.error(staleness_seconds):
        errors["staleness_seconds"] = message
    if errors:
        raise BotInvalid(errors)
    return spec, validated, costs


def bot_create(
    *,
    owner: AbstractBaseUser,
    name: str,
    strategy: str,
    symbol: Symbol,
    params: Mapping[str, Any] | None = None,
    mode: str = BotMode.PAPER,
    paper_capital: float = 10_000.0,
    config: Mapping[str, Any] | None = None,
    staleness_seconds: float | None = None,
    risk_profile: int | None = None,
    exchange_account: int | None = None,
    stop_limit_offset: float | None = None,
) -> Bot:
    """A stopped bot. BotInvalid names each bad field (parameters against the registry, costs
    as a backtest's, a live bot's exchange account); BotMissingCandles when the symbol lacks
    the strategy's warm-up."""
    config = dict(config or {})
    if mode == BotMode.LIVE:  # spot markets cannot be shorted: a live bot never shorts unasked
        config.setdefault("allow_short", False)
    errors: dict[str, Any] = {}
    profile = risk_profile_chosen(
        owner=owner, profile_id=risk_profile, config=config, errors=errors
    )
    account = _account_checked(owner, mode, symbol, exchange_account, config, errors)
    config["initial_capital"] = paper_capital
    with contextlib.suppress(LookupError):  # an unknown strategy is reported by _checked
        config = strategy_spec(strategy, owner=owner).stops_defaulted(config, risk_profile=profile)
    if stop_limit_offset is not None and (
        message := STOP_LIMIT_OFFSET_BOUND.error(stop_limit_offset)
    ):
        errors["stop_limit_offset"] = message
    spec, validated, costs = _checked(
        owner, strategy, params, config, mode, errors, staleness_seconds
    )
    candles_required(spec=spec, params=validated, symbol=symbol)
    capital = dec(costs["initial_capital"])
    return Bot.objects.create(
        owner=owner,
        name=name,
        strategy=spec.key,
        params=validated,
        symbol=symbol,
        timeframe=spec.base_timeframe,
        mode=mode,
        exchange_account=account,
        paper_capital=capital,
        equity=capital,
        peak_equity=capital,
        staleness_seconds=staleness_seconds,
        stop_limit_offset=(
            STOP_LIMIT_OFFSET_BOUND.default if stop_limit_offset is None else stop_limit_offset
        ),
        risk_profile=profile,
        risk_limits=risk_profile_values(profile),
        **{name: costs[name] for name in CONFIG_FIELDS},
    )


def bot_update(*, bot: Bot, changes: Mapping[str, Any]) -> Bot:
    """Rename any time; strategy, parameters and costs only while the bot is stopped."""
    with transaction.atomic():
        bot = Bot.objects.select_for_update().get(pk=bot.pk)
        locked = [k for k in changes if k not in EDITABLE_WHILE_RUNNING]
        if locked and bot.status not in RUNNABLE_FROM:
            raise BotConflict(f"Stop the bot before changing {', '.join(sorted(locked))}.")
        if "name" in changes:
            bot.name = changes["name"]
        strategy = changes.get("strategy", bot.strategy)
        params = changes.get("params", bot.params if strategy == bot.strategy else {})
        config = {k: changes.get(k, getattr(bot, k)) for k in CONFIG_FIELDS}
        _, validated, costs = _checked(bot.owner, strategy, params, config, bot.mode)
        if bot.mode == BotMode.LIVE and costs["allow_short"]:
            raise BotInvalid({"allow_short": "live bots trade spot markets: it stays false"})
        if "risk_profile" in changes:
            errors: dict[str, Any] = {}
            profile = risk_profile_chosen(
                owner=bot.owner, profile_id=changes["risk_profile"], config=changes, errors=errors
            )
            if errors:
                raise BotInvalid(errors)
            bot.risk_profile, bot.risk_limits = profile, risk_profile_values(profile)
        bot.strategy, bot.params = strategy, validated
        for name in CONFIG_FIELDS:
            setattr(bot, name, costs[name])
        for name, bound in (
            ("staleness_seconds", STALENESS_BOUND),
            ("stop_limit_offset", STOP_LIMIT_OFFSET_BOUND),
        ):
            if name in changes:
                if message := bound.error(changes[name]):
                    raise BotInvalid({name: message})
                setattr(bot, name, changes[name])
        bot.timeframe = strategy_spec(strategy, owner=bot.owner).base_timeframe
        bot.save()
    return bot


@dataclass(frozen=True)
class StopOutcome:
    """What stopping one bot of a stop-all did."""

    bot_id: int
    name: str
    mode: str
    before: str  # its status before
    status: str  # its status after
    outcome: str  # "stopped", "closing", "already stopped" or "refused"
    message: str


def bots_stop_all(
    *, owner: AbstractBaseUser, close_positions: bool, now_ms: int | None = None
) -> list[StopOutcome]:
    """Stop every bot of `owner` (the panic button): each as bot_stop does, closing its position
    at market with `close_positions`. Idempotent: a stopped bot is left as it is (its position
    too, unless a close is asked and none is under way), and a repeat changes nothing. One bot
    refusing does not stop the others; each gets its outcome."""
    outcomes = []
    for bot in Bot.objects.filter(owner=owner).select_related("position").order_by("pk"):
        before = bot.status
        open_position = getattr(bot, "position", None) is not None
        if before == BotStatus.STOPPING:  # its close is under way
            outcomes.append(StopOutcome(bot.pk, bot.name, bot.mode, before, before, "closing", ""))
            continue
        if before != BotStatus.RUNNING and not (close_positions and open_position):
            outcomes.append(
                StopOutcome(bot.pk, bot.name, bot.mode, before, before, "already stopped", "")
            )
            continue
        try:
            stopped = bot_stop(bot=bot, close_position=close_positions, now_ms=now_ms)
        except BotConflict as error:
            outcomes.append(
                StopOutcome(bot.pk, bot.name, bot.mode, before, before, "refused", str(error))
            )
            continue
        outcome = "closing" if stopped.status == BotStatus.STOPPING else "stopped"
        outcomes.append(
            StopOutcome(
                bot.pk, bot.name, bot.mode, before, stopped.status, outcome, stopped.status_message
            )
        )
    return outcomes


def running_bots_on_profile(profile_id: int) -> list[str]:
    """What holds a risk profile (apps/risk refuses to delete it): its running bots."""
    bots = Bot.objects.filter(
        risk_profile_id=profile_id, status__in=(BotStatus.RUNNING, BotStatus.STOPPING)
    )
    return [f"running bot '{name}' (id {pk})" for pk, name in bots.values_list("pk", "name")]


def running_bots_on_strategies(keys: list[str]) -> list[str]:
    """What holds a user's strategy (apps/strategies refuses to delete it): running bots on
    any of its versions."""
    bots = Bot.objects.filter(strategy__in=keys, status__in=(BotStatus.RUNNING, BotStatus.STOPPING))
    return [f"bot '{name}' (id {pk})" for pk, name in bots.values_list("pk", "name")]


def bot_delete(*, bot: Bot) -> None:
    with transaction.atomic():
        bot = Bot.objects.select_for_update().get(pk=bot.pk)
        if bot.status not in RUNNABLE_FROM:
            raise BotConflict("Stop the bot before deleting it.")
        bot.delete()


def bot_start(*, bot: Bot, now_ms: int | None = None) -> Bot:
    """Running from the candle in progress on: its close is the bot's first decision.

    Bots already running with the same (strategy, params, symbol) lend their signal start, so
    that every bot with that key shares one computation per candle. The start task then tracks
    the symbol's timeframes for the refresh and fetches what is missing."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    spec = strategy_spec(bot.strategy)
    candles_required(spec=spec, params=bot.params, symbol=bot.symbol)
    if bot.mode == BotMode.LIVE:  # the account may have failed a check since the bot was made
        candles_fresh_required(symbol=bot.symbol, timeframe=bot.timeframe, now_ms=now_ms)
        account = ExchangeAccount.objects.get(pk=bot.exchange_account_id)
        if account.last_check_ok is not True:
            raise BotInvalid(
                {"exchange_account": f"account {account.pk} has not passed its connection check"}
            )
    with transaction.atomic():
        bot = Bot.objects.select_for_update().get(pk=bot.pk)
        if bot.status not in RUNNABLE_FROM:
            raise BotConflict(f"The bot is {bot.status}.")
        span_start = int(bucket_floor(now_ms, bot.timeframe))
        sharing = (
            Bot.objects.filter(
                symbol_id=bot.symbol_id,
                strategy=bot.strategy,
                params=bot.params,
                status=BotStatus.RUNNING,
                signals_from_ms__lte=span_start,
            )
            .exclude(pk=bot.pk)
            .order_by("signals_from_ms")
            .values_list("signals_from_ms", flat=True)
            .first()
        )
        bot_running_from(bot=bot, span_start_ms=span_start, signals_from_ms=sharing or span_start)
        task_send_on_commit(START_BOT, bot.pk)
    return bot


def bot_running_from(*, bot: Bot, span_start_ms: int, signals_from_ms: int) -> None:
    """Mark the (locked) bot running with its first candle; its journal says so."""
    journal = Journal(bot)
    bot_status_move(
        bot,
        BotStatus.RUNNING,
        "",
        journal,
        said=f"Running from the candle opening at {format_ms(span_start_ms)} ({bot.timeframe}).",
        span_start_ms=span_start_ms,
    )
    # The profile's values as they are now (none when it was deleted while the bot was stopped).
    profile = RiskProfile.objects.filter(pk=bot.risk_profile_id).first()
    bot.risk_limits = risk_profile_values(profile)
    bot.span_start_equity = bot.peak_equity = bot.equity
    risk_state_start(bot, time_ms=span_start_ms)
    bot.span_start_ms = span_start_ms
    bot.signals_from_ms = signals_from_ms
    bot.last_candle_ms = None
    bot.base_outside, bot.books_warning = None, ""  # measured again at its first live sync
    bot.save()
    journal.flush()


def bot_stop(*, bot: Bot, close_position: bool = False, now_ms: int | None = None) -> Bot:
    """Cancel the bot's live orders; with `close_position`, close its position at market (paper:
    at the next candle's open, status "stopping" until then), else keep it."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    with transaction.atomic():
        bot = Bot.objects.select_for_update(of=("self",)).select_related("position").get(pk=bot.pk)
        if bot.status == BotStatus.STOPPED and not close_position:
            return bot
        journal = Journal(bot)
        # A live bot's sent orders are cancelled on the exchange by the sync after the commit.
        local = LIVE_ORDER_STATES if bot.mode == BotMode.PAPER else (OrderState.PENDING_SUBMIT,)
        for order in BotOrder.objects.filter(bot=bot, state__in=local).order_by("id"):
            order_cancelled(order, reason="the bot was stopped")
            journal.add(
                "order",
                f"cancelled {order.client_order_id}",
                order=order.client_order_id,
                state="cancelled",
            )
        position = getattr(bot, "position", None)
        if close_position and position is not None:
            # Decided "at the close of the candle in progress": it fills at the next open, a
            # price that comes after the request.
            candle = max(int(bucket_floor(now_ms, bot.timeframe)), bot.last_candle_ms or 0)
            coid = client_order_id(bot_id=bot.pk, candle_ms=candle, leg=OrderLeg.CLOSE)
            if BotOrder.objects.filter(client_order_id=coid).exists():
                raise BotConflict("A close was already ordered during this candle.")
            order = order_create(
                bot=bot, candle_ms=candle, leg=OrderLeg.CLOSE, position_side=position.side
            )
            journal.add(
                "order",
                f"close the position {fill_words(bot)} ({order.client_order_id})",
                order=order.client_order_id,
                leg=order.leg,
                side=order.side,
            )
            message = f"Closing the position {fill_words(bot)}."
            bot_status_move(bot, BotStatus.STOPPING, message, journal)
        else:
            held = " (the position stays open)" if position is not None else ""
            bot_status_move(bot, BotStatus.STOPPED, f"Stopped by its owner{held}.", journal)
        bot.save()
        journal.flush()
        if bot.mode == BotMode.LIVE:
            task_send_on_commit(BOT_ORDERS_SYNC, bot.pk)
    return bot
