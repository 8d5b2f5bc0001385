"""The periodic audit of a paper bot's books (not to be confused with services/reconciliation.py,
which lines a bot's trades up with the backtest of the same span, for people to read).

For a paper bot the venue is the database, so the audit checks that the books agree: every
filled entry is either the open position's or a trade's, the realised equity is the starting
capital plus the trades' PnL, and orders left in pending_submit by a worker that died are
submitted. A bot whose books disagree is put in error with the difference in words (a bug,
never a market event). A live bot's books are checked against the exchange by
services/live.py (`live_sync`), which the same periodic task runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from ..lifecycle import STATUS_FIELDS, bot_status_move
from ..models import Bot, BotMode, BotOrder, BotStatus, BotTrade, OrderLeg, OrderState
from .journal import Journal
from .step import orders_submit_pending

EQUITY_TOLERANCE = Decimal("1e-9")  # relative: float rounding of the paper simulation


@dataclass
class AuditReport:
    bot_id: int
    problems: list[str] = field(default_factory=list)
    submitted: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def bot_books_check(*, bot: Bot) -> list[str]:
    problems = []
    position = getattr(bot, "position", None)
    entries = set(
        BotOrder.objects.filter(bot=bot, leg=OrderLeg.ENTRY, state=OrderState.FILLED).values_list(
            "pk", flat=True
        )
    )
    traded = set(BotTrade.objects.filter(bot=bot).values_list("entry_order_id", flat=True))
    held = {position.entry_order_id} if position is not None else set()
    if traded & held:
        problems.append("the open position's entry is also a closed trade's")
    if entries != traded | held:
        missing = sorted(entries - traded - held)
        extra = sorted((traded | held) - entries)
        problems.append(
            f"filled entries {sorted(entries)} do not match trades and position "
            f"(unaccounted: {missing}, not filled: {extra})"
        )
    pnl = BotTrade.objects.filter(bot=bot).aggregate(total=Sum("pnl"))["total"] or Decimal(0)
    expected = bot.paper_capital + pnl
    if abs(bot.equity - expected) > EQUITY_TOLERANCE * max(abs(expected), Decimal(1)):
        problems.append(f"realised equity {bot.equity} != capital + trades' PnL {expected}")
    return problems


def bot_books_audit(*, bot_id: int) -> AuditReport:
    report = AuditReport(bot_id)
    report.submitted = orders_submit_pending(bot_id=bot_id)
    with transaction.atomic():
        bot = (
            Bot.objects.select_for_update(of=("self",))
            .select_related("position")
            .filter(pk=bot_id)
            .first()
        )
        if bot is None or bot.mode != BotMode.PAPER:
            return report
        report.problems = bot_books_check(bot=bot)
        if report.problems and bot.status in (BotStatus.RUNNING, BotStatus.STOPPING):
            journal = Journal(bot)
            message = "Reconciliation failed: " + "; ".join(report.problems)
            journal.add("error", message)
            bot_status_move(bot, BotStatus.ERROR, message, journal)
            bot.save(update_fields=STATUS_FIELDS)
            journal.flush()
    return report
