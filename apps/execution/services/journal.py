"""The bot's event log and its live messages: each BotEvent row is also sent on /ws/bots/ once
the transaction that wrote it commits.

Every message carries `seq`, the bot's message number (Bot.event_seq), counted in the transaction
that made it, with the bot's row locked: the numbers of one bot grow in commit order, and a bot
read from the API or a snapshot says (its `event_seq`) which messages it already reflects."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.notifications.services import bot_messages_alert

from ..models import Bot, BotEvent, BotMode
from ..realtime import bot_messages_publish


def plain(value: Any) -> Any:
    """JSON-ready: Decimals as strings (no precision lost), the rest as is."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass
class Journal:
    """Events of one transaction; `flush` writes them and publishes them after the commit."""

    bot: Bot
    rows: list[BotEvent] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        kind: str,
        message: str,
        *,
        candle_ms: int | None = None,
        record: bool = True,
        **data: Any,
    ) -> None:
        data = plain(data)
        if record:
            self.rows.append(
                BotEvent(bot=self.bot, kind=kind, message=message, data=data, candle_ms=candle_ms)
            )
        self.messages.append(
            {"bot": self.bot.pk, "kind": kind, "message": message, "candle_ms": candle_ms, **data}
        )

    def stamp(self) -> None:
        """Number the messages from the (locked) bot's counter, in memory: the caller saves
        `event_seq` with the bot (the step's update)."""
        for message in self.messages:
            if "seq" not in message:
                self.bot.event_seq += 1
                message["seq"] = self.bot.event_seq

    def flush(self, *, seq_saved: bool = False) -> None:
        """Write the rows, number the messages and publish them after the commit. Unless the
        caller stamped and saved the counter itself (`seq_saved`), the counter is read under
        the row lock and written here."""
        if self.rows:
            BotEvent.objects.bulk_create(self.rows)
        if self.messages and not seq_saved:
            with transaction.atomic():
                current = (
                    Bot.objects.select_for_update()
                    .filter(pk=self.bot.pk)
                    .values_list("event_seq", flat=True)
                    .first()
                )
                self.bot.event_seq = current or 0
                self.stamp()
                Bot.objects.filter(pk=self.bot.pk).update(event_seq=self.bot.event_seq)
        bot_messages_publish(self.bot.owner_id, self.messages)
        # Fills, errors, the kill switch...: the owner's alerts (docs/alerts.md). One cached
        # lookup when a message is one; nothing for the rest (equity, skipped, orders).
        bot_messages_alert(bot=self.bot, messages=self.messages)
        self.rows, self.messages = [], []


def order_noted(journal: Journal, order, message: str, *, candle_ms: int | None = None) -> None:
    """An "order" event about `order` (a BotOrder): its client id, leg and side as data."""
    journal.add(
        "order",
        message,
        candle_ms=candle_ms,
        order=order.client_order_id,
        leg=order.leg,
        side=order.side,
    )


def fill_words(bot: Bot) -> str:
    """When the bot's order fills, in words: a paper fill at the next open (the backtest's
    rule), a live market order at once."""
    return "at market" if bot.mode == BotMode.LIVE else "at the next open"
