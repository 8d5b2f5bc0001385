"""The browser tests' market clock for bots: real BTC/USDT 5m candles, moved in time so that they
end now, stored through the service the datafeeds refresh uses (`candles_upsert`, whose
after-commit hook enqueues the bots' steps for the Celery worker).

    python tests/e2e/bot_clock.py prepare [fast slow]   # history up to the candle in progress
    python tests/e2e/bot_clock.py advance N             # N more closed candles, one at a time
    python tests/e2e/bot_clock.py bots USER N           # N stopped paper bots (load)
    python tests/e2e/bot_clock.py flood USER RATE SECS  # RATE equity messages/s to USER's sockets

The symbol is BTCUSDT on the `simulated` exchange (never downloaded from an exchange), so the
replay's binance BTCUSDT is untouched. `prepare` picks the stretch of real history whose first
new candle is an ema-cross (fast, slow) crossing, so a bot started now enters at the first close.
`advance` stores each candle once the previous one's steps are committed (the order a refresh
stores them in), and fills up to the candle before the one in progress first if the wall clock
moved on. Run with the server's environment (DJANGO_SETTINGS_MODULE, DJANGO_DB_NAME).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from apps.datafeeds.arrays import CandleArrays  # noqa: E402
from apps.datafeeds.importers import candle_file_read  # noqa: E402
from apps.datafeeds.models import SIMULATED_EXCHANGE, Candle, Symbol  # noqa: E402
from apps.datafeeds.storage import candles_upsert  # noqa: E402
from apps.execution.models import Bot, BotStatus  # noqa: E402
from apps.strategies.registry import strategy_spec  # noqa: E402

BAR = 300_000
HISTORY = 1_500  # candles before now: the strategy's warm-up with room to spare
SOURCE = ROOT.parent / "shared" / "data" / "binance_BTC-USDT_5m.csv.gz"


def real_rows() -> np.ndarray:
    rows, _ = candle_file_read(SOURCE)
    return np.asarray(rows, dtype=np.float64)


def symbol() -> Symbol:
    found, _ = Symbol.objects.get_or_create(
        exchange=SIMULATED_EXCHANGE,
        name="BTCUSDT",
        defaults={"base": "BTC", "quote": "USDT", "market_symbol": "BTC/USDT"},
    )
    return found


def stored_times(sym: Symbol) -> tuple[int | None, int | None]:
    times = Candle.objects.filter(symbol=sym, timeframe="5m").values_list("open_time", flat=True)
    first, last = times.order_by("open_time").first(), times.order_by("-open_time").first()
    return first, last


def prepare(fast: int, slow: int) -> None:
    rows = real_rows()
    spec = strategy_spec("ema-cross")
    params = spec.validate_params({"fast_period": fast, "slow_period": slow})
    signals = spec.compute(CandleArrays.from_rows(rows[:20_000]), {}, params)
    crossings = np.nonzero(signals.long_entry | signals.short_entry)[0]
    first_new = int(crossings[crossings > HISTORY][0])  # its close is the bot's first decision
    now_bucket = int(time.time() * 1000) // BAR * BAR
    shift = now_bucket - int(rows[first_new, 0])
    history = rows[first_new - HISTORY : first_new].copy()
    history[:, 0] += shift
    sym = symbol()
    if stored_times(sym)[0] is not None:
        sys.exit("prepare: BTCUSDT (simulated) already has candles; use advance")
    candles_upsert(symbol=sym, timeframe="5m", rows=history)
    print(f"prepared {len(history)} candles up to {now_bucket} (shift {shift} ms)")


def _wait_for_steps(sym: Symbol, candle_ms: int, timeout: float = 60.0) -> None:
    """Until every running bot of the symbol has processed the candle (the worker's steps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        behind = Bot.objects.filter(
            symbol=sym, status__in=(BotStatus.RUNNING, BotStatus.STOPPING)
        ).exclude(last_candle_ms__gte=candle_ms)
        behind = behind.exclude(span_start_ms__gt=candle_ms)
        if not behind.exists():
            return
        time.sleep(0.2)
    sys.exit(f"advance: the bots did not step on {candle_ms} within {timeout} s")


def advance(count: int) -> None:
    sym = symbol()
    first, last = stored_times(sym)
    if first is None:
        sys.exit("advance: run prepare first")
    rows = real_rows()
    shift = first - int(rows[0, 0])
    index = {int(t): i for i, t in enumerate(rows[:, 0])}
    behind_now = int(time.time() * 1000) // BAR * BAR - BAR
    steps = max(count, (behind_now - last) // BAR)
    for _ in range(steps):
        last += BAR
        row = rows[index[last - shift]].copy()
        row[0] = last
        candles_upsert(symbol=sym, timeframe="5m", rows=row[None, :])
        _wait_for_steps(sym, last)
        print(f"stored and stepped {last}")


def many_bots(username: str, count: int) -> None:
    """`count` stopped paper bots of the user on the clock's symbol (the Bots page under load)."""
    from django.contrib.auth import get_user_model

    from apps.execution.services.bots import bot_create

    owner = get_user_model().objects.get(username=username)
    for k in range(count):
        bot_create(
            owner=owner,
            name=f"load {k:03d}",
            strategy="ema-cross",
            symbol=symbol(),
            params={"fast_period": 5 + k % 7, "slow_period": 20 + k % 11},
        )
    print(f"created {count} bots")


def flood(username: str, rate: float, seconds: float) -> None:
    """`rate` equity messages per second over the real channel layer to the user's sockets,
    spread over all the user's bots, numbered after each bot's last message."""
    from django.contrib.auth import get_user_model

    from apps.execution.realtime import publish

    owner = get_user_model().objects.get(username=username)
    bots = list(Bot.objects.filter(owner=owner).values_list("pk", "event_seq", "paper_capital"))
    seq = {pk: s for pk, s, _ in bots}
    start, sent = time.monotonic(), 0
    while time.monotonic() - start < seconds:
        pk, _, capital = bots[sent % len(bots)]
        seq[pk] += 1
        equity = float(capital) * (1 + 0.01 * np.sin(sent / 10))
        publish(
            owner.pk,
            [{"bot": pk, "kind": "equity", "seq": seq[pk], "equity": equity, "candle_ms": None}],
        )
        sent += 1
        time.sleep(max(0.0, start + sent / rate - time.monotonic()))
    print(f"sent {sent} messages in {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "prepare":
        fast, slow = (int(v) for v in sys.argv[2:4]) if len(sys.argv) >= 4 else (5, 20)
        prepare(fast, slow)
    elif command == "advance":
        advance(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    elif command == "bots":
        many_bots(sys.argv[2], int(sys.argv[3]))
    elif command == "flood":
        flood(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit(__doc__)
