"""`python manage.py ops_prepare`: the deploy step before the processes start (with migrate and
collectstatic): a fresh Prometheus multiprocess folder."""

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.ops.metrics_dir import metrics_dir_wipe


class Command(BaseCommand):
    help = (
        "Empty PROMETHEUS_MULTIPROC_DIR (run it while no web or worker process of this host "
        "runs: their sample files would be lost)."
    )

    def handle(self, *args, **options):
        path = settings.PROMETHEUS_MULTIPROC_DIR
        path.mkdir(parents=True, exist_ok=True)
        removed = metrics_dir_wipe(path)
        self.stdout.write(f"{path}: {removed} stale metric files removed")
