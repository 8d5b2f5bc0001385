"""A paper bot stepped candle by candle through the step code trades exactly as the stored
backtest of the same strategy, parameters, costs and span (real BTC/USDT 5m)."""

from __future__ import annotations

import pytest

from apps.analytics.models import BacktestTrade
from apps.analytics.services import backtest_run_create, backtest_run_execute
from apps.datafeeds.times import parse_time_ms
from apps.execution.models import Bot, BotDecision, BotTrade
from apps.execution.services.bots import bot_create
from apps.execution.services.forward import bot_forward_test

NUMBERS = ("entry_price", "exit_price", "size", "entry_fee", "exit_fee", "pnl")


def stored_backtest(owner, bot: Bot, start_ms: int, end_ms: int) -> list[dict]:
    run = backtest_run_create(
        owner=owner,
        strategy=bot.strategy,
        symbol=bot.symbol,
        start_ms=start_ms,
        end_ms=end_ms,
        params=bot.params,
        config={
            "initial_capital": float(bot.paper_capital),
            "fee_rate": bot.fee_rate,
            "slippage_bps": bot.slippage_bps,
            "size": bot.size,
            "stop_loss": bot.stop_loss,
            "take_profit": bot.take_profit,
            "allow_short": bot.allow_short,
        },
    )
    assert backtest_run_execute(run_id=run.pk) == "done"
    return list(BacktestTrade.objects.filter(run=run).order_by("number").values())


def assert_same_trades(bot: Bot, expected: list[dict]) -> None:
    ours = list(BotTrade.objects.filter(bot=bot).order_by("number"))
    closed = [t for t in expected if t["exit_reason"] != "end"]
    assert len(ours) == len(closed) > 5
    for mine, theirs in zip(ours, closed, strict=True):
        assert (mine.side, mine.entry_time, mine.exit_time, mine.exit_reason) == (
            theirs["side"],
            theirs["entry_time"],
            theirs["exit_time"],
            theirs["exit_reason"],
        )
        for name in NUMBERS:
            assert float(getattr(mine, name)) == pytest.approx(theirs[name], abs=1e-9, rel=0)
    still_open = [t for t in expected if t["exit_reason"] == "end"]
    position = Bot.objects.select_related("position").get(pk=bot.pk)
    if still_open:
        assert position.position.entry_time_ms == still_open[0]["entry_time"]
        assert float(position.position.size) == pytest.approx(still_open[0]["size"], abs=1e-9)
    else:
        assert not hasattr(position, "position")


HMA_COSTS = {"slippage_bps": 2.0, "stop_loss": 0.01, "take_profit": 0.02}


@pytest.mark.parametrize(
    ("strategy", "params", "costs", "start", "end"),
    [
        ("hma-sma", {}, HMA_COSTS, "2024-03-01", "2024-03-08"),
        (
            "ema-cross",
            {"fast_period": 12, "slow_period": 26},
            {"slippage_bps": 1.0},
            "2024-05-01",
            "2024-05-03",
        ),
    ],
)
def test_forward_test_equals_the_stored_backtest(ana, btc, strategy, params, costs, start, end):
    bot = bot_create(
        owner=ana, name=strategy, strategy=strategy, symbol=btc, params=params, config=costs
    )
    start_ms, end_ms = parse_time_ms(start), parse_time_ms(end)
    report = bot_forward_test(bot=bot, start_ms=start_ms, end_ms=end_ms)
    assert report.reconciliation.identical, report.reconciliation.summary
    assert BotDecision.objects.filter(bot=bot).count() == report.steps
    assert_same_trades(bot, stored_backtest(ana, bot, start_ms, end_ms))
