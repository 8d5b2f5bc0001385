"""Per-user caps on open sockets, shared by every server process (docs/realtime.md).

A socket holds a slot: a lease in a Redis sorted set per (kind, user), member = the socket's
channel name, score = lease expiry. Heartbeats renew the lease, a clean close removes it, and a
process that dies leaves leases that simply expire, so a crash never locks a user out for long.
On the in-memory channel layer (the embedded, single-process default) a dict plays the same role.
"""

from __future__ import annotations

import time
from collections import defaultdict

from channels.layers import BaseChannelLayer

from config.degraded import REDIS_DOWN

LEASE_HEARTBEATS = 3  # a lease outlives this many missed heartbeats

# KEYS[1] the set; ARGV: now, expiry, cap, member. Atomic: two sockets racing for the last slot
# cannot both get it.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) == false
   and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(ARGV[2]) * 1000))
return 1
"""

_local: dict[str, dict[str, float]] = defaultdict(dict)  # in-memory layer: key -> member -> expiry
# Slots whose release failed (Redis away): released by this process's next slot operation, so a
# socket closed during an outage does not keep its slot until the lease ends.
_unreleased: set[tuple[str, str]] = set()


class SocketSlots:
    """Slots of one kind of socket for one user; `lease` seconds per renewal."""

    def __init__(self, *, layer: BaseChannelLayer, kind: str, user_id: int, lease: float):
        self.key = f"realtime:slots:{kind}:{user_id}"
        self.lease = lease
        # channels_redis keeps one client per event loop with the timeouts of settings
        # (REDIS_CLIENT_OPTIONS); reuse it rather than open a connection per socket.
        self._redis = layer.connection(0) if hasattr(layer, "connection") else None

    async def acquire(self, member: str, cap: int) -> bool:
        now = time.time()
        if self._redis is not None:
            await self._release_pending()
            expiry = now + self.lease
            return bool(await self._redis.eval(_ACQUIRE, 1, self.key, now, expiry, cap, member))
        held = _local[self.key]
        for other, expiry in list(held.items()):
            if expiry <= now:
                del held[other]
        if member not in held and len(held) >= cap:
            return False
        held[member] = now + self.lease
        return True

    async def renew(self, member: str) -> None:
        expiry = time.time() + self.lease
        if self._redis is not None:
            # Every lease has the same length, so the latest renewal also outlives the others.
            await self._redis.zadd(self.key, {member: expiry})
            await self._redis.pexpireat(self.key, int(expiry * 1000))
        elif member in _local[self.key]:
            _local[self.key][member] = expiry

    async def release(self, member: str) -> None:
        if self._redis is not None:
            try:
                await self._redis.zrem(self.key, member)
            except REDIS_DOWN:
                _unreleased.add((self.key, member))
                raise
        else:
            _local[self.key].pop(member, None)

    async def _release_pending(self) -> None:
        for key, member in list(_unreleased):
            await self._redis.zrem(key, member)
            _unreleased.discard((key, member))
