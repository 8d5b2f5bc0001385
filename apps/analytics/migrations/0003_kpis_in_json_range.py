"""Repair KPIs stored beyond what a JSON answer can carry: PostgreSQL keeps a float such as 1e20
as the integer 100000000000000000000, which read back overflowed the API's encoder (every list
holding that run answered 500). Such a value (no real KPI comes near it: runs are now bounded by
config/bounds.py) becomes null, the KPIs' "not representable" value."""

from django.db import migrations

_LOW, _HIGH = -(2**63), 2**63 - 1


def _in_range(value):
    if isinstance(value, int) and not isinstance(value, bool) and not _LOW <= value <= _HIGH:
        return None
    return value


def kpis_repair(apps, schema_editor):
    BacktestRun = apps.get_model("analytics", "BacktestRun")
    runs = BacktestRun.objects.exclude(kpis=None).only("pk", "kpis")
    for run in runs.iterator(chunk_size=2000):
        if not isinstance(run.kpis, dict):
            continue
        repaired = {name: _in_range(value) for name, value in run.kpis.items()}
        if repaired != run.kpis:
            BacktestRun.objects.filter(pk=run.pk).update(kpis=repaired)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_risk_profiles")]

    operations = [migrations.RunPython(kpis_repair, migrations.RunPython.noop)]
