"""python manage.py strategy_check KEY [--symbol BTCUSDT] [--exchange binance] [--bars 20000]
[--param name=value ...] [--cuts 40]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.datafeeds.management.commands._shared import positive_int
from apps.datafeeds.selectors import AmbiguousSymbol, SymbolNotFound, symbol_get
from apps.datafeeds.times import format_ms
from apps.strategies.checks import strategy_check, strategy_check_inputs
from apps.strategies.inputs import MissingCandles
from apps.strategies.registry import InvalidParameters, UnknownStrategy, strategy_spec


class Command(BaseCommand):
    help = (
        "Check a strategy for lookahead (signals or indicators that change when later candles "
        "are taken away) and for a declared warm-up too short, on stored candles. Exit status 0 "
        "when it passes; the findings otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", help="registry key, e.g. ema-cross, or a plugin's")
        parser.add_argument("--symbol", default="BTCUSDT", help="stored symbol (BTCUSDT)")
        parser.add_argument("--exchange", default=None)
        parser.add_argument(
            "--bars", type=positive_int, default=20_000, help="last base candles checked (20000)"
        )
        parser.add_argument("--param", action="append", default=[], help="name=value, repeatable")
        parser.add_argument(
            "--cuts", type=positive_int, default=40, help="lookahead cut points (40)"
        )

    def handle(self, *args, **options):
        try:
            spec = strategy_spec(options["key"])
        except UnknownStrategy as error:
            raise CommandError(str(error)) from error
        raw = {}
        for item in options["param"]:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise CommandError(f"--param {item!r}: expected name=value.")
            raw[name.strip()] = value.strip()
        try:
            params = spec.validate_params(raw)
        except InvalidParameters as error:
            said = "; ".join(f"--param {name}: {text}" for name, text in error.errors.items())
            known = ", ".join(p.name for p in spec.params) or "none"
            raise CommandError(f"{said} (parameters of {spec.key}: {known}).") from error
        try:
            symbol = symbol_get(name=options["symbol"], exchange=options["exchange"])
        except (SymbolNotFound, AmbiguousSymbol) as error:
            raise CommandError(str(error)) from error
        try:
            inputs = strategy_check_inputs(
                spec=spec, params=params, symbol=symbol, bars=options["bars"]
            )
            span = inputs.span
            self.stdout.write(
                f"Checking {spec.key} ({spec.source}) with {_params_text(params)} on {symbol} "
                f"{spec.base_timeframe}: {len(span):,} bars from {format_ms(span.open_time[0])} "
                f"to {format_ms(span.open_time[-1])}, after {inputs.first:,} bars of warm-up "
                "history."
            )
            report = strategy_check(
                spec=spec,
                params=params,
                base=inputs.base,
                context=inputs.context,
                cuts=options["cuts"],
            )
        except MissingCandles as error:
            raise CommandError(str(error)) from error
        except Exception as error:  # a plugin's warm-up functions are the operator's own code
            raise CommandError(
                f"{spec.key} failed before its computation: {type(error).__name__}: {error}"
            ) from error
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())


def _params_text(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items()) or "no parameters"
