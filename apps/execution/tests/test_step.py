"""The step of one bot at one candle: once per candle, never on a stale candle, fills with the
backtest's rules, stop with and without closing, errors kept to their bot."""

from __future__ import annotations

import dataclasses

import pytest

from apps.execution.models import (
    Bot,
    BotDecision,
    BotEvent,
    BotOrder,
    BotStatus,
    BotTrade,
    DecisionAction,
    OrderState,
)
from apps.execution.services import signals as signal_service
from apps.execution.services.audit import bot_books_audit
from apps.execution.services.bots import bot_stop
from apps.execution.services.fanout import bots_step_many, step_groups
from apps.execution.services.step import StepOutcome, bot_step
from apps.strategies import registry

from .helpers import BAR, START, first_entry_candle, running_bot, step_on_time, store_around


@pytest.fixture
def btc_may(btc_symbol, btc_5m_candles):
    store_around(btc_symbol, btc_5m_candles, START)
    return btc_symbol


def test_a_step_delivered_twice_decides_once(ana, btc_may):
    bot = running_bot(ana, btc_may)
    entry = first_entry_candle(bot)
    orders, events = BotOrder.objects.count(), BotEvent.objects.count()
    again = step_on_time(bot, entry)
    assert again.outcome == StepOutcome.DUPLICATE
    assert BotDecision.objects.filter(bot=bot, candle_ms=entry).count() == 1
    assert (BotOrder.objects.count(), BotEvent.objects.count()) == (orders, events)
    # An older candle delivered late changes nothing either.
    assert step_on_time(bot, entry - BAR).outcome == StepOutcome.DUPLICATE


def test_a_step_an_hour_late_is_skipped_as_stale_and_orders_nothing(ana, btc_may):
    probe = running_bot(ana, btc_may, name="probe")
    entry = first_entry_candle(probe)  # where a bot on time enters

    late = running_bot(ana, btc_may, name="late")
    for candle in range(START, entry, BAR):
        step_on_time(late, candle)
    hour = 3_600_000
    result = bot_step(bot_id=late.pk, candle_ms=entry, now_ms=entry + BAR + hour)
    assert result.outcome == StepOutcome.STALE
    decision = BotDecision.objects.get(bot=late, candle_ms=entry)
    assert decision.action == DecisionAction.SKIPPED_STALE
    assert decision.delay_ms == hour
    assert "skipped: stale (3600.0 s after the close, limit 150.0 s)" in decision.reason
    assert not BotOrder.objects.filter(bot=late).exists()
    event = BotEvent.objects.get(bot=late, kind="skipped")
    assert event.data["delay_ms"] == hour
    # The next candle, on time, decides afresh.
    assert step_on_time(late, entry + BAR).outcome == StepOutcome.DECIDED


def test_candles_whose_step_never_ran_are_recorded_as_missed(ana, btc_may):
    """A step lost to an outage leaves no hole: the next step records each candle it skipped
    over as "skipped: missed" with how late that was noticed, once, and decides its own."""
    bot = running_bot(ana, btc_may)
    assert step_on_time(bot, START).outcome == StepOutcome.DECIDED
    later = START + 3 * BAR
    assert step_on_time(bot, later).outcome == StepOutcome.DECIDED
    decisions = list(BotDecision.objects.filter(bot=bot).order_by("candle_ms"))
    assert [d.candle_ms for d in decisions] == [START + k * BAR for k in range(4)]
    for k, missed in ((1, decisions[1]), (2, decisions[2])):
        assert missed.action == DecisionAction.SKIPPED_STALE
        late_ms = later + BAR + 1_000 - (START + k * BAR + BAR)
        assert missed.delay_ms == late_ms
        assert (
            missed.reason
            == f"skipped: missed (no step ran; noticed {late_ms / 1000:.1f} s after the close)"
        )
    assert decisions[3].action != DecisionAction.SKIPPED_STALE
    assert BotEvent.objects.filter(bot=bot, kind="skipped").count() == 2
    assert step_on_time(bot, START + 2 * BAR).outcome == StepOutcome.DUPLICATE


def test_the_entry_fills_at_the_next_open_with_fee_and_slippage(ana, btc_may, btc_5m_candles):
    bot = running_bot(ana, btc_may, config={"slippage_bps": 10.0, "fee_rate": 0.001})
    entry = first_entry_candle(bot)
    order = BotOrder.objects.get(bot=bot, candle_ms=entry)
    assert (
        order.state == OrderState.OPEN and order.client_order_id == f"bt{bot.pk}-{entry // 1000}-en"
    )
    step_on_time(bot, entry + BAR)
    order.refresh_from_db()
    bar = int(btc_5m_candles.open_time.searchsorted(entry + BAR))
    side = order.position_side
    price = float(btc_5m_candles.open[bar]) * (1 + side * 0.001)
    size = 1.0 * 10_000.0 / (price * 1.001)
    assert order.state == OrderState.FILLED
    assert float(order.average_price) == price and float(order.filled_quantity) == size
    assert float(order.fee) == size * price * 0.001
    bot = Bot.objects.select_related("position").get(pk=bot.pk)
    assert bot.position.side == side and bot.position.entry_time_ms == entry + BAR


