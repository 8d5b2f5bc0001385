"""Study progress pushed to the browser: the study as the API shows it (trials done, best so
far), after the commit that changed it, to its owner's backtest group; /ws/backtests/ forwards
it as {"type": "study", "study": ...} (apps/analytics/event_consumers.py)."""

from __future__ import annotations

from django.db import transaction

from apps.analytics.events import user_group
from apps.realtime.publish import publish

from .models import Study
from .serializers import StudySerializer

STUDY_CHANGED = "backtest.study"  # the consumer's handler: backtest_study()


def study_changed(*, study_id: int) -> None:
    transaction.on_commit(lambda: _publish(study_id))


def _publish(study_id: int) -> None:
    study = Study.objects.select_related("symbol").filter(pk=study_id).first()
    if study is not None:
        publish(user_group(study.owner_id), STUDY_CHANGED, [dict(StudySerializer(study).data)])
