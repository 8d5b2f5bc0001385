"""The README's exchange emulator walk-through, run as written (tests/readme_walkthrough.py reads
it from README.md): start the emulator with the documented candles, key and clock, download 1h
candles through it with the documented command, move its clock with the documented curl."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command

from apps.datafeeds.models import Candle, Symbol
from tests.e2e.test_browser import ROOT, _free_port, _stop
from tests.readme_walkthrough import on_port, readme_walkthrough

pytestmark = pytest.mark.django_db


def test_the_readme_emulator_walkthrough_runs_as_written(python, subprocess_env, settings):
    steps = readme_walkthrough()
    assert len(steps.api_key) >= 8 and len(steps.secret) >= 8, "the Accounts form refuses it"
    port = _free_port()
    emulator = [python, *on_port(steps.emulator, steps.port, port)[1:]]
    process = subprocess.Popen(
        emulator, cwd=ROOT, env=subprocess_env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert "listening on http" in process.stdout.readline()
        hosts = json.loads(on_port([steps.fetch_env["EXCHANGE_API_HOSTS"]], steps.port, port)[0])
        settings.EXCHANGE_API_HOSTS = hosts
        fetch = steps.fetch[steps.fetch.index("fetch_ohlcv") :]
        call_command(*fetch, stdout=io.StringIO())
        symbol = Symbol.objects.get(name="BTCUSDT", exchange="binance")
        hourly = Candle.objects.filter(symbol=symbol, timeframe="1h")
        # From --since 2024-01-01 to the emulator's clock (--clock 2024-03-01): 60 days of hours.
        assert hourly.count() == 60 * 24
        curl = on_port(steps.curl, steps.port, port)
        assert shutil.which(curl[0]), "curl, as the README uses it"
        answer = subprocess.run(curl, capture_output=True, text=True, timeout=30, check=True)
        assert json.loads(answer.stdout)["time"] == 1_709_251_200_000 + 12 * 300_000
        call_command(*fetch[:3], "--exchange", "binance", stdout=io.StringIO())  # resume
        assert hourly.count() == 60 * 24 + 1  # one more hour closed on the emulator's clock
    finally:
        _stop([process])
