"""`python manage.py bot_create <username> <name> <strategy> <symbol> [--param k=v ...]`: a paper
bot from the command line (the API's POST /api/execution/bots/ does the same)."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.datafeeds.selectors import AmbiguousSymbol, SymbolNotFound, symbol_get
from apps.execution.services.bots import BotInvalid, BotMissingCandles, bot_create


class Command(BaseCommand):
    help = "Create a stopped paper bot; prints its id."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name")
        parser.add_argument("strategy", help="registry key, e.g. hma-sma or ema-cross")
        parser.add_argument("symbol", help="stored symbol, e.g. BTCUSDT")
        parser.add_argument("--exchange", default=None)
        parser.add_argument("--param", action="append", default=[], help="name=value, repeatable")
        parser.add_argument("--capital", type=float, default=10_000.0)
        parser.add_argument("--risk-profile", type=int, default=None, help="one of your profiles")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user '{options['username']}'.")
        try:
            symbol = symbol_get(name=options["symbol"], exchange=options["exchange"])
        except (SymbolNotFound, AmbiguousSymbol) as error:
            raise CommandError(str(error)) from error
        params = {}
        for item in options["param"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--param {item!r}: expected name=value.")
            params[name] = value
        try:
            bot = bot_create(
                owner=user,
                name=options["name"],
                strategy=options["strategy"],
                symbol=symbol,
                params=params,
                paper_capital=options["capital"],
                risk_profile=options["risk_profile"],
            )
        except BotInvalid as error:
            raise CommandError(json.dumps(error.errors)) from error
        except BotMissingCandles as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(bot.pk))
