"""Rate limits kept in Django's cache, so every process and server shares them (the cache is the database's
``tracker_cache`` table by default; any shared backend, such as Redis, works the same way).

A key gets ``limit`` slots; a request claims a free one with ``cache.add``, which is atomic on every
shared backend, and a slot frees itself ``window`` seconds after it was claimed. So no key gets more
than ``limit`` requests in any ``window``, however many processes serve them.
"""

import hashlib

from django.core.cache import cache


def allow(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Claim one of ``key``'s ``limit`` slots in ``scope`` for ``window`` seconds; False when all are taken."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]  # no address or IP in the cache's keys
    return any(cache.add(f"throttle:{scope}:{digest}:{slot}", 1, timeout=window) for slot in range(limit))
