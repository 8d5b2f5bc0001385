"""One process of the shared rate-limit test: hammers an exchange account through ccxt.

usage: python -m apps.exchanges.tests.hammer ACCOUNT_ID CALLS GO_DIR
Sets up two clients and prints "ready". Then, for each phase, waits for the file GO_DIR/<phase>,
makes CALLS balance requests (weight 20 each) and prints
{"phase": ..., "limited": <429 answers seen>, "waited": <s held back>, "seconds": <s>} as JSON:
- "raw": without the shared limiter and without ccxt's per-process throttle (the control:
  processes that do not share the budget);
- "shared": the platform's client as it is.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

import ccxt  # noqa: E402

from apps.exchanges.clients import exchange_account_client  # noqa: E402
from apps.exchanges.models import ExchangeAccount  # noqa: E402

PHASES = ("raw", "shared")


def _unshared(client: ccxt.Exchange) -> ccxt.Exchange:
    client.fetch2 = type(client).fetch2.__get__(client)
    client.throttle = type(client).throttle.__get__(client)
    client.on_rest_response = type(client).on_rest_response.__get__(client)
    client.enableRateLimit = False
    return client


def _phase(client: ccxt.Exchange, calls: int) -> tuple[int, float]:
    limited, started = 0, time.monotonic()
    for _ in range(calls):
        try:
            client.fetch_balance()
        except ccxt.DDoSProtection:  # 429 / 418
            limited += 1
    return limited, time.monotonic() - started


def main(account_id: int, calls: int, go_dir: Path) -> None:
    account = ExchangeAccount.objects.get(pk=account_id)
    clients = {
        "raw": _unshared(exchange_account_client(account=account)),
        "shared": exchange_account_client(account=account),
    }
    for client in clients.values():
        client.load_markets()
    print("ready", flush=True)
    for phase in PHASES:
        while not (go_dir / phase).exists():
            time.sleep(0.01)
        client = clients[phase]
        waited_before = clients["shared"].shared_rate_limiter.waited_s
        limited, seconds = _phase(client, calls)
        waited = clients["shared"].shared_rate_limiter.waited_s - waited_before
        result = {"phase": phase, "limited": limited, "waited": waited, "seconds": seconds}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
