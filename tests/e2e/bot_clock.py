"""The browser tests' market clock for bots: real BTC/USDT 5m candles, moved in time so that they
end now, stored through the service the datafeeds refresh uses (`candles_upsert`, whose
after-commit hook enqueues the bots' steps for the Celery worker).

    python tests/e2e/bot_clock.py prepare [fast slow] [--live]  # history up to the open candle
    python tests/e2e/bot_clock.py advance N [--live]    # N more closed candles, one at a time
    python tests/e2e/bot_clock.py bots USER N           # N stopped paper bots (load)
    python tests/e2e/bot_clock.py flood USER RATE SECS  # RATE equity messages/s to USER's sockets

The paper symbol is BTCUSDT on an exchange id of its own, `e2eclock` (no exchange to download
it from: only this clock stores its candles; the demo's `simulated` market would fill them in from
its generator), so the replay's binance BTCUSDT is untouched. With --live the symbol is ETHUSDT
on binance, which tests/e2e/test_browser.py's exchange emulator (E2E_EMULATOR_URL) serves from
the same real BTC/USDT rows: the clock then also moves the emulator's market clock to each stored
candle's close, so a live bot's market order fills at the very close it decided on.
`prepare` picks the stretch of real history whose first new candle is an ema-cross (fast, slow)
crossing (a long entry with --live: spot markets are not shorted), so a bot started now enters
at the first close. `advance` stores each candle once the previous one's steps are committed
(the order a refresh stores them in), and fills up to the candle before the one in progress first
if the wall clock moved on. Run with the server's environment (DJANGO_SETTINGS_MODULE,
DJANGO_DB_NAME).
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from apps.datafeeds.arrays import CandleArrays  # noqa: E402
from apps.datafeeds.importers import candle_file_read  # noqa: E402
from apps.datafeeds.models import Candle, Symbol  # noqa: E402
from apps.datafeeds.storage import candles_upsert  # noqa: E402
from apps.execution.models import Bot, BotStatus  # noqa: E402
from apps.strategies.registry import strategy_spec  # noqa: E402

BAR = 300_000
HISTORY = 1_500  # candles before now: the strategy's warm-up with room to spare
SOURCE = ROOT.parent / "shared" / "data" / "binance_BTC-USDT_5m.csv.gz"


def real_rows() -> np.ndarray:
    rows, _ = candle_file_read(SOURCE)
    return np.asarray(rows, dtype=np.float64)


PAPER = ("e2eclock", "BTCUSDT", "BTC/USDT")  # only this clock stores its candles
LIVE = ("binance", "ETHUSDT", "ETH/USDT")  # the emulator's copy of the real rows


def symbol(live: bool = False) -> Symbol:
    exchange, name, market = LIVE if live else PAPER
    base, quote = market.split("/")
    found, _ = Symbol.objects.get_or_create(
        exchange=exchange,
        name=name,
        defaults={"base": base, "quote": quote, "market_symbol": market},
    )
    return found


def emulator_clock_at(real_ms: int) -> None:
    """The emulator's market clock (its rows are unshifted) to `real_ms`."""
    request = urllib.request.Request(
        f"{os.environ['E2E_EMULATOR_URL']}/__emulator__/clock",
        data=json.dumps({"time": real_ms}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


def stored_times(sym: Symbol) -> tuple[int | None, int | None]:
    times = Candle.objects.filter(symbol=sym, timeframe="5m").values_list("open_time", flat=True)
    first, last = times.order_by("open_time").first(), times.order_by("-open_time").first()
    return first, last


def prepare(fast: int, slow: int, live: bool) -> None:
    rows = real_rows()
    spec = strategy_spec("ema-cross")
    params = spec.validate_params({"fast_period": fast, "slow_period": slow})
    signals = spec.compute(CandleArrays.from_rows(rows[:20_000]), {}, params)
    entries = signals.long_entry if live else signals.long_entry | signals.short_entry
    crossings = np.nonzero(entries)[0]
    first_new = int(crossings[crossings > HISTORY][0])  # its close is the bot's first decision
    now_bucket = int(time.time() * 1000) // BAR * BAR
    shift = now_bucket - int(rows[first_new, 0])
    history = rows[first_new - HISTORY : first_new].copy()
    history[:, 0] += shift
    sym = symbol(live)
    if stored_times(sym)[0] is not None:
        sys.exit(f"prepare: {sym} already has candles; use advance")
    if live:
        emulator_clock_at(int(rows[first_new, 0]) + 1_000)
    candles_upsert(symbol=sym, timeframe="5m", rows=history)
    print(f"prepared {len(history)} candles of {sym} up to {now_bucket} (shift {shift} ms)")


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


def advance(count: int, live: bool) -> None:
    sym = symbol(live)
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
        if live:  # the emulator's market closes this candle first, as an exchange would
            emulator_clock_at(int(row[0]) + BAR + 1_000)
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

    from apps.execution.realtime import BOT_MESSAGES, owner_group
    from apps.realtime.publish import publish

    owner = get_user_model().objects.get(username=username)
    bots = list(Bot.objects.filter(owner=owner).values_list("pk", "event_seq", "paper_capital"))
    seq = {pk: s for pk, s, _ in bots}
    print("flooding", flush=True)  # bench/browser.py's figures start measuring here
    start, sent = time.monotonic(), 0
    while time.monotonic() - start < seconds:
        pk, _, capital = bots[sent % len(bots)]
        seq[pk] += 1
        equity = float(capital) * (1 + 0.01 * np.sin(sent / 10))
        publish(
            owner_group(owner.pk),
            BOT_MESSAGES,
            [{"bot": pk, "kind": "equity", "seq": seq[pk], "equity": equity, "candle_ms": None}],
        )
        sent += 1
        time.sleep(max(0.0, start + sent / rate - time.monotonic()))
    print(f"sent {sent} messages in {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    live = "--live" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--live"]
    command = args[0] if args else ""
    if command == "prepare":
        fast, slow = (int(v) for v in args[1:3]) if len(args) >= 3 else (5, 20)
        prepare(fast, slow, live)
    elif command == "advance":
        advance(int(args[1]) if len(args) > 1 else 1, live)
    elif command == "bots":
        many_bots(args[1], int(args[2]))
    elif command == "flood":
        flood(args[1], float(args[2]), float(args[3]))
    else:
        sys.exit(__doc__)
