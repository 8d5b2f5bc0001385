"""Shared request budgets: processes together stay under the exchange's weight limit, a 429
backs every process off, weights come from ccxt, and the embedded default limits per process."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request

import pytest
import redis
from django.conf import settings as django_settings

from apps.exchanges.clients import exchange_account_client
from apps.exchanges.ratelimit import ExchangeBudget, SharedRateLimiter
from apps.exchanges.services import exchange_account_create

from .conftest import API_KEY, SECRET

PROCESSES = 4
CALLS = 28  # balance requests per process, weight 20 each: 2240 in all
# What the emulator enforces in this test: 2240 is more than two windows' worth, so processes
# that do not share the budget exceed it however their requests fall across windows.
BUDGET = {"weight": 1000, "seconds": 5}


class Hammers:
    """PROCESSES hammer processes, started once, run phase by phase (see hammer.py)."""

    def __init__(self, python: str, env: dict[str, str], account_id: int, go_dir) -> None:
        self.go_dir = go_dir
        self.processes = [
            subprocess.Popen(
                [python, "-m", "apps.exchanges.tests.hammer", str(account_id), str(CALLS)]
                + [str(go_dir)],
                env=env,
                cwd=env["PYTHONPATH"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(PROCESSES)
        ]
        for process in self.processes:  # all set up (Django, markets) before any phase
            line = process.stdout.readline().strip()
            assert line == "ready", (line, process.stderr.read() if process.poll() else "")

    def run(self, phase: str) -> list[dict]:
        (self.go_dir / phase).touch()
        results = []
        for process in self.processes:
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.poll() is not None else "no answer"
            results.append(json.loads(line))
        return results

    def stop(self) -> None:
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_four_processes_stay_within_the_exchange_budget(
    python, subprocess_env, emulator, user, tmp_path
) -> None:
    account = exchange_account_create(
        owner=user, label="hammered", exchange="binance", api_key=API_KEY, secret=SECRET
    )
    env = {
        **subprocess_env,
        "EXCHANGE_API_HOSTS": json.dumps({"binance": emulator.url}),
        "EXCHANGE_RATE_LIMITS": json.dumps({"binance": BUDGET}),
    }
    hammers = Hammers(python, env, account.id, tmp_path)
    try:
        limit = {"weight_limit": BUDGET["weight"], "weight_interval_seconds": BUDGET["seconds"]}
        emulator.settings_update(**limit)  # counters from zero
        emulator.reset_requests()
        # Control: processes that do not share the budget exceed it together.
        raw = hammers.run("raw")
        assert sum(r["limited"] for r in raw) > 0
        assert [r["status"] for r in emulator.requests].count(429) > 0

        time.sleep(BUDGET["seconds"])  # the emulator's window is over
        emulator.settings_update(**limit)
        emulator.reset_requests()
        shared = hammers.run("shared")
    finally:
        hammers.stop()
    assert [r["limited"] for r in shared] == [0] * PROCESSES
    requests = emulator.requests
    assert [r["status"] for r in requests].count(429) == 0
    assert emulator.settings()["refused"] == 0
    served = [r for r in requests if r["path"] == "/api/v3/account"]
    assert len(served) == PROCESSES * CALLS
    assert sum(r["waited"] for r in shared) > 0  # the limiter did hold requests back


@pytest.mark.django_db
def test_a_429_backs_every_process_off(emulator, user) -> None:
    account = exchange_account_create(
        owner=user, label="backoff", exchange="binance", api_key=API_KEY, secret=SECRET
    )
    first, second = (exchange_account_client(account=account) for _ in range(2))
    for client in (first, second):
        client.load_markets()
    emulator.inject("rate_limit", endpoint="account", retry_after=3)
    started = time.monotonic()
    with pytest.raises(Exception, match="429"):
        first.fetch_balance()
    second.fetch_balance()  # another client (process): waits out the Retry-After first
    assert second.shared_rate_limiter.waited_s > 0
    assert time.monotonic() - started >= 3.0  # the back-off began after `started`
    assert [r["status"] for r in emulator.requests if r["path"] == "/api/v3/account"] == [429, 200]


@pytest.mark.django_db
def test_weights_come_from_ccxt_and_match_the_exchange(emulator, user) -> None:
    """ccxt's endpoint costs (times Binance's 5 weight per cost) against the emulator's own
    table of Binance's documented weights, read from X-MBX-USED-WEIGHT-1M."""
    account = exchange_account_create(
        owner=user, label="weights", exchange="binance", api_key=API_KEY, secret=SECRET
    )
    client = exchange_account_client(account=account)
    client.load_markets()
    calls = {
        "fetch_balance": lambda: client.fetch_balance(),
        "fetch_open_orders": lambda: client.fetch_open_orders("BTC/USDT"),
        "fetch_my_trades": lambda: client.fetch_my_trades("BTC/USDT"),
        "fetch_ohlcv": lambda: client.fetch_ohlcv("BTC/USDT", "5m", limit=10),
        "create_order": lambda: client.create_order("BTC/USDT", "market", "buy", 0.001),
    }
    emulator.settings_update(weight_limit=6000)  # counters back to zero
    used = 0
    for name, call in calls.items():
        call()
        now_used = int(client.last_response_headers["X-MBX-USED-WEIGHT-1M"])
        assert client.shared_rate_limiter.last_weight == pytest.approx(now_used - used), name
        used = now_used
    assert used == 20 + 6 + 20 + 2 + 1


