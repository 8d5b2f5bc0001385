"""Benchmarks of the HTTP API's cached answers (in-process). Just these figures:
`python bench/run.py --only run_endpoint api --out /tmp/api.json` (BTCUSDT stored first)."""

from __future__ import annotations

from collections.abc import Callable

from bench.scale import FULL, Scale
from bench.stats import median_ms

RUN_PATH = "/api/strategies/hma-sma/run/?symbol=BTCUSDT&timeframe=1h&limit=500"


def bench_api_in_process(record: Callable[..., None], scale: Scale = FULL) -> None:
    """A cached run answer through the whole Django stack (test client, no network), against the
    previous cache on the same stack (bench/previous_api.py: a pickled dict rendered per hit)."""
    import orjson
    from django.core.cache import cache
    from django.test import Client, override_settings

    from apps.datafeeds.models import Symbol
    from apps.datafeeds.versions import candles_version
    from bench.previous_api import PREVIOUS_PAYLOAD

    client = Client(SERVER_NAME="localhost")
    with override_settings(
        STRATEGY_RUN_CACHE_SECONDS=600,
        MARKET_DATA_CACHE_SECONDS=600,
        ROOT_URLCONF="bench.previous_api",
        DEBUG=False,
    ):
        response = client.get(RUN_PATH)
        assert response.status_code == 200, response.content[:300]
        symbol_id = Symbol.objects.get(name="BTCUSDT").pk
        key = PREVIOUS_PAYLOAD.format(symbol_id, candles_version(symbol_id))
        cache.set(key, orjson.loads(response.content), timeout=600)  # what the old cache held
        previous_path = RUN_PATH.replace("/api/strategies/", "/previous/")
        assert client.get(previous_path).content == response.content

        repeat = scale.api_requests
        size = f"{repeat} requests"
        reference = median_ms(lambda: client.get(previous_path), repeat)
        ours = median_ms(lambda: client.get(RUN_PATH), repeat)
        name = "GET hma-sma/run 1h limit=500 cached, in-process (ref. the previous cache)"
        record(name, ours, "ms", reference, False, size=size)
        etag = response.get("ETag")
        assert etag, "the run endpoint answers without an ETag"
        not_modified = median_ms(
            lambda: client.get(RUN_PATH, headers={"if-none-match": etag}), repeat
        )
        name = "GET hma-sma/run 1h limit=500, 304 revalidation, in-process"
        record(name, not_modified, "ms", size=size)
        gzipped = median_ms(
            lambda: client.get(RUN_PATH, headers={"accept-encoding": "gzip"}), repeat
        )
        record("GET hma-sma/run 1h limit=500 cached, gzip, in-process", gzipped, "ms", size=size)
