"""The bot's side of the risk check (SPEC §9, docs/risk.md): the same pure `risk_check` the
backtest's risk gate asks, with the same state kept the same way, so a paper bot and its
backtest size and block identically.

- Before an entry: the state brought to the decision candle's close (a new UTC day starts
  afresh; bars since the last stop-loss), the decision's close as the expected price. A
  reversal's entry is asked once its exit has filled, with the state after that exit, as the
  backtest asks it.
- After each exit: the state takes the trade's PnL.
- At every close: the drawdown kill switch on the marked equity against its peak.

Without a risk profile a bot sizes as a backtest without one: its `size` fraction of equity at
the fill, no kill switch.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from apps.datafeeds.timeframes import timeframe_ms
from apps.risk.bounds import PROFILE_FIELDS
from apps.risk.check import (
    EntryIntent,
    RiskLimits,
    RiskState,
    drawdown_reached,
    risk_check,
    state_after_exit,
    state_at,
    state_new,
)
from apps.risk.check import kill_switch_reason as drawdown_words

from ..models import Bot, BotPosition, BotStatus

_LAST_STOP = "last_stop_loss_bar_ms"  # kept next to the RiskState in bot.risk_state


@dataclass(frozen=True)
class EntryVerdict:
    allowed: bool
    size: float | None  # base units; None: sized at the fill with the bot's fraction of equity
    reasons: tuple[str, ...] = ()


def bot_risk_limits(bot: Bot) -> RiskLimits | None:
    if not bot.risk_limits:
        return None
    return RiskLimits(**{name: bot.risk_limits[name] for name in PROFILE_FIELDS})


def protective_fractions(bot: Bot) -> tuple[float | None, float | None]:
    """Stop-loss and take-profit fractions: the profile's when it has one (as in a backtest)."""
    limits = bot_risk_limits(bot)
    if limits is not None:
        return limits.stop_loss, limits.take_profit
    return bot.stop_loss, bot.take_profit


def risk_state_start(bot: Bot, *, time_ms: int) -> None:
    """A fresh state at the start of a running span (equity = its realised equity)."""
    state = state_new(equity=float(bot.equity), time_ms=time_ms)
    bot.risk_state = {**_plain(state), _LAST_STOP: None}


def _state(bot: Bot) -> RiskState:
    stored = dict(bot.risk_state)
    stored.pop(_LAST_STOP, None)
    return RiskState(**stored)


def _plain(state: RiskState) -> dict:
    values = {f.name: getattr(state, f.name) for f in fields(RiskState)}
    values["open_positions"] = {}  # other bots' positions are read fresh at each check
    return values


def _others_open(bot: Bot) -> dict[str, int]:
    """Open positions of the owner's other running bots, per symbol (max_open_positions)."""
    held = BotPosition.objects.filter(
        bot__owner_id=bot.owner_id, bot__status=BotStatus.RUNNING
    ).exclude(bot_id=bot.pk)
    counts: dict[str, int] = {}
    for name in held.values_list("bot__symbol__name", flat=True):
        counts[name] = counts.get(name, 0) + 1
    return counts


def entry_check(bot: Bot, *, side: int, price: float, candle_ms: int) -> EntryVerdict:
    """Ask the risk check for an entry decided at the close of `candle_ms` at `price`."""
    limits = bot_risk_limits(bot)
    if limits is None:
        return EntryVerdict(True, None)
    bar_ms = timeframe_ms(bot.timeframe)
    time_ms = candle_ms + bar_ms
    last_stop = bot.risk_state.get(_LAST_STOP)
    since = None if last_stop is None else (candle_ms - last_stop) // bar_ms
    state = state_at(
        _state(bot), time_ms=time_ms, realised_equity=_state(bot).equity, bars_since_stop_loss=since
    )
    bot.risk_state = {**_plain(state), _LAST_STOP: last_stop}
    others = _others_open(bot)
    if others:
        state = replace(state, open_positions=others)
    verdict = risk_check(EntryIntent(side, price, time_ms, None, "", bot.fee_rate), state, limits)
    if not verdict.allowed:
        return EntryVerdict(False, None, verdict.reasons)
    return EntryVerdict(True, verdict.size)


def exit_recorded(
    bot: Bot, *, pnl: float, time_ms: int, equity: float, stop_loss_hit: bool
) -> None:
    limits = bot_risk_limits(bot)
    if limits is None:
        return
    state = _state(bot)
    state = state_after_exit(
        state,
        pnl=pnl,
        time_ms=time_ms,
        realised_equity_before=state.equity,
        equity=equity,
        stop_loss_hit=stop_loss_hit,
        limits=limits,
    )
    last_stop = time_ms if stop_loss_hit else bot.risk_state.get(_LAST_STOP)
    bot.risk_state = {**_plain(state), _LAST_STOP: last_stop}


def kill_switch_reason(bot: Bot, *, equity: float, peak: float) -> str | None:
    """Why the bot must be killed at this close (marked equity against its peak), or None."""
    limits = bot_risk_limits(bot)
    if limits is None or limits.max_drawdown is None:
        return None
    if not drawdown_reached(equity, peak, limits.max_drawdown):
        return None
    return drawdown_words(equity, peak, limits.max_drawdown)