def test_embedded_default_limits_per_process(settings) -> None:
    settings.EXCHANGE_RATE_LIMIT_BACKEND = "local"
    budget = ExchangeBudget("localtest", 100, 1, 1, None, 10)  # 10 at once, then 80/s
    limiter = SharedRateLimiter(budget)
    limiter.acquire(cost=10)
    assert limiter.waited_s == 0
    limiter.acquire(cost=8)  # the bucket is empty: about 0.1 s
    assert limiter.waited_s > 0.05
    assert not list(
        redis.Redis.from_url(django_settings.REDIS_URL).scan_iter("ratelimit:localtest*")
    )


@pytest.mark.django_db
def test_orders_keep_to_the_account_order_budget(emulator, user, settings) -> None:
    """Two orders per second for this account: a burst of four waits for tokens."""
    settings.EXCHANGE_RATE_LIMITS = {"binance": {"orders": 2, "order_seconds": 1}}
    emulator.clock_set(1_704_067_200_000 + 3_600_000)
    account = exchange_account_create(
        owner=user, label="orders", exchange="binance", api_key=API_KEY, secret=SECRET
    )
    client = exchange_account_client(account=account)
    client.load_markets()
    limiter = client.shared_rate_limiter
    assert limiter.order_bucket.key == f"ratelimit:binance:account:{account.id}:orders"
    waited, started = limiter.waited_s, time.monotonic()
    for _ in range(4):
        client.create_order("BTC/USDT", "market", "buy", 0.001)
    assert limiter.waited_s > waited  # held back ...
    assert time.monotonic() - started >= 3 / 1.6  # ... to 1 at once, then 1.6 per second
    assert len(emulator.book.orders()) == 4
    other = exchange_account_client(account=account)  # another process, same account budget
    assert other.shared_rate_limiter.order_bucket.key == limiter.order_bucket.key


@pytest.mark.django_db
def test_weight_another_program_spends_on_the_ip_holds_every_process_until_the_window_ends(
    emulator, user, settings
) -> None:
    """The buckets only see this platform's requests; the exchange's count of the IP's weight
    (X-MBX-USED-WEIGHT-1M) past 90% of the limit backs every process off to the next window."""
    settings.EXCHANGE_RATE_LIMITS = {"binance": BUDGET}
    account = exchange_account_create(
        owner=user, label="shared ip", exchange="binance", api_key=API_KEY, secret=SECRET
    )
    client = exchange_account_client(account=account)
    client.load_markets()
    window = BUDGET["seconds"]
    emulator.settings_update(weight_limit=BUDGET["weight"], weight_interval_seconds=window)
    for _ in range(3):  # until the other program's 900 fall in one window (a slow machine)
        time.sleep(window - time.time() % window + 0.05)  # a window of the emulator's begins
        for _ in range(45):  # another program on this IP: 45 x 20 = 900 of the 1000
            with urllib.request.urlopen(f"{emulator.url}/api/v3/exchangeInfo", timeout=5) as r:
                used = int(r.headers["X-MBX-USED-WEIGHT-1M"])
        if used == 900:
            break
    assert used == 900, "the other program's requests never fitted in one window"
    emulator.reset_requests()
    for _ in range(6):  # 6 x 20 more: 1020 in one window without the back-off
        client.fetch_balance()
    statuses = [r["status"] for r in emulator.requests if r["path"] == "/api/v3/account"]
    assert statuses == [200] * 6
    assert client.shared_rate_limiter.waited_s > 0.5  # held until the next window
    assert emulator.settings()["refused"] == 0
