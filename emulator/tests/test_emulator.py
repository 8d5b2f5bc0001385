"""The exchange emulator against ccxt's unmodified `binance` class, on real Binance candles.

No Django needed: run with `pytest emulator/tests/test_emulator.py -p no:django`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ccxt
import numpy as np
import pandas as pd
import pytest

from emulator import ExchangeEmulator, generate_candles, load_candles_csv
from emulator.candles import aggregate_candles

from .helpers import binance_client

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
CSV_5M = DATA / "binance_BTC-USDT_5m.csv.gz"
FIVE_MIN = 300_000
HOUR = 3_600_000

assert CSV_5M.exists(), f"missing test data {CSV_5M}"  # fail, never skip silently


@pytest.fixture(scope="module")
def candles_5m() -> np.ndarray:
    return load_candles_csv(CSV_5M)


@pytest.fixture
def emulator(module_emulator: ExchangeEmulator) -> Iterator[ExchangeEmulator]:
    """The module's emulator (the root conftest's: BTC/USDT 5m from the same file), with no
    fault, flag or request log left over from another test."""
    module_emulator.reset()
    yield module_emulator
    module_emulator.reset()


def _client(emu: ExchangeEmulator, timeout_ms: int = 10_000) -> ccxt.Exchange:
    return binance_client(emu.url, timeout_ms=timeout_ms)


@pytest.fixture(scope="module")
def client(module_emulator: ExchangeEmulator) -> ccxt.Exchange:
    client = _client(module_emulator)
    client.load_markets()
    return client


def _ohlcv(rows: list[list[Any]]) -> np.ndarray:
    return np.array(rows, dtype=np.float64).reshape(-1, 6)


def _get(url: str) -> tuple[int, Any, dict[str, str]]:
    """Status, JSON body and headers of a GET, errors included."""
    return _request("GET", url)


def _request(method: str, url: str, payload: Any = None) -> tuple[int, Any, dict[str, str]]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = body.decode()
        return error.code, parsed, dict(error.headers)


def _klines_url(emu: ExchangeEmulator, query: str) -> str:
    return f"{emu.url}/api/v3/klines?{query}"


def _pandas_aggregate(candles: np.ndarray, rule: str) -> np.ndarray:
    """An independent reference: pandas resampling on UTC-epoch-aligned buckets."""
    frame = pd.DataFrame(candles[:, 1:], columns=["open", "high", "low", "close", "volume"])
    frame.index = pd.to_datetime(candles[:, 0].astype(np.int64), unit="ms")
    agg = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    origin = "start_day" if rule == "MS" else "epoch"  # months are calendar-aligned anyway
    result = frame.resample(rule, origin=origin, label="left", closed="left").agg(agg)
    result = result.dropna()
    times = result.index.as_unit("ms").asi8.astype(np.float64)
    return np.column_stack([times, result.to_numpy(np.float64)])


def _fetch_all(client: ccxt.Exchange, timeframe: str, since: int) -> np.ndarray:
    pages = []
    while True:
        page = _ohlcv(client.fetch_ohlcv("BTC/USDT", timeframe, since=since, limit=1000))
        if len(page) == 0:
            break
        pages.append(page)
        since = int(page[-1, 0]) + 1
    return np.vstack(pages)


def _assert_same_candles(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(actual[:, :5], expected[:, :5])
    np.testing.assert_allclose(actual[:, 5], expected[:, 5], rtol=0, atol=1e-10)


# -- markets and klines ------------------------------------------------------------------------


def test_load_markets_lists_the_added_market(emulator: ExchangeEmulator) -> None:
    client = _client(emulator)
    markets = client.load_markets()
    assert list(markets) == ["BTC/USDT"]
    market = markets["BTC/USDT"]
    assert (market["id"], market["base"], market["quote"]) == ("BTCUSDT", "BTC", "USDT")
    assert market["spot"] and market["active"]
    assert market["precision"]["price"] == 0.01  # the CSV's prices have 2 decimals
    paths = [entry["path"] for entry in emulator.requests]
    assert paths == ["/api/v3/exchangeInfo", "/fapi/v1/exchangeInfo", "/dapi/v1/exchangeInfo"]
    assert _get(f"{emulator.url}/api/v3/ping")[:2] == (200, {})
    server_time = _get(f"{emulator.url}/api/v3/time")[1]["serverTime"]
    assert abs(server_time - time.time() * 1000) < 5_000


def test_fetch_ohlcv_pages_return_the_csv_rows_exactly(
    emulator: ExchangeEmulator, client: ccxt.Exchange, candles_5m: np.ndarray
) -> None:
    since = int(candles_5m[0, 0])
    pages = []
    for _ in range(4):
        page = _ohlcv(client.fetch_ohlcv("BTC/USDT", "5m", since=since, limit=1000))
        pages.append(page)
        since = int(page[-1, 0]) + FIVE_MIN
    np.testing.assert_array_equal(np.vstack(pages), candles_5m[:4000])
    sent = emulator.klines_requests()
    assert [r["params"]["startTime"] for r in sent] == [
        str(int(candles_5m[i, 0])) for i in (0, 1000, 2000, 3000)
    ]
    assert all(r["params"]["limit"] == "1000" and r["status"] == 200 for r in sent)


def test_fetch_ohlcv_until_sends_end_time(client: ccxt.Exchange, candles_5m: np.ndarray) -> None:
    end = int(candles_5m[5000, 0])
    last_ten = _ohlcv(client.fetch_ohlcv("BTC/USDT", "5m", limit=10, params={"until": end}))
    np.testing.assert_array_equal(last_ten, candles_5m[4991:5001])
    since = int(candles_5m[100, 0])
    window = _ohlcv(client.fetch_ohlcv("BTC/USDT", "5m", since=since, params={"until": end + 1}))
    np.testing.assert_array_equal(window, candles_5m[100:1100])  # since+until: limit 1000
    latest = _ohlcv(client.fetch_ohlcv("BTC/USDT", "5m", limit=3))
    np.testing.assert_array_equal(latest, candles_5m[-3:])


def test_raw_klines_rows_and_errors(emulator: ExchangeEmulator, candles_5m: np.ndarray) -> None:
    start = int(candles_5m[0, 0])
    status, rows, _ = _get(
        _klines_url(emulator, f"symbol=BTCUSDT&interval=5m&startTime={start}&limit=2")
    )
    assert status == 200 and len(rows) == 2
    row = rows[0]
    assert len(row) == 12 and row[0] == start and row[6] == start + FIVE_MIN - 1
    assert [float(v) for v in row[1:6]] == candles_5m[0, 1:].tolist()
    assert all(isinstance(row[i], str) for i in (1, 2, 3, 4, 5, 7, 9, 10, 11))
    assert isinstance(row[8], int)
    default = _get(_klines_url(emulator, "symbol=BTCUSDT&interval=5m"))[1]
    assert len(default) == 500 and default[-1][0] == int(candles_5m[-1, 0])
    errors = {
        "symbol=NOPE&interval=5m": {"code": -1121, "msg": "Invalid symbol."},
        "symbol=BTCUSDT&interval=7m": {"code": -1120, "msg": "Invalid interval."},
        "symbol=BTCUSDT&interval=5m&limit=1001": {
            "code": -1130,
            "msg": "Data sent for parameter 'limit' is not valid.",
        },
        "symbol=BTCUSDT&interval=5m&limit=0": {
            "code": -1130,
            "msg": "Data sent for parameter 'limit' is not valid.",
        },
    }
    for query, body in errors.items():
        assert _get(_klines_url(emulator, query))[:2] == (400, body)


def test_aggregated_1h_equals_aggregating_the_csv(
    client: ccxt.Exchange, candles_5m: np.ndarray
) -> None:
    served = _fetch_all(client, "1h", int(candles_5m[0, 0]))
    expected = _pandas_aggregate(candles_5m, "1h")
    # The CSV ends at 04:40, so its last hour is partial: the emulator does not serve it as closed.
    assert served[-1, 0] == expected[-2, 0]
    _assert_same_candles(served, expected[:-1])


@pytest.mark.parametrize("timeframe", ["4h", "1d"])
def test_aggregation_reproduces_the_exchange_own_candles(
    client: ccxt.Exchange, candles_5m: np.ndarray, timeframe: str
) -> None:
    exchange_own = load_candles_csv(DATA / f"binance_BTC-USDT_{timeframe}.csv.gz")
    served = _fetch_all(client, timeframe, int(exchange_own[0, 0]))
    # Exactly, volume included: sums are written at the 5m file's volume decimals, as Binance does.
    np.testing.assert_array_equal(served, exchange_own)


def test_week_and_month_buckets() -> None:
    daily = generate_candles(timeframe="1d", count=120, start_ms=1_704_067_200_000)  # 2024-01-01
    weeks = aggregate_candles(daily, "1d", "1w")
    assert (pd.to_datetime(weeks[:, 0], unit="ms").day_of_week == 0).all()  # Mondays
    months = aggregate_candles(daily, "1d", "1M")
    assert (pd.to_datetime(months[:, 0], unit="ms").day == 1).all()
    assert len(months) == 3  # January to March complete, April partial and dropped
    np.testing.assert_array_equal(months[:, 1:5], _pandas_aggregate(daily, "MS")[:3, 1:5])


# -- candles -----------------------------------------------------------------------------------


def test_generate_candles_is_valid_deterministic_and_aligned() -> None:
    candles = generate_candles(timeframe="15m", count=2000, start_ms=1_700_000_123_456, seed=7)
    again = generate_candles(timeframe="15m", count=2000, start_ms=1_700_000_123_456, seed=7)
    np.testing.assert_array_equal(candles, again)
    opens, highs, lows, closes, volumes = candles[:, 1:].T
    assert candles.shape == (2000, 6) and candles.dtype == np.float64
    assert (highs >= np.maximum(opens, closes)).all() and (lows <= np.minimum(opens, closes)).all()
    assert (volumes >= 0).all() and (lows > 0).all()
    assert (candles[:, 0] % 900_000 == 0).all() and (np.diff(candles[:, 0]) == 900_000).all()
    np.testing.assert_array_equal(opens[1:], closes[:-1])
    other = generate_candles(timeframe="15m", count=2000, start_ms=1_700_000_123_456, seed=8)
    assert not np.array_equal(candles, other)


def test_load_candles_csv_plain_and_gzip(tmp_path: Path, candles_5m: np.ndarray) -> None:
    text = "timestamp,open,high,low,close,volume\n1704067200000,0.00010756,1,0.00000001,2,3.5\n"
    plain = tmp_path / "one.csv"
    plain.write_text(text)
    np.testing.assert_array_equal(
        load_candles_csv(plain), [[1704067200000, 0.00010756, 1, 1e-8, 2, 3.5]]
    )
    assert load_candles_csv(CSV_5M).shape == candles_5m.shape == (71_769, 6)


def test_tiny_prices_are_written_without_exponent(tmp_path: Path) -> None:
    candles = np.array([[1704067200000, 0.00010756, 0.0001076, 0.00000001, 0.00010001, 1e-5]])
    with ExchangeEmulator() as emu:
        emu.add_market("XRP/ETH", "1m", candles)
        rows = _get(_klines_url(emu, "symbol=XRPETH&interval=1m"))[1]
        assert rows[0][1:6] == ["0.00010756", "0.0001076", "0.00000001", "0.00010001", "0.00001"]
        client = _client(emu)
        np.testing.assert_array_equal(_ohlcv(client.fetch_ohlcv("XRP/ETH", "1m")), candles)


# -- faults ------------------------------------------------------------------------------------


def test_rate_limit_fault(emulator: ExchangeEmulator, client: ccxt.Exchange) -> None:
    emulator.inject("rate_limit", count=2, retry_after=7)
    for _ in range(2):
        # ccxt's binance.handle_errors turns any HTTP 429 into DDoSProtection (the parent class of
        # RateLimitExceeded), before looking at the -1003 code in the body.
        with pytest.raises(ccxt.DDoSProtection) as caught:
            client.fetch_ohlcv("BTC/USDT", "5m", limit=5)
        assert type(caught.value) is ccxt.DDoSProtection
    assert len(client.fetch_ohlcv("BTC/USDT", "5m", limit=5)) == 5  # consumed after 2
    assert [r["status"] for r in emulator.klines_requests()] == [429, 429, 200]
    emulator.inject("rate_limit", retry_after=7)
    status, body, headers = _get(_klines_url(emulator, "symbol=BTCUSDT&interval=5m&limit=1"))
    assert (status, body["code"], headers["Retry-After"]) == (429, -1003, "7")


@pytest.mark.parametrize("status", [503, 500])
def test_server_error_fault(emulator: ExchangeEmulator, client: ccxt.Exchange, status: int) -> None:
    emulator.inject("server_error", status=status)
    # Not JSON, so ccxt falls back to its HTTP status map: 5xx -> ExchangeNotAvailable (a
    # NetworkError, which callers retry).
    with pytest.raises(ccxt.ExchangeNotAvailable):
        client.fetch_ohlcv("BTC/USDT", "5m", limit=5)
    assert len(client.fetch_ohlcv("BTC/USDT", "5m", limit=5)) == 5
    assert [r["status"] for r in emulator.klines_requests()] == [status, 200]


def test_fault_after_lets_requests_through_first(
    emulator: ExchangeEmulator, client: ccxt.Exchange
) -> None:
    emulator.inject("server_error", count=2, after=1, status=502)
    assert emulator.faults[0]["after"] == 1
    outcomes = []
    for _ in range(4):
        try:
            client.fetch_ohlcv("BTC/USDT", "5m", limit=1)
            outcomes.append("ok")
        except ccxt.ExchangeNotAvailable:
            outcomes.append("failed")
    assert outcomes == ["ok", "failed", "failed", "ok"]
    assert emulator.faults == []


def test_slow_fault_times_out_a_short_timeout_client(emulator: ExchangeEmulator) -> None:
    client = _client(emulator, timeout_ms=300)
    client.load_markets()
    emulator.inject("slow", seconds=1.0)
    with pytest.raises(ccxt.RequestTimeout):  # a NetworkError too
        client.fetch_ohlcv("BTC/USDT", "5m", limit=5)
    assert len(client.fetch_ohlcv("BTC/USDT", "5m", limit=5)) == 5


def test_slow_fault_on_exchange_info(emulator: ExchangeEmulator) -> None:
    emulator.inject("slow", seconds=1.0, endpoint="exchangeInfo")
    with pytest.raises(ccxt.RequestTimeout):
        _client(emulator, timeout_ms=300).load_markets()
    assert "BTC/USDT" in _client(emulator).load_markets()


@pytest.mark.parametrize(
    ("mode", "index"), [("high_below_low", 0), ("not_a_number", 3), ("negative_volume", -1)]
)
def test_malformed_row_fault(
    emulator: ExchangeEmulator, client: ccxt.Exchange, candles_5m: np.ndarray, mode: str, index: int
) -> None:
    since = int(candles_5m[10, 0])
    good = _ohlcv(client.fetch_ohlcv("BTC/USDT", "5m", since=since, limit=5))
    emulator.inject("malformed_row", count=2, mode=mode, index=index)
    for _ in range(2):
        rows = client.fetch_ohlcv("BTC/USDT", "5m", since=since, limit=5)
        bad = rows[index]
        if mode == "high_below_low":
            assert bad[2] < bad[3]
        elif mode == "not_a_number":
            assert bad[4] is None  # ccxt parses "abc" as no number
        else:
            assert bad[5] < 0
        others = [row for i, row in enumerate(rows) if i != index % 5]
        np.testing.assert_array_equal(_ohlcv(others), np.delete(good, index % 5, axis=0))
    np.testing.assert_array_equal(
        _ohlcv(client.fetch_ohlcv("BTC/USDT", "5m", since=since, limit=5)), good
    )


def test_unclosed_last_serves_the_current_bucket(
    emulator: ExchangeEmulator, client: ccxt.Exchange, candles_5m: np.ndarray
) -> None:
    np.testing.assert_array_equal(
        _ohlcv(client.fetch_ohlcv("BTC/USDT", "5m", limit=2)), candles_5m[-2:]
    )
    emulator.inject("unclosed_last")
    assert emulator.unclosed_last
    for timeframe, length in (("5m", FIVE_MIN), ("1h", HOUR)):
        rows = _ohlcv(client.fetch_ohlcv("BTC/USDT", timeframe, limit=2))
        now = time.time() * 1000
        last_closed, live = rows
        assert live[0] == now // length * length or live[0] == (now - 1000) // length * length
        assert live[1] == last_closed[4]  # opens at the last close
        assert live[2] >= max(live[1], live[4]) and live[3] <= min(live[1], live[4])
        assert live[5] >= 0
    _assert_same_candles(rows[:1], _pandas_aggregate(candles_5m, "1h")[-2:-1])
    # A window in the past does not include it.
    old = _ohlcv(client.fetch_ohlcv("BTC/USDT", "5m", since=int(candles_5m[0, 0]), limit=3))
    np.testing.assert_array_equal(old, candles_5m[:3])
    emulator.unclosed_last = False
    assert client.fetch_ohlcv("BTC/USDT", "5m", limit=1)[0][0] == candles_5m[-1, 0]


def test_faults_are_validated(emulator: ExchangeEmulator) -> None:
    for kind, opts in [
        ("nope", {}),
        ("malformed_row", {"mode": "upside_down"}),
        ("server_error", {"status": 404}),
        ("slow", {"endpoint": "orders"}),
    ]:
        with pytest.raises(ValueError):
            emulator.inject(kind, **opts)
    with pytest.raises(ValueError):
        emulator.inject("rate_limit", count=0)
    assert emulator.faults == []


# -- HTTP control ------------------------------------------------------------------------------


def test_http_control_endpoints(emulator: ExchangeEmulator, client: ccxt.Exchange) -> None:
    control = f"{emulator.url}/__emulator__"
    status, body, _ = _request("POST", f"{control}/faults", {"kind": "rate_limit", "count": 2})
    assert status == 200 and body["faults"][0]["remaining"] == 2
    with pytest.raises(ccxt.DDoSProtection):
        client.fetch_ohlcv("BTC/USDT", "5m", limit=1)
    assert _get(f"{control}/faults")[1]["faults"][0]["remaining"] == 1
    assert _request("DELETE", f"{control}/faults")[:2] == (
        200,
        {"faults": [], "unclosed_last": False},
    )
    assert len(client.fetch_ohlcv("BTC/USDT", "5m", limit=1)) == 1
    logged = _get(f"{control}/requests")[1]
    assert [(r["path"], r["status"]) for r in logged] == [("/api/v3/klines", 429)] + [
        ("/api/v3/klines", 200)
    ]
    assert logged[0]["params"]["symbol"] == "BTCUSDT"
    assert _request("DELETE", f"{control}/requests")[:2] == (200, [])
    assert emulator.requests == []
    assert _request("POST", f"{control}/faults", {"kind": "unclosed_last"})[1]["unclosed_last"]
    assert _request("POST", f"{control}/faults", {"kind": "bogus"})[0] == 400
    assert _request("POST", f"{control}/faults", {"count": 1})[0] == 400
    assert _get(f"{control}/markets")[1][0]["symbol"] == "BTC/USDT"


# -- CLI ---------------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _banner_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    prefix = "Exchange emulator (Binance spot API) listening on "
    assert line.startswith(prefix), (line, process.stderr.read() if process.poll() else "")
    return line[len(prefix) :]


def _terminate(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()


def test_cli_serves_csv_and_generated_markets(candles_5m: np.ndarray) -> None:
    process = _cli(
        "--csv",
        f"BTC/USDT:5m:{CSV_5M}",
        "--generate",
        "ETH/USDT:1h:100:2024-01-01T00:00:00",
        "--fault",
        "rate_limit:1",
        "--fault",
        "server_error:1:status=502,after=1",
    )
    try:
        url = _banner_url(process)
        query = f"symbol=BTCUSDT&interval=5m&startTime={int(candles_5m[0, 0])}&limit=3"
        assert _get(f"{url}/api/v3/klines?{query}")[0] == 429
        assert _get(f"{url}/api/v3/klines?{query}")[0] == 200  # the server_error's `after`
        assert _get(f"{url}/api/v3/klines?{query}")[0] == 502
        status, rows, _ = _get(f"{url}/api/v3/klines?{query}")
        assert status == 200 and [float(v) for v in rows[2][1:6]] == candles_5m[2, 1:].tolist()
        eth = _get(f"{url}/api/v3/klines?symbol=ETHUSDT&interval=1h&limit=1000")[1]
        assert len(eth) == 100 and eth[0][0] == 1_704_067_200_000
        assert _terminate(process) == 0
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()


def test_cli_without_data_serves_a_generated_btc_series() -> None:
    process = _cli()
    try:
        url = _banner_url(process)
        rows = _get(f"{url}/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=2")[1]
        assert rows[-1][0] > (time.time() - 600) * 1000  # ends about now
        assert _terminate(process) == 0
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize(
    "args",
    [
        ["--generate", "BTC/USDT:7m:100"],
        ["--csv", "BTC/USDT:5m:/no/such/file.csv.gz"],
        ["--fault", "meteor:1"],
        ["--port", "not-a-port"],
        ["--csv", "BTCUSDT:5m:x.csv"],
    ],
)
def test_cli_bad_arguments_exit_2(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "emulator", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 2
    assert "error:" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_exchange_clock_offset_is_measured_through_ccxt(emulator, settings):
    from django.core.cache import cache

    from apps.datafeeds.clock import exchange_clock_offset_ms

    settings.EXCHANGE_API_HOSTS = {"binance": emulator.url}
    cache.delete("exchange-clock-offset:binance")
    offset = exchange_clock_offset_ms("binance")
    assert abs(offset) < 1_000  # the emulator runs on this machine's clock
    assert cache.get("exchange-clock-offset:binance") == offset
