"""The summary's over-time chart through the shared cache: read once per history version, never stale."""

import datetime
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations import chart_cache, services
from recommendations.filters import StatusFilter
from recommendations.models import Kind, Status, StatusInterval, YearEndChange
from recommendations.reports import cached_history_by_year, history_by_year

from .factories import filed, record
from .test_imports import LINK, NARRATIVE, csv_file, run_import

pytestmark = [pytest.mark.django_db, pytest.mark.chart_cache]


@pytest.fixture(autouse=True)
def _empty_cache():
    # The cache table is not flushed between tests: without its version, a test reaches none of the entries
    # before it (a new random version). Not cache.clear(): on a shared Redis that empties others' keys too.
    cache.delete(chart_cache.VERSION_KEY)


def chart_queries(queries) -> list[str]:
    """The chart's aggregate over the status intervals or the changes kept from them (GROUP BY on their tables)."""
    return [q["sql"] for q in queries if re.search(r"interval|yearendchange", q["sql"]) and "GROUP BY" in q["sql"]]


def summary(client, query=""):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("recommendations:report_summary") + ("?" + query if query else ""))
    assert response.status_code == 200
    return response, chart_queries(queries.captured_queries)


def scope(query) -> StatusFilter:
    filterset = StatusFilter(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return filterset


def assert_fresh(query):
    """The cached chart equals one computed now from the intervals."""
    assert cached_history_by_year(filterset=scope(query)) == history_by_year(filterset=scope(query))


def committed(django_capture_on_commit_callbacks, write):
    # The test's transaction never commits: run the write's on_commit callbacks as a commit would.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = write()
    assert callbacks, "the write registered no on_commit bump"
    return result


def test_the_second_render_does_not_run_the_chart_query(client, item, country):
    policy = item(Kind.POLICY)
    for iso3, status, year in [
        ("KEN", Status.LIMITED, 2010),
        ("MEX", Status.COMPLETE, 2012),
        ("GHA", Status.SUBSTANTIAL, 2015),
    ]:
        record(actor=country(iso3), recommendation=policy, status=status, as_of=datetime.date(year, 1, 1))
    first, queries = summary(client)
    assert len(queries) == 1
    assert first.context["history_chart"]
    second, queries = summary(client)
    assert queries == []
    assert second.context["history_chart"] == first.context["history_chart"]
    # Another scope is another entry: computed once, then cached too.
    _, queries = summary(client, f"item={policy.code}")
    assert len(queries) == 1
    _, queries = summary(client, f"item={policy.code}")
    assert queries == []
    # Row filters do not change the chart, so they share its entry; the order of the parameters does not matter.
    _, queries = summary(client, f"status=limited&item={policy.code}")
    assert queries == []


def test_different_filters_get_different_entries(item, country):
    policy, other = item(Kind.POLICY), item(Kind.POLICY, 1)
    record(actor=country("KEN"), recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 1, 1))
    record(actor=country("MEX"), recommendation=other, status=Status.COMPLETE, as_of=datetime.date(2011, 1, 1))
    keys = {
        chart_cache.scope_key(scope(q))
        for q in [
            "",
            f"item={policy.code}",
            f"item={other.code}",
            f"item={policy.code}&item={other.code}",
            "perspective=civil_society",
            "on=2011-06-30",
            "actor_kind=country",
        ]
    }
    assert len(keys) == 7
    same = chart_cache.scope_key(scope(f"item={policy.code}&item={other.code}"))
    assert same == chart_cache.scope_key(scope(f"item={other.code}&item={policy.code}&status=limited"))
    one, both = (
        cached_history_by_year(filterset=scope(f"item={policy.code}")),
        cached_history_by_year(filterset=scope(f"item={policy.code}&item={other.code}")),
    )
    assert one != both
    assert one == history_by_year(filterset=scope(f"item={policy.code}"))
    assert cached_history_by_year(filterset=scope("on=2010-06-30")) == history_by_year(filterset=scope("on=2010-06-30"))