def test_stop_without_closing_keeps_the_position_and_cancels_orders(ana, btc_may):
    bot = running_bot(ana, btc_may)
    entry = first_entry_candle(bot)
    step_on_time(bot, entry + BAR)  # the entry fills
    bot_stop(bot=bot, close_position=False, now_ms=entry + 2 * BAR + 10_000)
    bot = Bot.objects.select_related("position").get(pk=bot.pk)
    assert bot.status == BotStatus.STOPPED
    assert "the position stays open" in bot.status_message
    assert bot.position is not None
    assert not BotOrder.objects.filter(bot=bot, state__in=("pending_submit", "open")).exists()
    assert step_on_time(bot, entry + 2 * BAR).outcome == StepOutcome.NOT_RUNNING


def test_stop_with_close_position_closes_at_the_next_open(ana, btc_may, btc_5m_candles):
    bot = running_bot(ana, btc_may)
    entry = first_entry_candle(bot)
    step_on_time(bot, entry + BAR)  # the entry fills at entry + BAR's open
    asked = entry + 2 * BAR + 60_000  # a minute into the next candle
    bot_stop(bot=bot, close_position=True, now_ms=asked)
    bot.refresh_from_db()
    assert bot.status == BotStatus.STOPPING
    close = BotOrder.objects.get(bot=bot, leg="close")
    assert close.candle_ms == entry + 2 * BAR  # decided at the close of the candle in progress
    assert step_on_time(bot, entry + 2 * BAR).outcome == StepOutcome.RECONCILED
    assert Bot.objects.get(pk=bot.pk).status == BotStatus.STOPPING  # not filled yet
    step_on_time(bot, entry + 3 * BAR)
    bot = Bot.objects.get(pk=bot.pk)
    assert bot.status == BotStatus.STOPPED and not hasattr(bot, "position")
    trade = BotTrade.objects.get(bot=bot)
    assert trade.exit_reason == "close" and trade.exit_time == entry + 3 * BAR
    bar = int(btc_5m_candles.open_time.searchsorted(entry + 3 * BAR))
    assert float(trade.exit_price) == float(btc_5m_candles.open[bar])
    assert bot_books_audit(bot_id=bot.pk).ok


def test_a_strategy_that_raises_stops_its_bot_only(ana, btc_may, monkeypatch):
    def boom(base, context, params):
        raise ZeroDivisionError("division by zero in the strategy")

    spec = dataclasses.replace(registry.strategy_spec("ema-cross"), key="boom", compute=boom)
    monkeypatch.setitem(registry._REGISTRY, "boom", spec)
    broken = running_bot(ana, btc_may, strategy="boom", name="broken")
    healthy = running_bot(ana, btc_may, name="healthy")
    for chunk in step_groups(symbol_id=btc_may.pk, timeframe="5m"):
        bots_step_many(bot_ids=chunk, candle_ms=START, now_ms=START + BAR + 1_000)
    broken.refresh_from_db()
    healthy.refresh_from_db()
    assert broken.status == BotStatus.ERROR
    assert "ZeroDivisionError: division by zero in the strategy" in broken.status_message
    assert BotEvent.objects.filter(bot=broken, kind="error").exists()
    assert BotDecision.objects.get(bot=broken).action == DecisionAction.ERROR
    assert healthy.status == BotStatus.RUNNING
    assert BotDecision.objects.get(bot=healthy).action != DecisionAction.ERROR
    # An errored bot is not stepped again.
    assert step_on_time(broken, START + BAR).outcome == StepOutcome.NOT_RUNNING


