"""The bot's event log and its live messages: each BotEvent row is also sent on /ws/bots/ once
the transaction that wrote it commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..models import Bot, BotEvent
from ..realtime import publish_after_commit


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

    def flush(self) -> None:
        if self.rows:
            BotEvent.objects.bulk_create(self.rows)
        publish_after_commit(self.bot.owner_id, self.messages)
        self.rows, self.messages = [], []
