"""celery beat's scheduler: one active beat at a time, the schedule kept in memory.

`celery -A config beat` uses it (CELERY_BEAT_SCHEDULER). Two beats started by mistake (twice on
one host, or on two hosts) would send every scheduled task twice: the scheduler only sends while
it holds a Redis lock, renewed at every tick; the other beat waits on standby and takes over
within OPS_BEAT_LOCK_SECONDS if the first one dies. The schedule lives in memory, not in a shelve
file under var/ (which a fresh clone on PostgreSQL does not have, and two beats on one host would
fight over): after a restart each entry waits one interval again, at most minutes here.
Without Redis (the embedded default) there is no lock: `make run` starts a single beat.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid

from celery.beat import Scheduler
from django.conf import settings
from redis.exceptions import LockError, RedisError

from .redis_state import ops_redis

logger = logging.getLogger(__name__)
LOCK_KEY = "ops:beat-lock"


class SingleBeatScheduler(Scheduler):
    def __init__(self, *args, **kwargs):
        self._lock = None
        self._owned = False
        self._standby_logged = False
        self._identity = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        client = ops_redis()
        if client is not None:
            self._lock = client.lock(
                LOCK_KEY, timeout=settings.OPS_BEAT_LOCK_SECONDS, blocking=False
            )
        super().__init__(*args, **kwargs)

    @property
    def _renew_every(self) -> float:
        return settings.OPS_BEAT_LOCK_SECONDS / 3

    def tick(self, *args, **kwargs) -> float:
        if not self._holds_lock():
            if not self._standby_logged:
                logger.warning("another celery beat holds %s: standing by", LOCK_KEY)
                self._standby_logged = True
            return self._renew_every
        if self._standby_logged:
            logger.warning("celery beat %s took over the schedule", self._identity)
            self._standby_logged = False
        return min(super().tick(*args, **kwargs), self._renew_every)

    def _holds_lock(self) -> bool:
        if self._lock is None:
            return True
        try:
            if self._owned:
                try:
                    self._lock.reacquire()
                    return True
                except LockError:  # expired (this beat stalled): compete again
                    self._owned = False
            self._owned = bool(self._lock.acquire(blocking=False, token=self._identity))
        except RedisError as error:
            # Redis away: nothing can be sent anyway; stop sending until the lock is back.
            logger.warning("beat lock unavailable: %s", type(error).__name__)
            self._owned = False
        return self._owned

    def close(self) -> None:
        if self._lock is not None and self._owned:
            with contextlib.suppress(LockError, RedisError):
                self._lock.release()
        super().close()
