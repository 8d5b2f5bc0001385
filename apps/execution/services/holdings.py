"""The exchange account's holdings against a live bot's books: one balance read per account and
candle, shared by the account's bots; less than the position stops the bot, more than the
account's live positions and what it held apart from them is a warning in words."""

from __future__ import annotations

import logging
import time
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Sum

from apps.datafeeds.timeframes import bucket_floor, timeframe_ms
from apps.exchanges.trading import AccountTrader
from config.degraded import REDIS_DOWN, dependency_failed

from ..models import Bot, BotMode, BotOrder, BotPosition, BotStatus, BotTrade, OrderLeg, OrderState
from .book import words
from .journal import Journal
from .live_answers import LiveSync, bot_error

logger = logging.getLogger(__name__)


def baseline_due(bot: Bot) -> bool:
    return bot.base_outside is None and bot.status == BotStatus.RUNNING


def account_holdings(
    trader: AccountTrader, bot: Bot, candle_ms: int | None = None, *, fresh: bool = False
) -> dict[str, Decimal]:
    """The account's holdings from one balance read (weight 20) per account per candle (the
    step's, else the one in progress), shared by the account's bots through the cache. The
    snapshot is named by the last change of any order of the account's bots, so a fill booked
    after it was taken makes a new one: a check never compares a position with holdings from
    before its fill. `fresh` reads the account whatever the cache holds (and shares that)."""
    moved = BotOrder.objects.filter(bot__exchange_account_id=bot.exchange_account_id).aggregate(
        at=Max("updated_at")
    )["at"]
    if candle_ms is None:
        candle_ms = int(bucket_floor(int(time.time() * 1000), bot.timeframe))
    key = f"holdings:{bot.exchange_account_id}:{candle_ms}:{moved.timestamp() if moved else 0}"
    cached = None
    try:
        cached = None if fresh else cache.get(key)
    except REDIS_DOWN as error:
        dependency_failed("redis", "cache.get", error)
    if cached is not None:
        return {asset: Decimal(amount) for asset, amount in cached.items()}
    holdings = trader.balances_total()
    try:
        cache.set(
            key,
            {asset: str(amount) for asset, amount in holdings.items()},
            timeout=max(timeframe_ms(bot.timeframe) // 1000, 1),
        )
    except REDIS_DOWN as error:
        dependency_failed("redis", "cache.set", error)
    return holdings


def holdings_check(
    trader: AccountTrader,
    bot: Bot,
    sync: LiveSync,
    candle_ms: int | None = None,
    *,
    fresh: bool = False,
) -> None:
    """The account's base asset against the books. Less than the position (less one lot step
    of rounding): sold outside the bot, which stops rather than trade on a guess. More than
    the positions of the account's live bots and what it held apart from them when this bot
    started (beyond the dust of rounding): an order filled outside the books, said in words."""
    if sync.in_flight or sync.error:
        return
    market, base = bot.symbol.market_symbol, bot.symbol.base
    position = BotPosition.objects.filter(bot=bot).first()
    held = account_holdings(trader, bot, candle_ms, fresh=fresh).get(base, Decimal(0))
    # A protection that filled in part and rests for the rest: booked once it is done.
    selling = BotOrder.objects.filter(
        bot=bot, leg=OrderLeg.PROTECT, state=OrderState.PARTIALLY_FILLED
    ).aggregate(sold=Sum("filled_quantity"))["sold"] or Decimal(0)
    if position is not None and held < trader.amount_to_precision(market, position.size - selling):
        bot_error(
            bot,
            f"Books disagree: the exchange account holds {words(held)} {base}, "
            f"the bot's position is {words(position.size)}.",
            sync,
        )
        return
    ours = BotPosition.objects.filter(
        bot__exchange_account_id=bot.exchange_account_id,
        bot__mode=BotMode.LIVE,
        bot__symbol__base=base,
    ).aggregate(total=Sum("size"))["total"] or Decimal(0)
    if bot.base_outside is None:
        if bot.status == BotStatus.RUNNING:  # the bot's first sync: what the user holds
            Bot.objects.filter(pk=bot.pk, base_outside__isnull=True).update(
                base_outside=max(held - ours, Decimal(0))
            )
        return
    surplus = held - ours - bot.base_outside
    # Less than one lot step per close, of every live bot of the account trading this asset.
    closes = BotTrade.objects.filter(
        bot__exchange_account_id=bot.exchange_account_id,
        bot__mode=BotMode.LIVE,
        bot__symbol__base=base,
    ).count()
    dust = trader.lot_step(market) * (closes + 2)
    warning = ""
    if surplus > max(dust, trader.min_amount(market)):
        warning = (
            f"The exchange account holds {words(surplus)} {base} more than the books: its live "
            f"bots' positions ({words(ours)}) and what it held apart from them when this bot "
            f"started ({words(bot.base_outside)}). An order may have filled that no bot "
            "booked: check the account's orders on the exchange (if you bought it yourself, "
            "ignore this)."
        )
    if warning != bot.books_warning:
        _books_warning_set(bot, warning)


def _books_warning_set(bot: Bot, warning: str) -> None:
    with transaction.atomic():
        bot = Bot.objects.select_for_update().get(pk=bot.pk)
        bot.books_warning = warning
        journal = Journal(bot)
        said = warning or "The exchange account's holdings agree with the books again."
        journal.add("warning", said, books_warning=warning)
        bot.save(update_fields=["books_warning", "updated_at"])
        journal.flush()
    logger.warning("bot %s: %s", bot.pk, warning or "holdings agree again")
