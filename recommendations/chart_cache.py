"""The over-time chart's results in the shared cache, keyed by its scope and by a version of the verified history.

The chart (``reports.history_by_year`` for a report's filters) aggregates the status intervals of its scope that hold
at a year end (or, for scopes that name items only, the per-year changes kept per item, ``YearEndChange``): its cost
grows with the pairs and the years they span, while everything else on the summary reads maintained tables. Its
result is plain data, so it is cached under (history version, today's date, the scope the chart depends on).

The version lives in the cache itself, not in a process, so every app server sees a write at once. It is bumped by
``bump_history_version``, which the services that write the status intervals call (``refresh_current_status``,
``refresh_current_statuses``, ``rebuild_status_intervals``, ``rebuild_tracks``): every write of the verified
history goes through one of them, and the commands that replace the data wholesale call ``forget_all_charts``. The
bump runs on commit — bumped before, a reader could cache the old rows under the new version. Each version is a new
random token, so a version that goes missing (evicted, flushed) never comes back as one an older entry still
carries. A cache that fails costs the cache, never the page: the chart is then computed as without one.
"""

import datetime
import hashlib
import json
import logging
import uuid

from django.core.cache import cache
from django.db import models, transaction

logger = logging.getLogger(__name__)

# Off only in tests: inside a test's rolled-back transaction no on_commit bump ever runs (tests/conftest.py).
ENABLED = True
VERSION_KEY = "history-chart:version"
# Bounds how long an entry can outlive a bump lost while the cache was down (entries otherwise change key).
ENTRY_SECONDS = 600
# The filters the chart reads (StatusFilter.items(), .actors(), the track and the date); the row filters
# (status, updated, evidence, disagree) and ``compare`` do not change it.
SCOPE_FIELDS = (
    *("item", "theme", "section", "kind", "instrument", "addressee"),
    *("actor_kind", "actor", "region", "subregion", "organization_type"),
    *("perspective", "on"),
)


def bump_history_version() -> None:
    """After the current transaction commits, move every cached chart to a new key (call it from every writer)."""
    connection = transaction.get_connection()
    # Once per transaction (a bulk review refreshes a thousand pairs in one), unless the bump already registered
    # hangs on a savepoint this write is not inside: rolled back, it would take the bump without this write.
    open_savepoints = set(connection.savepoint_ids)
    if not any(callback is _bump and sids <= open_savepoints for sids, callback, _ in connection.run_on_commit):
        transaction.on_commit(_bump)


def forget_all_charts() -> None:
    """Move every cached chart to a new key now: for commands that replace the data outside the services
    (``restore``, ``import_all``), which call no writer that bumps. Without it a Redis cache would serve the
    charts of the data before the restore until ``ENTRY_SECONDS`` had passed."""
    _bump()


def _bump() -> None:
    try:
        # A new unique value, not incr: the database cache's incr is a read then a write, so two servers
        # bumping at once could both write V+1 after a reader cached the first commit's rows under V+1.
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # the write has committed: a cache outage must not fail it (entries expire, ENTRY_SECONDS)
        logger.warning("could not bump the over-time chart's cache version", exc_info=True)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    if version is None:
        raise LookupError("the cache did not keep the version")
    return version


def _normal(value):
    """A filter's cleaned value as plain JSON: model rows by primary key, several values sorted."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted((_normal(v) for v in value), key=str)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def scope_key(filterset) -> str:
    """The chart's scope in canonical form: the same choices in any order or spelling give the same key."""
    data = filterset.data_
    scope = {name: _normal(data[name]) for name in SCOPE_FIELDS if data.get(name)}
    return hashlib.sha256(json.dumps(scope, sort_keys=True).encode()).hexdigest()


def page_scope_key(**scope) -> str:
    """The scope of a page's own chart (an item's report, an actor's profile): its arguments, by primary key.

    Named apart from the report filters' scope (``scope_key``), so the two never share an entry."""
    plain = {"page": {name: _normal(value) for name, value in scope.items() if value is not None}}
    return hashlib.sha256(json.dumps(plain, sort_keys=True).encode()).hexdigest()


def cached_chart(filterset, compute, *, key: str | None = None):
    """``compute()`` for ``filterset``'s chart (or the page scope ``key``: ``page_scope_key``), from the cache
    when the history has not changed since."""
    if not ENABLED:
        return compute()
    try:
        scope = key if key is not None else scope_key(filterset)
        key = f"history-chart:{_version()}:{datetime.date.today().isoformat()}:{scope}"
        found = cache.get(key)
    except Exception:
        logger.warning("over-time chart cache unavailable; computing the chart", exc_info=True)
        return compute()
    if found is not None:
        return found
    result = compute()
    try:
        cache.set(key, result, timeout=ENTRY_SECONDS)
    except Exception:
        logger.warning("could not cache the over-time chart", exc_info=True)
    return result