def test_a_logged_verified_update_shows_at_once(client, item, country, django_capture_on_commit_callbacks):
    policy = item(Kind.POLICY)
    record(actor=country("KEN"), recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 1, 1))
    before = cached_history_by_year(filterset=scope(""))
    committed(
        django_capture_on_commit_callbacks,
        lambda: record(
            actor=country("MEX"), recommendation=policy, status=Status.COMPLETE, as_of=datetime.date(2012, 1, 1)
        ),
    )
    _, queries = summary(client)  # the page computes it anew after the write, then caches it
    assert len(queries) == 1
    assert cached_history_by_year(filterset=scope("")) != before
    assert_fresh("")


def test_a_verification_and_a_withdrawal_show_at_once(item, people, django_capture_on_commit_callbacks):
    query = "item=R56"
    assert_fresh(query)  # cached: nothing verified yet
    update = filed(user=people.reporter_a, organization=people.org_a, iso3="KEN", code="R56", status="limited")
    committed(
        django_capture_on_commit_callbacks,
        lambda: services.verify_update(update=update, reviewer=people.reviewer, expected_version=update.version),
    )
    chart = cached_history_by_year(filterset=scope(query))
    assert chart["statuses"] == [Status.LIMITED]
    assert chart == history_by_year(filterset=scope(query))
    update.refresh_from_db()
    committed(
        django_capture_on_commit_callbacks,
        lambda: services.withdraw_update(
            update=update, user=people.reviewer, expected_version=update.version, reason="Wrong source"
        ),
    )
    assert cached_history_by_year(filterset=scope(query)) == history_by_year(filterset=scope(query))
    assert cached_history_by_year(filterset=scope(query))["statuses"] == []


def test_an_import_shows_at_once(people, django_capture_on_commit_callbacks):
    query = "item=R56"
    assert cached_history_by_year(filterset=scope(query))["years"] == []
    rows = [["KEN", "R56", "limited", "2020-01-01", "", LINK, "forum-a", NARRATIVE]]
    committed(
        django_capture_on_commit_callbacks,
        lambda: run_import(
            csv_file(rows).getvalue(),
            user=people.reviewer,
            organization=people.org_a,
            verified=True,
            source="chart cache test",
            second_reviewer=people.reviewer2,
        ),
    )
    chart = cached_history_by_year(filterset=scope(query))
    assert chart["statuses"] == [Status.LIMITED] and chart["years"][0] == 2020
    assert chart == history_by_year(filterset=scope(query))


def test_a_rebuild_shows_at_once(item, country, django_capture_on_commit_callbacks):
    policy = item(Kind.POLICY)
    record(actor=country("KEN"), recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 1, 1))
    good = cached_history_by_year(filterset=scope(""))
    # Drift (by hand, as a broken restore would): no service, no bump; the intervals and the rows kept from them.
    StatusInterval.objects.all().delete()
    YearEndChange.objects.all().delete()
    assert cached_history_by_year(filterset=scope("")) == good  # the cache still answers from before the drift
    assert history_by_year(filterset=scope(""))["years"] == []
    committed(django_capture_on_commit_callbacks, services.rebuild_current_statuses)
    assert cached_history_by_year(filterset=scope("")) == good == history_by_year(filterset=scope(""))
    StatusInterval.objects.all().delete()
    YearEndChange.objects.all().delete()
    committed(django_capture_on_commit_callbacks, lambda: transaction.atomic(services.rebuild_status_intervals)())
    assert cached_history_by_year(filterset=scope("")) == history_by_year(filterset=scope(""))


def test_every_bump_and_a_missing_version_give_a_version_never_seen(item, country):
    record(actor=country("KEN"), recommendation=item(Kind.POLICY), status="limited", as_of=datetime.date(2010, 1, 1))
    seen = set()
    for _ in range(3):
        cached_history_by_year(filterset=scope(""))
        seen.add(cache.get(chart_cache.VERSION_KEY))
        chart_cache._bump()
    cache.delete(chart_cache.VERSION_KEY)  # evicted
    cached_history_by_year(filterset=scope(""))
    seen.add(cache.get(chart_cache.VERSION_KEY))
    assert len(seen) == 4 and None not in seen  # never an older version that old entries may carry


