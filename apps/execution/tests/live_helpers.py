"""Shared by the live bot tests (real ccxt against the exchange emulator): the emulator
account, a live bot on it, stepping on the market clock, and the check that the bot's books
equal the exchange's. The fixtures (`module_emulator`, `emu`, `btc_may`, `account`) are in
conftest.py."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal

from apps.execution.models import Bot, BotEvent, BotOrder, BotPosition, OrderState
from apps.execution.services.live import live_sync

from .helpers import BAR, START, running_bot, step_on_time

KEY, SECRET = "LiveBotKey7Q", "live-bot-secret-only-in-the-emulator"
CAPITAL = Decimal("1000")
USDT0 = Decimal("10000")
WINDOW_S = 3.0  # the not-found window of these tests (production: 60 s); lookup lag: 1 s
COSTS = {"allow_short": False, "size": 0.5}
DUST = Decimal("0.00001")  # BTC/USDT's lot step on the emulator


def live_bot(owner, symbol, account, **kw) -> Bot:
    return running_bot(
        owner,
        symbol,
        mode="live",
        exchange_account=account.pk,
        paper_capital=float(CAPITAL),
        config=kw.pop("config", COSTS),
        **kw,
    )


def step(emu, bot, candle):
    """The market clock just past the candle's close, then the bot's step on time."""
    emu.clock_set(candle + BAR + 1_000)
    return step_on_time(bot, candle)


def balances(emu) -> dict[str, Decimal]:
    account = emu.book.account(KEY)
    assets = set(account.free) | set(account.locked)
    return {a: account.free.get(a, Decimal(0)) + account.locked.get(a, Decimal(0)) for a in assets}


def assert_books_agree(emu, bot, *, usdt0: Decimal = USDT0):
    """One exchange order per bot order (per decision), and the account holds what the bot
    says: the position in BTC (less than a lot step of dust per trade), the quote as equity."""
    bot.refresh_from_db()
    orders = list(BotOrder.objects.filter(bot=bot))
    lists = {o.client_order_id for o in orders if o.leg == "protect" and o.target_price}
    # An OCO protection is two orders on the exchange (its legs `<id>s`, `<id>t`): one list.
    book = Counter(
        o["clientOrderId"][:-1] if o["clientOrderId"][:-1] in lists else o["clientOrderId"]
        for o in emu.book.orders(KEY)
    )
    book = Counter({coid: 1 if coid in lists else n for coid, n in book.items()})
    assert book == Counter(o.client_order_id for o in orders if o.send_attempts)
    assert all(n == 1 for n in book.values())
    # Every order filled; a protection cancelled too (a close came first, or the bot stopped).
    assert all(
        o.state == OrderState.FILLED
        or (o.leg == "protect" and o.state == OrderState.CANCELLED and not o.filled_quantity)
        for o in orders
    ), [(o.client_order_id, o.state, o.state_message) for o in orders]
    held = balances(emu)
    position = BotPosition.objects.filter(bot=bot).select_related("entry_order").first()
    size = position.size if position else Decimal(0)
    trades = bot.trades.count()
    assert size <= held.get("BTC", Decimal(0)) <= size + DUST * (trades + 1)
    paid = (
        position.entry_order.filled_quantity * position.entry_order.average_price
        if position
        else Decimal(0)
    )
    assert held["USDT"] == usdt0 + (bot.equity - CAPITAL) - paid
    # Nothing the bot stored (order messages, events, status) holds a credential.
    stored = [bot.status_message, *(o.state_message for o in orders)]
    stored += [f"{e.message} {e.data}" for e in BotEvent.objects.filter(bot=bot)]
    assert not [text for text in stored if SECRET in text or KEY in text]


def run_to_entry(emu, bot, limit=150) -> int:
    """Step until the bot decides an entry (its order still to be sent): that candle."""
    for k in range(limit):
        candle = START + k * BAR
        emu.clock_set(candle + BAR + 1_000)
        if BotOrder.objects.filter(bot=bot, leg="entry").exists():
            raise AssertionError("entered before the fault was set")
        step_on_time(bot, candle)
        if BotOrder.objects.filter(bot=bot, candle_ms=candle, leg="entry").exists():
            return candle
    raise AssertionError("no entry")


def first_entry(ana, btc_may) -> int:
    """The candle at which the strategy first enters (a paper bot with the same settings)."""
    paper = running_bot(ana, btc_may, name="probe", paper_capital=float(CAPITAL), config=COSTS)
    for k in range(150):
        candle = START + k * BAR
        step_on_time(paper, candle)
        if BotOrder.objects.filter(bot=paper, leg="entry").exists():
            return candle
    raise AssertionError("no entry")


def step_through(emu, bot, start: int, count: int) -> None:
    for k in range(count):
        step(emu, bot, start + k * BAR)


def settle(emu, bot, *, seconds: float = 12.0) -> None:
    """Sync until nothing is in flight (the not-found window needs wall time)."""
    deadline = time.monotonic() + seconds
    while not live_sync(bot_id=bot.pk).settled:
        assert time.monotonic() < deadline, list(BotOrder.objects.filter(bot=bot))
        time.sleep(0.3)
