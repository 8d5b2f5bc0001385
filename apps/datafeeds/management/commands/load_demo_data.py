"""python manage.py load_demo_data: BTCUSDT 5m/1h/4h for the last ~60 days, real or simulated."""

from django.core.management.base import BaseCommand

from apps.datafeeds.demo import demo_data_load


class Command(BaseCommand):
    help = (
        "Demo data: download BTCUSDT 5m/1h/4h (last 60 days) from Binance through ccxt; when the "
        "network is unreachable, generate a deterministic simulated market under the exchange "
        "id 'simulated' instead. Does nothing when demo data is already stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--simulated", action="store_true", help="skip the download attempt")

    def handle(self, *args, **options):
        report = demo_data_load(simulated=options["simulated"])
        if report.warning:
            self.stdout.write(self.style.WARNING(report.warning))
        for note in report.notes:
            self.stdout.write(note)
