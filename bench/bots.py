"""Paper bots at scale (docs/bots.md): N running bots on 10 symbols with 20 distinct strategy
keys, stepped by 2 real Celery workers (Redis broker, PostgreSQL).

For each of `candles` new 5m candles (CANDLES at full size): the candle of every symbol is
stored (candles_upsert, as the refresh stores it), which fans out to the bots; the latency is
from just before the first store to the last decision committed (its created_at). Reported:
p50/p95 over the candles, and the in-process cost of one bot-step once the key's signals are
shared (cached), and of computing one key's signals.

`bench_live_bots`: 20 live bots on the exchange emulator, the order round trip (decision to
filled, through ccxt) p50/p95 (`python bench/run.py --only live`).

`python bench/run.py --only bots` runs it alone (on run.py's scratch database);
bench/run.py calls both with the sizes of bench/scale.py.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stats import p95  # noqa: E402

SYMBOLS = 10
KEYS = [("ema-cross", {"fast_period": f, "slow_period": s}) for f, s in
        [(5, 20), (8, 21), (9, 30), (10, 40), (12, 26), (12, 50), (15, 45), (20, 50), (20, 60),
         (25, 75)]] + [("hma-sma", {"sma_period": p, "hma_period": h}) for p, h in
        [(20, 16), (30, 16), (50, 20), (50, 25), (60, 20), (80, 30), (100, 16), (100, 24),
         (120, 20), (150, 30)]]  # fmt: skip
CANDLES = (
    12  # new candles: 1 warm-up (workers' first imports and connections), 10 measured, 1 in-process
)
WARMUP = 1
HISTORY_DAYS = 12  # 5m candles stored before the first measured one (every key's warm-up)
BAR = 300_000
YEARS = 10 * 365 * 86_400.0  # staleness limit: the stored candles are from 2024


def _setup(bots: int, candles: int):
    import numpy as np
    from django.contrib.auth import get_user_model

    from apps.datafeeds.importers import candle_file_read
    from apps.datafeeds.models import Symbol
    from apps.datafeeds.storage import candles_upsert
    from apps.execution.models import Bot, BotStatus
    from apps.strategies.registry import strategy_spec

    rows, _ = candle_file_read(ROOT.parent / "shared" / "data" / "binance_BTC-USDT_5m.csv.gz")
    history = HISTORY_DAYS * 288
    start = rows[history, 0]  # the first measured candle
    owner = get_user_model().objects.create_user("bench-bots")
    symbols, future = [], []
    for i in range(SYMBOLS):
        symbol = Symbol.objects.create(
            name=f"BOT{i}USDT", base=f"BOT{i}", quote="USDT", market_symbol=f"BOT{i}/USDT"
        )
        scaled = rows[: history + candles].copy()
        scaled[:, 1:5] *= 1 + i / 10  # distinct prices per symbol, same real shape
        candles_upsert(symbol=symbol, timeframe="5m", rows=scaled[:history])
        symbols.append(symbol)
        future.append(scaled[history:])
    made = []
    for n in range(bots):
        strategy, params = KEYS[n % len(KEYS)]
        symbol = symbols[(n // len(KEYS)) % SYMBOLS]
        params = strategy_spec(strategy).validate_params(params)
        made.append(
            Bot(
                owner=owner,
                name=f"bot{n}",
                strategy=strategy,
                params=params,
                symbol=symbol,
                timeframe="5m",
                status=BotStatus.RUNNING,
                span_start_ms=int(start),
                signals_from_ms=int(start),
                staleness_seconds=YEARS,
            )
        )
    Bot.objects.bulk_create(made, batch_size=500)
    return symbols, np.array(future), int(start)


class _AlertsReceiver:
    """A local JSON webhook (apprise's json://) and the bench owner's channel pointing at it,
    wanting every event: the bots' fills are alerts, recorded and sent by the workers."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from django.contrib.auth import get_user_model

        from apps.notifications.events import EVENTS
        from apps.notifications.services import channel_create

        self.received = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        channel_create(
            owner=get_user_model().objects.get(username="bench-bots"),
            name="bench webhook",
            url=f"json://127.0.0.1:{self.server.server_address[1]}/bench",
            events=list(EVENTS),
        )

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _alerts_settled(hook: _AlertsReceiver, timeout: float = 120.0) -> int:
    """The alerts the workers delivered, once none is left to send (every alert of the run
    recorded and sent: the run had alerts on, not merely a channel)."""
    from apps.notifications.models import NotificationAlert

    deadline = time.time() + timeout
    while time.time() < deadline:
        pending = NotificationAlert.objects.filter(status__in=("queued", "sending")).count()
        if NotificationAlert.objects.exists() and not pending:
            break
        time.sleep(0.2)
    assert hook.received > 0, "no alert reached the webhook"
    return hook.received


def _workers() -> list[subprocess.Popen]:
    from config.celery import app
    from tests.workers import celery_workers_started

    app.control.purge()
    return celery_workers_started(app, sys.executable, ["benchbots0", "benchbots1"], cwd=ROOT)


def _one_candle(symbols, rows, candle_ms: int, bots: int) -> float:
    """Store the candle of every symbol; seconds until the last decision is committed."""
    from django.db.models import Max
    from django.utils import timezone

    from apps.datafeeds.storage import candles_upsert
    from apps.execution.models import BotDecision

    started = timezone.now()
    for symbol, row in zip(symbols, rows, strict=True):
        candles_upsert(symbol=symbol, timeframe="5m", rows=row[None, :])
    decided = BotDecision.objects.filter(candle_ms=candle_ms)
    deadline = time.time() + 300
    while decided.count() < bots:
        if time.time() > deadline:
            raise RuntimeError(f"only {decided.count()} of {bots} bots decided {candle_ms}")
        time.sleep(0.05)
    last = decided.aggregate(last=Max("created_at"))["last"]
    return (last - started).total_seconds()


def bench_bots(bots: int = 1000, candles: int = CANDLES) -> list[dict]:
    from django.db import connection

    from apps.execution.models import Bot, BotDecision

    assert candles >= WARMUP + 2, "a warm-up, a measured and an in-process candle at least"
    symbols, future, start = _setup(bots, candles)
    hook = _AlertsReceiver()  # alerts on: the bots' owner has a channel wanting every event
    workers = _workers()
    try:
        latencies = [
            _one_candle(symbols, future[:, k], start + k * BAR, bots) for k in range(candles - 1)
        ][WARMUP:]
        alerts = _alerts_settled(hook)
    finally:
        hook.stop()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    decisions = BotDecision.objects.count()
    assert decisions == bots * (candles - 1), decisions
    print("latencies (s):", " ".join(f"{x:.2f}" for x in latencies), flush=True)
    assert not Bot.objects.exclude(status="running").exists()

    # The cost of one bot-step in this process, signals shared: the last candle, stepped by
    # bots_step_many per key chunk after the key's signals are in the cache.
    from apps.datafeeds.hooks import _subscribers
    from apps.datafeeds.storage import candles_upsert
    from apps.execution.services.fanout import bots_step_many, step_groups
    from apps.execution.services.signals import candle_signals
    from apps.strategies.registry import strategy_spec

    hooks = list(_subscribers)
    _subscribers.clear()  # stored here without waking the (stopped) workers
    candle = start + (candles - 1) * BAR
    for symbol, row in zip(symbols, future[:, candles - 1], strict=True):
        candles_upsert(symbol=symbol, timeframe="5m", rows=row[None, :])
    _subscribers.extend(hooks)
    chunks = [c for s in symbols for c in step_groups(symbol_id=s.pk, timeframe="5m")]
    signal_times, step_times, stepped = [], 0.0, 0
    for chunk in chunks:
        first = Bot.objects.select_related("symbol").get(pk=chunk[0])
        began = time.perf_counter()
        candle_signals(
            spec=strategy_spec(first.strategy),
            params=first.params,
            symbol=first.symbol,
            signals_from_ms=start,
            candle_ms=candle,
        )
        signal_times.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        stepped += len(bots_step_many(bot_ids=chunk, candle_ms=candle))
        step_times += time.perf_counter() - began
    assert stepped == bots, stepped
    connection.close()
    step_ms = step_times * 1000 / stepped
    signal_ms = statistics.median(signal_times)
    label = "paper bots with alerts on, new candle -> all decided (2 workers)"
    size = f"{bots:,} bots x {len(latencies)} candles"
    return [
        _entry("alerts delivered to a local webhook during the run", size, alerts, "alerts"),
        _entry(f"{label}, p50", size, statistics.median(latencies), "s"),
        _entry(f"{label}, p95", size, p95(latencies), "s"),
        _entry(f"{label}, max", size, max(latencies), "s"),
        _entry(
            "bot-step with shared signals, per bot (1 process)", f"{bots:,} bots", step_ms, "ms"
        ),
        _entry("signals of one key at one candle", f"{len(KEYS)} keys", signal_ms, "ms"),
    ]


LIVE_BOTS = 20
LIVE_CANDLES = 60  # steps per live bot (the emulator's market clock moved bar by bar)


LIVE_BOTS_PER_ACCOUNT = 4  # an account's bots share its holdings snapshot per candle


def _live_bots(emu, *, bots: int, candles: int, label: str, config: dict) -> tuple[list, int]:
    """Live bots on the emulator's BTC/USDT, LIVE_BOTS_PER_ACCOUNT per account: (bot ids,
    the first candle). A symbol and accounts named `label`: benchmarks share one database."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from apps.datafeeds.importers import candle_file_read
    from apps.datafeeds.models import Symbol
    from apps.datafeeds.storage import candles_upsert
    from apps.exchanges.services import exchange_account_check, exchange_account_create
    from apps.execution.services.bots import bot_create, bot_running_from

    path = ROOT.parent / "shared" / "data" / "binance_BTC-USDT_5m.csv.gz"
    rows, _ = candle_file_read(path)
    start_index = 3 * 288  # three days of warm-up stored before the first step
    start = int(rows[start_index, 0])
    # The orders go to the emulator's BTC/USDT market (market_symbol), whatever the name.
    symbol = Symbol.objects.create(
        exchange="binance",
        name=f"{label}BTCUSDT",
        base="BTC",
        quote="USDT",
        market_symbol="BTC/USDT",
    )
    candles_upsert(symbol=symbol, timeframe="5m", rows=rows[: start_index + candles + 1])
    owner = get_user_model().objects.create_user(f"bench-{label.lower()}")
    emu.load_csv("BTC/USDT", "5m", path)
    emu.clock_set(start)
    settings.EXCHANGE_API_HOSTS = {"binance": emu.url}
    accounts = []
    for i in range(max(bots // LIVE_BOTS_PER_ACCOUNT, 1)):
        key, secret = f"bench-{label}-key-{i}", f"bench-{label}-secret-{i}"
        emu.account_create(key, secret, {"USDT": "100000"})
        account = exchange_account_create(
            owner=owner, label=f"emu {i}", exchange="binance", api_key=key, secret=secret
        )
        assert exchange_account_check(account=account).ok
        accounts.append(account)
    ids = []
    for i in range(bots):
        fast, slow = KEYS[i % 10][1]["fast_period"], KEYS[i % 10][1]["slow_period"]
        bot = bot_create(
            owner=owner,
            name=f"live {i}",
            strategy="ema-cross",
            symbol=symbol,
            params={"fast_period": max(2, fast // 3), "slow_period": max(5, slow // 3)},
            mode="live",
            exchange_account=accounts[i % len(accounts)].pk,
            paper_capital=1000.0,
            config={"allow_short": False, "size": 0.5, **config},
        )
        bot_running_from(bot=bot, span_start_ms=start, signals_from_ms=start)
        ids.append(bot.pk)
    return ids, start


def _live_steps(emu, ids: list[int], start: int, candles: int) -> None:
    from apps.execution.services.step import bot_step

    for k in range(candles):
        candle = start + k * BAR
        emu.clock_set(candle + BAR + 1_000)
        for bot_id in ids:
            bot_step(bot_id=bot_id, candle_ms=candle, now_ms=candle + BAR + 1_000)


def bench_live_bots(bots: int = LIVE_BOTS, candles: int = LIVE_CANDLES) -> list[dict]:
    """Live bots on the exchange emulator, LIVE_BOTS_PER_ACCOUNT per account, stepped in this
    process candle by candle: the order round trip is from the decision's order row (written at
    the decision) to the fill recorded from the exchange's answer, through ccxt (claim, request,
    answer, position), p50/p95 over every order. And the request weight of the holdings checks
    per step: the account reads made (one snapshot per account per candle, Binance weight 20)
    against one read per check (what each check cost before the snapshot was shared)."""
    from apps.execution.models import Bot, BotOrder, BotStatus
    from apps.execution.services import holdings
    from emulator import ExchangeEmulator

    checks = 0
    shared = holdings.account_holdings

    def counted(*args, **kwargs):
        nonlocal checks
        checks += 1
        return shared(*args, **kwargs)

    holdings.account_holdings = counted
    try:
        with ExchangeEmulator() as emu:
            ids, start = _live_bots(emu, bots=bots, candles=candles, label="LIVE", config={})
            emu.reset_requests()
            _live_steps(emu, ids, start, candles)
            reads = sum(r["path"] == "/api/v3/account" for r in emu.requests)
            orders = list(BotOrder.objects.filter(bot_id__in=ids))
            book = len(emu.book.orders())
    finally:
        holdings.account_holdings = shared
    assert orders, "no live bot ordered: more candles are needed"
    assert all(o.state == "filled" for o in orders), {o.state for o in orders}
    assert book == len(orders), (book, len(orders))
    assert not Bot.objects.filter(pk__in=ids).exclude(status=BotStatus.RUNNING).exists()
    trips = [(o.updated_at - o.created_at).total_seconds() * 1000 for o in orders]
    label = "live bots on the emulator, order decision -> filled via ccxt"
    size = f"{bots} bots, {len(trips)} orders"
    steps = bots * candles
    accounts = max(bots // LIVE_BOTS_PER_ACCOUNT, 1)
    weight = f"{bots} bots on {accounts} accounts, {steps} steps"
    return [
        _entry(f"{label}, p50", size, statistics.median(trips), "ms"),
        _entry(f"{label}, p95", size, p95(trips), "ms"),
        _entry(
            "live step: holdings weight, one snapshot per account per candle",
            weight,
            20 * reads / steps,
            "weight/step",
        ),
        _entry(
            "live step: holdings weight, one read per check (before)",
            weight,
            20 * checks / steps,
            "weight/step",
        ),
    ]


def bench_protective_orders(bots: int = LIVE_BOTS, entries: int = 100) -> list[dict]:
    """Live bots with a stop-loss and a take-profit: from an entry's decision (its order row)
    to its protection (an OCO) acknowledged by the emulator (the "accepted" event), through
    the entry's send and fill and the OCO's send, p50/p95 over the first `entries` entries."""
    from apps.execution.models import BotEvent, BotOrder
    from emulator import ExchangeEmulator

    config = {"stop_loss": 0.003, "take_profit": 0.006}
    with ExchangeEmulator() as emu:
        ids, start = _live_bots(emu, bots=bots, candles=600, label="PROTECT", config=config)
        done = 0
        while done < 600:
            _live_steps(emu, ids, start + done * BAR, 20)
            done += 20
            protected = BotOrder.objects.filter(bot_id__in=ids, leg="protect").exclude(
                send_attempts=0
            )
            if protected.count() >= entries:
                break
    accepted = {
        e.data.get("order"): e.created_at
        for e in BotEvent.objects.filter(
            bot_id__in=ids, kind="order", message__startswith="accepted"
        )
    }
    times = []
    for entry in BotOrder.objects.filter(bot_id__in=ids, leg="entry").order_by("id"):
        protection = (
            BotOrder.objects.filter(bot_id=entry.bot_id, leg="protect", candle_ms=entry.candle_ms)
            .order_by("id")
            .first()
        )
        if protection is None or protection.client_order_id not in accepted:
            continue
        times.append((accepted[protection.client_order_id] - entry.created_at).total_seconds())
    times = [t * 1000 for t in times[:entries]]
    assert len(times) >= min(entries, 10), f"only {len(times)} protected entries"
    label = "live entry decision -> its OCO acknowledged on the emulator"
    size = f"{bots} bots, {len(times)} entries"
    return [
        _entry(f"{label}, p50", size, statistics.median(times), "ms"),
        _entry(f"{label}, p95", size, p95(times), "ms"),
    ]


def _entry(name: str, size: str, value: float, unit: str) -> dict:
    return {"name": name, "size": size, "value": round(value, 3), "unit": unit}
