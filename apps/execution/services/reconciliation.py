"""A bot's trades next to a backtest over its running span, matched trade by trade.

The backtest is the engine's, on the candles and signals a backtest starting at the bot's
signal start computes (apps/analytics), with the bot's costs and sizing, over the candles the
bot has processed. For a paper bot every difference is zero; for a live bot (next) it is the
cost of reality: late entries, slippage, fees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from apps.analytics.engine import BacktestConfig, BacktestResult, run_backtest
from apps.analytics.models import BacktestRun, BacktestStatus
from apps.analytics.services import backtest_run_create
from apps.datafeeds.timeframes import timeframe_ms
from apps.strategies.registry import strategy_spec
from apps.strategies.selectors import strategy_inputs

from ..models import Bot, BotTrade
from .bots import BotConflict
from .risk import bot_risk_limits

_SIGNALS = ("long_entry", "short_entry", "long_exit", "short_exit")
_COMPARED = ("entry_price", "exit_price", "size", "entry_fee", "exit_fee", "pnl")


def bot_backtest_config(bot: Bot) -> BacktestConfig:
    return BacktestConfig(
        initial_capital=float(bot.span_start_equity),
        fee_rate=bot.fee_rate,
        slippage_bps=bot.slippage_bps,
        size=bot.size,
        stop_loss=bot.stop_loss,
        take_profit=bot.take_profit,
        allow_short=bot.allow_short,
    )


def bot_span_backtest(*, bot: Bot) -> BacktestResult | None:
    """The backtest over [span start, the close of the last processed candle]."""
    if bot.span_start_ms is None or bot.last_candle_ms is None:
        return None
    spec = strategy_spec(bot.strategy)
    end_ms = bot.last_candle_ms + timeframe_ms(bot.timeframe)
    candles = strategy_inputs(
        spec=spec, params=bot.params, symbol=bot.symbol, start_ms=bot.signals_from_ms, end_ms=end_ms
    )
    signals = spec.compute(candles.base, candles.context, bot.params)
    first = int(np.searchsorted(candles.base.open_time, bot.span_start_ms))
    span = candles.base.slice(slice(first, None))
    cut = {name: getattr(signals, name)[first:] for name in _SIGNALS}
    return run_backtest(span, cut, config=bot_backtest_config(bot), risk=bot_risk_limits(bot))


@dataclass(frozen=True)
class Reconciliation:
    rows: list[dict[str, Any]]
    summary: dict[str, Any]

    @property
    def identical(self) -> bool:
        return self.summary["identical"]


def _bot_trades(bot: Bot) -> list[dict[str, Any]]:
    rows = []
    for trade in BotTrade.objects.filter(bot=bot).order_by("number"):
        row = {
            "side": trade.side,
            "entry_time": trade.entry_time,
            "exit_time": trade.exit_time,
            "exit_reason": trade.exit_reason,
        }
        row.update({name: float(getattr(trade, name)) for name in _COMPARED})
        rows.append(row)
    position = getattr(bot, "position", None)
    if position is not None:  # the backtest closes it at the last close ("end")
        rows.append(
            {
                "side": "long" if position.side > 0 else "short",
                "entry_time": position.entry_time_ms,
                "exit_time": None,
                "exit_reason": "open",
                "entry_price": float(position.entry_price),
                "exit_price": None,
                "size": float(position.size),
                "entry_fee": float(position.entry_fee),
                "exit_fee": None,
                "pnl": None,
            }
        )
    return rows


def bot_reconciliation(*, bot: Bot) -> Reconciliation:
    """Pairs of (bot trade, backtest trade) by entry time, with their differences."""
    result = bot_span_backtest(bot=bot)
    reference = [] if result is None else [t.as_dict() for t in result.trades]
    ours = _bot_trades(bot)
    by_entry = {t["entry_time"]: t for t in reference}
    rows, max_diff, matched = [], dict.fromkeys(_COMPARED, 0.0), 0
    for trade in ours:
        other = by_entry.pop(trade["entry_time"], None)
        if other is None or other["side"] != trade["side"]:
            rows.append({"bot": trade, "backtest": other, "differences": None})
            continue
        matched += 1
        open_trade = trade["exit_reason"] == "open"
        differences = {}
        for name in _COMPARED:
            if trade[name] is None or (open_trade and name in ("exit_price", "exit_fee", "pnl")):
                continue
            differences[name] = trade[name] - other[name]
            max_diff[name] = max(max_diff[name], abs(differences[name]))
        if not open_trade:
            differences["exit_time_ms"] = trade["exit_time"] - other["exit_time"]
        differences["entry_time_ms"] = 0
        rows.append({"bot": trade, "backtest": other, "differences": differences})
    for other in by_entry.values():
        rows.append({"bot": None, "backtest": other, "differences": None})
    rows.sort(key=lambda r: (r["bot"] or r["backtest"])["entry_time"])
    unmatched = len(rows) - matched
    exits_differ = any(
        r["differences"] and r["differences"].get("exit_time_ms", 0) != 0 for r in rows
    )
    bot_pnl = sum(t["pnl"] for t in ours if t["pnl"] is not None)
    backtest_pnl = sum(t["pnl"] for t in reference if t["exit_reason"] != "end")
    summary = {
        "bot_trades": len(ours),
        "backtest_trades": len(reference),
        "matched": matched,
        "unmatched": unmatched,
        "max_abs_difference": max_diff,
        "bot_pnl": bot_pnl,
        "backtest_pnl_closed": backtest_pnl,
        "pnl_difference": bot_pnl - backtest_pnl,
        "span_start_ms": bot.span_start_ms,
        "span_end_ms": None
        if bot.last_candle_ms is None
        else bot.last_candle_ms + timeframe_ms(bot.timeframe),
        "identical": unmatched == 0
        and not exits_differ
        and all(value <= 1e-9 for value in max_diff.values()),
    }
    return Reconciliation(rows, summary)


def bot_reconciliation_backtest(*, bot: Bot) -> BacktestRun:
    """A stored backtest of the bot's running span (its strategy, parameters, costs and risk
    profile), to open beside the reconciliation: queued for a worker, reused while one with the
    same span and inputs exists. BotConflict when the bot has decided no candle yet."""
    if bot.span_start_ms is None or bot.last_candle_ms is None:
        raise BotConflict("The bot has decided no candle yet: there is no span to backtest.")
    end_ms = bot.last_candle_ms + timeframe_ms(bot.timeframe)
    config = {
        "initial_capital": float(bot.span_start_equity),
        "fee_rate": bot.fee_rate,
        "slippage_bps": bot.slippage_bps,
        "allow_short": bot.allow_short,
    }
    if bot.risk_profile_id is None:  # else the profile sets the sizing and the exits
        config.update(size=bot.size, stop_loss=bot.stop_loss, take_profit=bot.take_profit)
    same = BacktestRun.objects.filter(
        owner_id=bot.owner_id,
        strategy=bot.strategy,
        params=bot.params,
        symbol_id=bot.symbol_id,
        start_ms=bot.span_start_ms,
        end_ms=end_ms,
        risk_profile_id=bot.risk_profile_id,
        status__in=(BacktestStatus.QUEUED, BacktestStatus.RUNNING, BacktestStatus.DONE),
        **{name: value for name, value in config.items()},
    ).first()
    if same is not None:
        return same
    return backtest_run_create(
        owner=bot.owner,
        strategy=bot.strategy,
        symbol=bot.symbol,
        start_ms=bot.span_start_ms,
        end_ms=end_ms,
        params=bot.params,
        config=config,
        risk_profile=bot.risk_profile_id,
    )
