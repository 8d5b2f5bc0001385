"""POST /api/execution/bots/<id>/reconciliation/backtest/: a stored backtest of the bot's running
span (the one the reconciliation view opens), whose trades are the bot's, on real BTC/USDT."""

from __future__ import annotations

import pytest

from apps.analytics.models import BacktestRun, BacktestTrade
from apps.analytics.services import backtest_run_execute
from apps.execution.models import BotTrade

from .helpers import BAR, START, running_bot, step_on_time, store_around


@pytest.fixture
def stepped(ana, btc_symbol, btc_5m_candles):
    store_around(btc_symbol, btc_5m_candles, START, days_after=2)
    bot = running_bot(
        ana, btc_symbol, params={"fast_period": 5, "slow_period": 20}, config={"size": 0.5}
    )
    for k in range(288):
        step_on_time(bot, START + k * BAR)
    return bot


def test_the_span_backtest_is_stored_once_and_trades_as_the_bot(client, bob_client, stepped):
    url = f"/api/execution/bots/{stepped.pk}/reconciliation/backtest/"
    answer = client.post(url)
    assert answer.status_code == 200, answer.json()
    run = BacktestRun.objects.get(pk=answer.json()["run"])
    assert (run.start_ms, run.end_ms) == (START, START + 288 * BAR)
    assert (run.strategy, run.params, run.size) == (stepped.strategy, stepped.params, 0.5)
    assert client.post(url).json()["run"] == run.pk  # the same span: the same run
    assert bob_client.post(url).status_code == 404

    assert backtest_run_execute(run_id=run.pk) == "done"
    theirs = list(BacktestTrade.objects.filter(run=run).exclude(exit_reason="end"))
    ours = list(BotTrade.objects.filter(bot=stepped).order_by("number"))
    assert len(ours) == len(theirs) >= 3
    for mine, other in zip(ours, theirs, strict=True):
        assert (mine.entry_time, mine.exit_time, mine.side) == (
            other.entry_time,
            other.exit_time,
            other.side,
        )
        assert float(mine.pnl) == pytest.approx(other.pnl, abs=1e-9)
    summary = client.get(f"/api/execution/bots/{stepped.pk}/reconciliation/").json()["summary"]
    assert summary["identical"] and summary["unmatched"] == 0


def test_a_bot_that_decided_nothing_has_no_span(client, ana, btc_symbol, btc_5m_candles):
    store_around(btc_symbol, btc_5m_candles, START)
    bot = running_bot(ana, btc_symbol)
    answer = client.post(f"/api/execution/bots/{bot.pk}/reconciliation/backtest/")
    assert answer.status_code == 409 and "no candle" in answer.json()["detail"]
