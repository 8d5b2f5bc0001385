"""A paper bot stepped candle by candle through the step code trades exactly as the stored
backtest of the same strategy, parameters, costs and span (real BTC/USDT 5m)."""

from __future__ import annotations

import pytest

from apps.analytics.models import BacktestTrade
from apps.analytics.services import backtest_run_create, backtest_run_execute
from apps.datafeeds.times import parse_time_ms
from apps.execution.models import Bot, BotDecision, BotEvent, BotTrade
from apps.execution.services.bots import bot_create
from apps.execution.services.forward import bot_forward_test
from apps.risk.services import risk_profile_create

NUMBERS = ("entry_price", "exit_price", "size", "entry_fee", "exit_fee", "pnl")


def stored_backtest(owner, bot: Bot, start_ms: int, end_ms: int) -> list[dict]:
    config = {
        "initial_capital": float(bot.paper_capital),
        "fee_rate": bot.fee_rate,
        "slippage_bps": bot.slippage_bps,
        "size": bot.size,
        "stop_loss": bot.stop_loss,
        "take_profit": bot.take_profit,
        "allow_short": bot.allow_short,
    }
    if bot.risk_profile_id is not None:  # the profile sets these
        for name in ("size", "stop_loss", "take_profit"):
            del config[name]
    run = backtest_run_create(
        owner=owner,
        strategy=bot.strategy,
        symbol=bot.symbol,
        start_ms=start_ms,
        end_ms=end_ms,
        params=bot.params,
        config=config,
        risk_profile=bot.risk_profile_id,
    )
    assert backtest_run_execute(run_id=run.pk) == "done"
    return list(BacktestTrade.objects.filter(run=run).order_by("number").values())


def assert_same_trades(bot: Bot, expected: list[dict], at_least: int = 4) -> None:
    ours = list(BotTrade.objects.filter(bot=bot).order_by("number"))
    closed = [t for t in expected if t["exit_reason"] != "end"]
    assert len(ours) == len(closed) >= at_least
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


PROFILE = {
    "risk_per_trade": 0.004,  # 0.4% at risk over a 0.6% stop: two thirds of the equity
    "max_position_fraction": 1.0,
    "stop_loss": 0.006,
    "take_profit": 0.012,
    "max_daily_loss": 0.015,
    "cooldown_bars": 6,
}


@pytest.mark.parametrize(
    ("strategy", "params", "start", "end"),
    [
        ("hma-sma", {}, "2024-03-01", "2024-03-08"),
        ("ema-cross", {"fast_period": 12, "slow_period": 26}, "2024-05-01", "2024-05-03"),
    ],
)
def test_forward_test_with_a_risk_profile_equals_the_stored_backtest(
    ana, btc, strategy, params, start, end
):
    profile = risk_profile_create(owner=ana, name="careful", values=PROFILE)
    bot = bot_create(
        owner=ana,
        name=strategy,
        strategy=strategy,
        symbol=btc,
        params=params,
        config={"slippage_bps": 1.0},
        risk_profile=profile.pk,
    )
    start_ms, end_ms = parse_time_ms(start), parse_time_ms(end)
    report = bot_forward_test(bot=bot, start_ms=start_ms, end_ms=end_ms)
    assert report.reconciliation.identical, report.reconciliation.summary
    expected = stored_backtest(ana, bot, start_ms, end_ms)
    assert_same_trades(bot, expected)
    # The profile really acted: sizes differ from the whole equity, and entries were blocked.
    sizes = [float(t.size) * float(t.entry_price) for t in BotTrade.objects.filter(bot=bot)]
    assert max(sizes) < 0.99 * 10_000
    assert BotEvent.objects.filter(bot=bot, kind="blocked").exists()


def test_the_kill_switch_kills_the_bot_as_the_backtest_stops_trading(ana, btc):
    profile = risk_profile_create(
        owner=ana, name="tight", values={**PROFILE, "max_drawdown": 0.01, "max_daily_loss": None}
    )
    bot = bot_create(
        owner=ana,
        name="killed",
        strategy="ema-cross",
        symbol=btc,
        params={"fast_period": 12, "slow_period": 26},
        risk_profile=profile.pk,
    )
    start_ms, end_ms = parse_time_ms("2024-05-01"), parse_time_ms("2024-05-05")
    report = bot_forward_test(bot=bot, start_ms=start_ms, end_ms=end_ms)
    bot.refresh_from_db()
    assert bot.status == "killed"
    assert bot.status_message.startswith("drawdown kill switch: equity ")
    assert "(limit 1%)" in bot.status_message
    expected = stored_backtest(ana, bot, start_ms, end_ms)
    assert expected[-1]["exit_reason"] == "kill_switch"
    assert_same_trades(bot, expected, at_least=3)
    assert report.reconciliation.identical, report.reconciliation.summary
    assert BotDecision.objects.filter(bot=bot, action="killed").count() == 1


def test_the_commands_create_and_forward_test_a_bot(ana, btc_symbol, btc_5m_candles):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from .helpers import START, store_around

    store_around(btc_symbol, btc_5m_candles, START)
    out = StringIO()
    call_command(
        "bot_create", "ana", "cli", "ema-cross", "BTCUSDT", "--param", "fast_period=9", stdout=out
    )
    bot_id = int(out.getvalue())
    assert Bot.objects.get(pk=bot_id).params == {"fast_period": 9, "slow_period": 26}
    with pytest.raises(CommandError, match="must be below slow_period"):
        call_command("bot_create", "ana", "x", "ema-cross", "BTCUSDT", "--param", "fast_period=40")
    out = StringIO()
    call_command(
        "bot_forward_test", str(bot_id), "--start", "2024-05-01", "--end", "2024-05-02", stdout=out
    )
    assert "Identical to the backtest, trade for trade." in out.getvalue()
    with pytest.raises(CommandError, match="pass --reset"):
        call_command(
            "bot_forward_test", str(bot_id), "--start", "2024-05-01", "--end", "2024-05-02"
        )
    with pytest.raises(CommandError, match="--end must be after --start"):
        call_command(
            "bot_forward_test", str(bot_id), "--start", "2024-05-02", "--end", "2024-05-01"
        )
    with pytest.raises(CommandError, match="No bot 999999"):
        call_command("bot_forward_test", "999999", "--start", "2024-05-01", "--end", "2024-05-02")
    out = StringIO()
    call_command(
        "bot_forward_test",
        str(bot_id),
        "--start",
        "2024-05-01",
        "--end",
        "2024-05-02",
        "--reset",
        "--json",
        stdout=out,
    )
    assert '"identical": true' in out.getvalue()