def test_a_failing_cache_still_renders_the_chart(client, item, country, django_capture_on_commit_callbacks):
    policy = item(Kind.POLICY)
    record(actor=country("KEN"), recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 1, 1))
    broken = mock.Mock(side_effect=ConnectionError("cache down"))
    with mock.patch.multiple(chart_cache.cache, get=broken, set=broken, add=broken):
        response, queries = summary(client)
        assert len(queries) == 1
        assert response.context["history_chart"]
        # A write still commits when the bump cannot reach the cache.
        committed(
            django_capture_on_commit_callbacks,
            lambda: record(
                actor=country("MEX"), recommendation=policy, status="complete", as_of=datetime.date(2012, 1, 1)
            ),
        )
    assert broken.called
    assert_fresh("")


def test_linking_an_item_to_a_theme_shows_at_once(item, country, people, django_capture_on_commit_callbacks):
    from bulk import services as bulk_services
    from recommendations.models import Theme

    policy = item(Kind.POLICY)
    theme = Theme.objects.exclude(recommendations=policy).first()
    record(actor=country("KEN"), recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 1, 1))
    query = f"theme={theme.slug}"
    assert Status.LIMITED not in cached_history_by_year(filterset=scope(query))["statuses"]
    committed(
        django_capture_on_commit_callbacks,
        lambda: bulk_services.add_item_link(items=[policy], link=theme, user=people.editor),
    )
    assert Status.LIMITED in cached_history_by_year(filterset=scope(query))["statuses"]
    assert_fresh(query)


def test_an_admin_edit_of_an_organization_shows_at_once(item, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    from recommendations.admin import ActorAdmin
    from recommendations.models import Actor, ActorKind

    org = Actor.objects.create(
        kind=ActorKind.ORGANIZATION, code="cc-org", name="Chart cache union", organization_type="trade_union"
    )
    record(actor=org, recommendation=item(Kind.POLICY), status=Status.LIMITED, as_of=datetime.date(2010, 1, 1))
    query = "organization_type=trade_union"
    assert cached_history_by_year(filterset=scope(query))["statuses"] == [Status.LIMITED]
    # The admin's change form saves the row, then save_related: the bump comes with it (a ModelAdmin, no service).
    org.organization_type = "ngo"
    org.save()
    admin = ActorAdmin(Actor, None)
    request = mock.Mock(user=User.objects.create_superuser("cc-admin", "cc@example.org", "pw"))
    committed(django_capture_on_commit_callbacks, lambda: admin.save_related(request, mock.Mock(), [], True))
    assert cached_history_by_year(filterset=scope(query))["statuses"] == []
    assert_fresh(query)


def page_chart(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, chart_queries(queries.captured_queries)


def test_an_item_report_and_an_actor_profile_read_their_charts_from_the_cache(
    client, item, country, django_capture_on_commit_callbacks
):
    policy, other = item(Kind.POLICY), item(Kind.POLICY, 1)
    kenya = country("KEN")
    record(actor=kenya, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 1, 1))
    record(actor=country("MEX"), recommendation=other, status=Status.COMPLETE, as_of=datetime.date(2011, 1, 1))
    for url in (policy.get_absolute_url(), other.get_absolute_url(), kenya.get_absolute_url()):
        first, queries = page_chart(client, url)
        assert len(queries) == 1, url
        second, queries = page_chart(client, url)
        assert queries == [], url  # each page's own entry: computed once, then cached
    # Each scope its own key, never a report filter's; and a verified write shows at once.
    keys = {
        chart_cache.page_scope_key(recommendation=policy, since=2010),
        chart_cache.page_scope_key(recommendation=other, since=2010),
        chart_cache.page_scope_key(actor=kenya),
        chart_cache.scope_key(scope(f"item={policy.code}")),
    }
    assert len(keys) == 4
    committed(
        django_capture_on_commit_callbacks,
        lambda: record(actor=kenya, recommendation=policy, status=Status.COMPLETE, as_of=datetime.date(2013, 1, 1)),
    )
    _, queries = page_chart(client, policy.get_absolute_url())
    assert len(queries) == 1
    since = policy.document.date.year
    assert cached_history_by_year(recommendation=policy, since=since) == history_by_year(
        recommendation=policy, since=since
    )
    assert cached_history_by_year(actor=kenya) == history_by_year(actor=kenya)
