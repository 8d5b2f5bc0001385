"""python manage.py rotate_field_keys: re-encrypt every exchange credential (and every other
app's registered encrypted column: alert channel URLs) with the newest key."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from apps.exchanges.crypto import field_keys
from apps.exchanges.services import field_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every exchange account's secrets with the newest key of "
        "FIELD_ENCRYPTION_KEYS, so that older keys can be removed afterwards. Resumable and safe "
        "to run twice: rows already under the newest key are skipped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=100, help="rows read per query")

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            keys = field_keys()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        report = field_keys_rotate(batch_size=batch_size)
        self.stdout.write(
            f"Re-encrypted {report.rotated} account(s) with the newest of {len(keys)} key(s); "
            f"{report.current} already current."
        )
        for name, (rotated, current) in report.others.items():
            self.stdout.write(f"Re-encrypted {rotated} {name}(s); {current} already current.")
        for message in report.failed:
            self.stderr.write(message)
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} row(s) could not be decrypted with any key (above); "
                "the others are done. Fix the keys and run the command again."
            )
        if len(keys) > 1:
            self.stdout.write("Every row is under the newest key: the older keys can be removed.")