def test_signals_are_computed_once_per_key_and_candle(ana, btc_may, monkeypatch):
    calls = []
    compute = signal_service.candle_signals_compute

    def counted(**kwargs):
        calls.append((kwargs["spec"].key, kwargs["params"]["fast_period"]))
        return compute(**kwargs)

    monkeypatch.setattr(signal_service, "candle_signals_compute", counted)
    same = [running_bot(ana, btc_may, name=f"same-{i}") for i in range(3)]
    other = running_bot(ana, btc_may, params={"fast_period": 10, "slow_period": 26})
    chunks = step_groups(symbol_id=btc_may.pk, timeframe="5m")
    assert chunks == [sorted([b.pk for b in same] + [other.pk])]  # small keys share a task
    for chunk in chunks:
        bots_step_many(bot_ids=chunk, candle_ms=START, now_ms=START + BAR + 1_000)
    assert sorted(calls) == [("ema-cross", 10), ("ema-cross", 12)]
    assert BotDecision.objects.filter(candle_ms=START).count() == 4
    # A step redelivered for one of them reads the shared signals from the cache.
    BotDecision.objects.filter(bot=same[0]).delete()
    Bot.objects.filter(pk=same[0].pk).update(last_candle_ms=None)
    step_on_time(Bot.objects.get(pk=same[0].pk), START)
    assert len(calls) == 2


def test_reconcile_finds_books_that_disagree(ana, btc_may):
    bot = running_bot(ana, btc_may)
    entry = first_entry_candle(bot)
    for candle in range(entry + BAR, entry + 60 * BAR, BAR):
        step_on_time(bot, candle)
    assert BotTrade.objects.filter(bot=bot).exists()
    assert bot_books_audit(bot_id=bot.pk).ok
    Bot.objects.filter(pk=bot.pk).update(equity=12_345)
    report = bot_books_audit(bot_id=bot.pk)
    assert not report.ok and "realised equity 12345" in report.problems[0]
    bot.refresh_from_db()
    assert bot.status == BotStatus.ERROR and bot.status_message.startswith("Reconciliation failed")


def test_the_start_task_tracks_the_timeframes_and_fetches_the_missing_candles(
    ana, btc_symbol, btc_5m_candles, shared_data, settings
):
    """Against the exchange emulator through ccxt: the bot's warm-up is completed."""
    from apps.datafeeds.models import Candle
    from apps.execution.tasks import start_bot
    from emulator import ExchangeEmulator

    store_around(btc_symbol, btc_5m_candles, START, days_after=0)
    bot = running_bot(ana, btc_symbol, strategy="hma-sma", params={"sma_period": 50})
    with ExchangeEmulator() as emu:
        emu.load_csv("BTC/USDT", "5m", shared_data / "binance_BTC-USDT_5m.csv.gz")
        settings.EXCHANGE_API_HOSTS = {"binance": emu.url}
        summary = start_bot(bot.pk)
    assert summary["tracked"] == ["5m", "1h", "4h"]
    btc_symbol.refresh_from_db()
    assert btc_symbol.tracked_timeframes == ["5m", "1h", "4h"]
    # Resumed from the last stored 5m candle up to the emulator's last one.
    last = int(btc_5m_candles.open_time[-1])
    assert Candle.objects.filter(symbol=btc_symbol, timeframe="5m", open_time=last).exists()
    assert summary["fetched"]["5m"] > 0 and summary["fetched"]["4h"] > 0


def test_a_failing_step_in_a_batch_errors_its_bot_and_steps_the_others(ana, btc_may, monkeypatch):
    from apps.execution.services import step as step_service

    bots = [running_bot(ana, btc_may, name=f"b{i}") for i in range(3)]
    broken = bots[1].pk
    real = step_service.paper_bar

    def paper_bar(*, bot, **kwargs):
        if bot.pk == broken:
            raise RuntimeError("a bug in one bot's books")
        return real(bot=bot, **kwargs)

    monkeypatch.setattr(step_service, "paper_bar", paper_bar)
    results = bots_step_many(
        bot_ids=[b.pk for b in bots], candle_ms=START, now_ms=START + BAR + 1_000
    )
    assert [r.outcome for r in results] == ["decided", "error", "decided"]
    statuses = dict(Bot.objects.values_list("pk", "status"))
    assert statuses[broken] == BotStatus.ERROR
    assert "a bug in one bot's books" in Bot.objects.get(pk=broken).status_message
    assert BotDecision.objects.filter(candle_ms=START).count() == 2


def test_a_step_task_costs_the_same_queries_for_5_or_20_bots(ana, btc_may):
    """The bots of a task are stepped in one transaction: a quiet step has no query of its own
    (a regression here multiplies the time per candle by the number of bots)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count: int, candle: int) -> int:
        bots = [running_bot(ana, btc_may, name=f"n{count}-{i}") for i in range(count)]
        ids = [b.pk for b in bots]
        late = candle + BAR + 3_600_000  # stale: every bot records a skip, none orders
        with CaptureQueriesContext(connection) as captured:
            results = bots_step_many(bot_ids=ids, candle_ms=candle, now_ms=late)
        assert [r.outcome for r in results] == ["stale"] * count
        return len(captured)

    queries(1, START)  # warm-up: the first step of a candle also fills per-process caches
    assert queries(5, START) == queries(20, START)
