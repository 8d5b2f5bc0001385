"""`python manage.py bot_forward_test <bot id> --start 2024-03-01 --end 2024-03-15 [--reset]`"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from apps.datafeeds.times import format_ms, parse_time_ms
from apps.execution.models import Bot
from apps.execution.services.bots import BotConflict, BotInvalid
from apps.execution.services.forward import bot_forward_test


class Command(BaseCommand):
    help = (
        "Step a paper bot through stored candles one candle at a time (the running bot's step "
        "code), then compare its trades with the backtest of the same span; exits 1 if they differ."
    )

    def add_arguments(self, parser):
        parser.add_argument("bot", type=int, help="bot id")
        parser.add_argument("--start", required=True, help="YYYY-MM-DD, ISO 8601 or epoch (UTC)")
        parser.add_argument("--end", required=True, help="exclusive")
        parser.add_argument("--reset", action="store_true", help="clear the bot's history first")
        parser.add_argument("--json", action="store_true", help="print the comparison as JSON")

    def handle(self, *args, **options):
        try:
            start_ms, end_ms = parse_time_ms(options["start"]), parse_time_ms(options["end"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        if start_ms >= end_ms:
            raise CommandError("--end must be after --start.")
        bot = Bot.objects.select_related("symbol").filter(pk=options["bot"]).first()
        if bot is None:
            raise CommandError(f"No bot {options['bot']}.")
        try:
            report = bot_forward_test(
                bot=bot, start_ms=start_ms, end_ms=end_ms, reset=options["reset"]
            )
        except (BotInvalid, BotConflict) as error:
            raise CommandError(str(error)) from error
        summary = report.reconciliation.summary
        if options["json"]:
            self.stdout.write(
                json.dumps({"steps": report.steps, "outcomes": report.outcomes, **summary})
            )
        else:
            self.stdout.write(
                f"{bot.name}: {report.steps} candles from {format_ms(start_ms)} to "
                f"{format_ms(end_ms)}; {summary['bot_trades']} bot trades, "
                f"{summary['backtest_trades']} backtest trades, {summary['matched']} matched, "
                f"PnL difference {summary['pnl_difference']:.3g}"
            )
        if not report.reconciliation.identical:
            raise CommandError(f"The bot's trades differ from the backtest: {summary}")
        self.stdout.write(self.style.SUCCESS("Identical to the backtest, trade for trade."))
