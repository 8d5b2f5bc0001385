"""A Celery beat schedule on candle boundaries: due at every multiple of `run_every` since the
Unix epoch (UTC) plus a small delay, e.g. 12:05:02, 12:10:02, ... for 5 minutes and 2 s, whenever
beat was started (an interval schedule counts from beat's start, so a candle could wait up to a
whole interval before its refresh)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from celery.schedules import schedstate, schedule


def boundary_after(t: float, step: float, delay: float) -> float:
    """The first time > t of the form k * step + delay (epoch seconds)."""
    return (math.floor((t - delay) / step) + 1) * step + delay


class CandleBoundarySchedule(schedule):
    def __init__(self, run_every, delay: float = 0.0, nowfun=None, app=None):
        super().__init__(run_every, relative=False, nowfun=nowfun, app=app)
        self.delay = float(delay)

    def remaining_estimate(self, last_run_at: datetime) -> timedelta:
        last = self.maybe_make_aware(last_run_at).timestamp()
        now = self.maybe_make_aware(self.now()).timestamp()
        due = boundary_after(last, self.run_every.total_seconds(), self.delay)
        return timedelta(seconds=due - now)

    def is_due(self, last_run_at: datetime) -> schedstate:
        remaining = self.remaining_estimate(last_run_at).total_seconds()
        if remaining > 0:
            return schedstate(is_due=False, next=remaining)
        now = self.maybe_make_aware(self.now()).timestamp()
        step = self.run_every.total_seconds()
        return schedstate(is_due=True, next=boundary_after(now, step, self.delay) - now)

    def __reduce__(self):
        return self.__class__, (self.run_every, self.delay, self.nowfun)

    def __repr__(self) -> str:
        return f"<every {self.run_every} on the boundary + {self.delay}s>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CandleBoundarySchedule):
            return (self.run_every, self.delay) == (other.run_every, other.delay)
        return NotImplemented

    __hash__ = None
