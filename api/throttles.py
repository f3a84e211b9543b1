"""Per-client rate limits (DRF throttling; a refusal is a 429 with Retry-After).

Rates come from settings.API_RATES at request time, so an environment (or a test) can change them.
Anonymous clients are counted by IP address, token holders by their account. Counts live in the shared
cache (Redis with several app servers, else the database cache), so every server counts the same requests.
"""

import base64
import datetime
import pickle

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from tracker.client_address import client_address


def store_history(cache, key: str, history: list, timeout: int) -> bool:
    """Write a client's request times to the database cache in one round trip; False where it cannot
    (another cache backend, another database, or the statement failed): the caller then sets it as usual.

    Django's ``DatabaseCache.set`` makes five round trips for it (BEGIN, a count of every entry to decide
    whether to cull, a read of the entry, its update, COMMIT) and waits for the commit's WAL flush: ~6–10 ms of
    every API request with the database cache (docs/performance.md, "API: the per-request cost"). Here, one
    statement: the entry written as ``DatabaseCache`` writes it (the same key, pickle and expiry, so
    ``cache.get`` reads it back), expired entries deleted on the way (what keeps the table small, instead of
    the count: the throttle's own entries last a minute), with ``synchronous_commit`` off for this transaction
    only — a database crash may forget the last fraction of a second of counts, never write a wrong one.
    """
    if cache is default_cache:  # (a proxy to the backend of this thread)
        cache = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(cache, DatabaseCache):
        return False
    db = router.db_for_write(cache.cache_model_class)
    connection = connections[db]
    if connection.vendor != "postgresql":
        return False
    key = cache.make_and_validate_key(key)
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now().replace(microsecond=0))
    tz = datetime.UTC if settings.USE_TZ else None
    expires = adapt(datetime.datetime.fromtimestamp(cache.get_backend_timeout(timeout), tz=tz).replace(microsecond=0))
    value = base64.b64encode(pickle.dumps(history, cache.pickle_protocol)).decode("latin1")
    table = connection.ops.quote_name(cache._table)
    sql = (
        f"DELETE FROM {table} WHERE expires < %s; "  # noqa: S608  # nosec B608 - the cache's table name
        f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
        "ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires"
    )
    try:
        if connection.in_atomic_block:
            # In a caller's transaction (tests) SET LOCAL would outlast the statement; a savepoint keeps a
            # failure from aborting the caller's work.
            with transaction.atomic(using=db), connection.cursor() as cursor:
                cursor.execute(sql, [now, key, value, expires])
        else:
            with connection.cursor() as cursor:  # one implicit transaction: the setting ends with it
                cursor.execute(f"SET LOCAL synchronous_commit = off; {sql}", [now, key, value, expires])
    except DatabaseError:
        return False
    return True


class SharedHistory:
    """DRF's sliding window of request times, its write in one round trip with the database cache
    (``store_history``); with Redis (django-redis), as DRF writes it."""

    def throttle_success(self):
        self.history.insert(0, self.now)
        if not store_history(self.cache, self.key, self.history, self.duration):
            self.cache.set(self.key, self.history, self.duration)
        return True


class AnonymousRate(SharedHistory, AnonRateThrottle):
    scope = "anon"

    def get_ident(self, request):
        # The address as every other per-address limit reads it (X-Forwarded-For only behind our proxy).
        return client_address(request)

    def get_rate(self):
        return settings.API_RATES["anon"]


class TokenRate(SharedHistory, UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        # Token holders only: anonymous clients are AnonymousRate's (DRF's own would count them a second
        # time, by address, at the token rate: a second cache write on every anonymous request).
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)

    def get_rate(self):
        return settings.API_RATES["user"]
