"""What one request of the status list costs beyond its rows: the rate limiter's round trips to the shared
cache, Last-Modified's, the statements of a page (docs/performance.md, "API: the per-request cost")."""

import datetime

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.caching import data_changed_at
from api.throttles import store_history
from recommendations.models import AuditEvent, Recommendation

pytestmark = pytest.mark.django_db

TABLE = "tracker_cache"


def _on_the_database_cache():
    if not isinstance(caches["default"], DatabaseCache) or connection.vendor != "postgresql":
        pytest.skip("the one-statement write is the database cache's on PostgreSQL (elsewhere the cache's own set)")


def _cache_statements(queries) -> list[str]:
    return [q["sql"] for q in queries if TABLE in q["sql"]]


def test_the_rate_limiter_reads_once_and_writes_once_a_request(client, settings):
    """Django's DatabaseCache.set costs five round trips (BEGIN, a count, a read, the update, COMMIT, which
    waits for the WAL flush); the throttle's write is one statement."""
    _on_the_database_cache()
    settings.API_RATES = {"anon": "100/min", "user": "100/min"}
    cache.clear()
    url = reverse("api:statuses")
    client.get(url, {"item": "R02", "page_size": 1})  # the entry exists: an update, not an insert
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"item": "R02", "page_size": 1}).status_code == 200
    statements = _cache_statements(queries)
    assert len(statements) == 2, statements
    assert statements[0].startswith("SELECT") and "INSERT INTO" in statements[1] and "ON CONFLICT" in statements[1]
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in queries.captured_queries)


def test_the_written_history_is_the_one_every_server_reads(settings):
    """Written in one statement, the entry is DatabaseCache's own: another process's cache object (a fresh
    backend instance on the same table) reads the same request times; expired entries go on the way."""
    _on_the_database_cache()
    other_server = DatabaseCache(TABLE, {})
    other_server.set("stale", "x", timeout=1)
    with connection.cursor() as cursor:  # an entry that expired a minute ago
        cursor.execute(
            f"UPDATE {TABLE} SET expires = %s WHERE cache_key = %s",  # noqa: S608
            [timezone.now() - datetime.timedelta(minutes=1), other_server.make_and_validate_key("stale")],
        )
    history = [1764490000.25, 1764489990.5]
    assert store_history(cache, "throttle_anon_192.0.2.1", history, 60)
    assert other_server.get("throttle_anon_192.0.2.1") == history
    assert store_history(cache, "throttle_anon_192.0.2.1", [1.0, *history], 60)  # the same entry, rewritten
    assert other_server.get("throttle_anon_192.0.2.1") == [1.0, *history]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {TABLE}")  # noqa: S608
        keys = {row[0] for row in cursor.fetchall()}
    assert other_server.make_and_validate_key("stale") not in keys
    assert other_server.make_and_validate_key("throttle_anon_192.0.2.1") in keys


def test_requests_are_still_counted_across_servers_and_refused(client, settings):
    """The limit holds whichever server counted the earlier requests: two written by another server's
    backend (DatabaseCache's own set) and this one's make three; the fourth is refused."""
    settings.API_RATES = {"anon": "3/min", "user": "3/min"}
    cache.clear()
    url = reverse("api:section-list")
    assert client.get(url).status_code == 200
    key = "throttle_anon_127.0.0.1"
    first = cache.get(key)
    assert len(first) == 1
    other_server = caches.create_connection("default")
    other_server.set(key, [timezone.now().timestamp(), *first], 60)  # a second request, served elsewhere
    assert [client.get(url).status_code for _ in range(2)] == [200, 429]


def test_last_modified_is_one_round_trip_and_the_newest_of_both_sources(people):
    """Last-Modified reads the newest audit event and the newest item edit in one statement."""
    item = Recommendation.objects.get(code="R02")
    Recommendation.objects.filter(pk=item.pk).update(updated_at=timezone.now() + datetime.timedelta(hours=1))
    item.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        assert data_changed_at() == item.updated_at
    assert len(queries) == 1
    later = AuditEvent.objects.create(action="verified", object_type="update", object_id="1", user=people.reviewer)
    AuditEvent.objects.filter(pk=later.pk).update(at=item.updated_at + datetime.timedelta(minutes=5))
    assert data_changed_at() == item.updated_at + datetime.timedelta(minutes=5)


def _page_statements(client, params) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("api:statuses"), params)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def test_a_filtered_page_lists_actors_only_for_the_rounds_it_reads(client, settings):
    """``status_page`` names the next actors in each round; once a round got fewer actors than it asked for,
    there are no more, and no query asks again (a page of a filtered list: one actor list, one pair query)."""
    settings.API_RATES = {"anon": "100000/min", "user": "100000/min"}
    for params in ({"region": "Africa", "kind": "ratification", "page_size": 10000}, {"item": "R02"}):
        statements = _page_statements(client, params)
        actor_lists = [s for s in statements if '"recommendations_actor"."id" AS "pk"' in s and "ORDER BY" in s]
        rounds = [s for s in statements if "p.actor_id IN (" in s]
        assert len(rounds) >= 1 and len(actor_lists) == len(rounds), (params, len(actor_lists), len(rounds))


def test_the_statements_of_a_page_are_pinned(client, settings):
    """What a filtered request makes on PostgreSQL with the database cache besides its rounds (an actor list
    and a pair query each, above): the rate limiter's read and write, the filter's region choices and named
    items, the items' columns, Last-Modified. A new statement per request shows here."""
    _on_the_database_cache()
    settings.API_RATES = {"anon": "100000/min", "user": "100000/min"}
    cache.clear()
    params = {"item": "R02", "region": "Africa", "page_size": 50}
    _page_statements(client, params)
    statements = [
        s
        for s in _page_statements(client, params)
        if not s.startswith(("SAVEPOINT", "RELEASE", "RESET"))  # (the test's transaction)
        and not ('"recommendations_actor"."id" AS "pk"' in s and "ORDER BY" in s)
        and "p.actor_id IN (" not in s
    ]
    assert len(statements) == 6, statements
