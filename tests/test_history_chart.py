"""The over-time chart read from the status intervals equals the replay of the verified history."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommendations.filters import StatusFilter
from recommendations.models import Kind, Perspective, ProgressUpdate, Status, StatusInterval, YearEndChange
from recommendations.models.intervals import crosses_a_year_end
from recommendations.reports import history_by_year
from recommendations.reports.history import _interval_history_by_year, _replayed_history_by_year
from recommendations.services.year_ends import Changes

from .factories import record
from .test_current_status import assert_year_end_changes_match_intervals, steps

pytestmark = pytest.mark.django_db

START = datetime.date(2006, 7, 27)


def both(**kwargs):
    new, old = history_by_year(**kwargs), _replayed_history_by_year(**kwargs)
    assert new == old, kwargs
    # The same types too: Decimal medians stay Decimal, counts stay int.
    assert [type(v) for v in new["values"]] == [type(v) for v in old["values"]]
    return new


def all_three(**kwargs):
    """The chart (from the rows kept per item where the scope names items only), the replay, and the chart from
    the intervals whatever the scope (``_interval_history_by_year``): all equal.

    A scope with actors: ``history_by_year`` is already the chart from the intervals (the kept rows cannot tell
    pairs apart), so the same call is not made twice: compared with the replay, a chart of such a scope read from
    the kept rows would count every actor's changes. Which table each scope reads:
    ``test_a_scope_of_items_charts_from_the_rows_kept_per_item_and_one_with_actors_from_the_intervals``."""
    chart = both(**kwargs)
    filterset = kwargs.get("filterset")
    if kwargs.get("actor") is None and (filterset is None or not filterset.actors()):
        assert _interval_history_by_year(**kwargs) == chart, kwargs
    return chart


def assert_every_caller_agrees(actors, items, on_days, scope):
    for target in items:
        all_three(recommendation=target)
        all_three(recommendation=target, since=2001)
        all_three(recommendation=target, since=2030)
    for actor in actors:
        all_three(actor=actor)
    filters = [
        "",
        f"item={items[0].code}",
        f"actor={actors[0].code}&actor={actors[1].code}",
        "actor_kind=country&kind=quantitative",
        "status=limited",  # a row filter: the chart ignores it, as the replay did
    ]
    filters.append("kind=quantitative")  # items only, from the kept rows: the measured values' medians
    for query in filters:
        for day in [None, *on_days]:
            all_three(filterset=scope(query, day))
    # Each perspective's track: from its kept rows (items only) as from its intervals (the replay has no tracks).
    for perspective in PERSPECTIVES:
        for query in ["", f"item={items[0].code}", f"item={items[1].code}", f"actor={actors[0].code}"]:
            for day in [None, *on_days]:
                filterset = scope(f"{query}&perspective={perspective}", day)
                assert history_by_year(filterset=filterset) == _interval_history_by_year(filterset=filterset)
    assert_year_end_changes_match_intervals()  # the rows kept per item: a recomputation's


PERSPECTIVES = [Perspective.GOVERNMENT, Perspective.CIVIL_SOCIETY, Perspective.UN_MECHANISM]


@pytest.fixture
def scopes():
    """``scope`` made once per query and date, for all of a property test's examples (the fixture is the test's,
    not an example's). A validated filterset holds its cleaned query (codes resolved to the items and actors, made
    before the examples and never changed by them) and nothing read from the updates: the charts read those when
    called. Validating ~150 filtersets an example (their choices and codes looked up) was a third of the time
    (cProfile, SQLite)."""
    made = {}

    def cached(query: str, day: datetime.date | None = None) -> StatusFilter:
        if (query, day) not in made:
            made[query, day] = scope(query, day)
        return made[query, day]

    return cached


def scope(query: str, day: datetime.date | None = None) -> StatusFilter:
    text = query + (f"&on={day.isoformat()}" if day else "")
    filterset = StatusFilter(QueryDict(text.lstrip("&")))
    assert filterset.is_valid(), (text, filterset.errors)
    return filterset


def test_an_empty_scope_has_no_years(item):
    assert both(recommendation=item(Kind.POLICY), since=2000) == {
        "years": [],
        "statuses": [],
        "series": {},
        "values": [],
    }


def test_back_dated_and_same_day_updates_count_at_each_year_end(item, country):
    ken, mex, policy = country("KEN"), country("MEX"), item(Kind.POLICY)
    record(actor=ken, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 3, 1))
    record(actor=ken, recommendation=policy, status=Status.SUBSTANTIAL, as_of=datetime.date(2012, 5, 1))
    record(actor=ken, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2011, 1, 1))  # back-dated
    record(actor=mex, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2012, 2, 1))
    record(actor=mex, recommendation=policy, status=Status.COMPLETE, as_of=datetime.date(2012, 2, 1))  # wins
    chart = both(recommendation=policy, since=2009)
    assert chart["years"][:5] == [2009, 2010, 2011, 2012, 2013]
    assert chart["series"][Status.LIMITED][:4] == [0, 1, 1, 0]
    assert chart["series"][Status.SUBSTANTIAL][:4] == [0, 0, 0, 1]
    assert chart["series"][Status.COMPLETE][:4] == [0, 0, 0, 1]
    assert chart["years"][-1] == datetime.date.today().year
    # On a date within a year: an interval that ends after it still holds; one that begins after it does not.
    on = StatusFilter(QueryDict(f"item={policy.code}&on=2012-03-01"))
    assert on.is_valid()
    chart = both(filterset=on)
    assert chart["years"] == [2010, 2011, 2012]
    assert chart["series"] == {Status.LIMITED: [1, 1, 1], Status.COMPLETE: [0, 0, 1]}


def test_the_medians_of_measured_values_per_year_end(item, country):
    remittances = item(Kind.QUANTITATIVE)
    for iso3, value, day in [
        ("PHL", "4.2", datetime.date(2015, 1, 1)),
        ("KEN", "8.5", datetime.date(2015, 6, 1)),
        ("MEX", "5.4", datetime.date(2016, 6, 1)),
        ("KEN", "3.1", datetime.date(2017, 6, 1)),
    ]:
        record(actor=country(iso3), recommendation=remittances, value=Decimal(value), as_of=day)
    chart = both(recommendation=remittances)
    assert chart["values"][:3] == [Decimal("6.35"), Decimal("5.4"), Decimal("4.2")]
    assert all(isinstance(v, Decimal) for v in chart["values"])


def chart_query(**kwargs):
    """The chart from the intervals (``_interval_history_by_year``, as for a scope with actors) and the SQL of its
    one query."""
    with CaptureQueriesContext(connection) as queries:
        chart = _interval_history_by_year(**kwargs)
    assert chart == both(**kwargs)
    chart_sql = [q["sql"] for q in queries.captured_queries if "statusinterval" in q["sql"].lower()]
    return chart, chart_sql[0]


def test_intervals_inside_one_year_are_not_read_and_change_no_year_end(item, country):
    ken, mex, phl, policy = country("KEN"), country("MEX"), country("PHL"), item(Kind.POLICY)
    for actor, status, day in [
        (ken, Status.LIMITED, datetime.date(2010, 2, 1)),  # three intervals inside 2010
        (ken, Status.SUBSTANTIAL, datetime.date(2010, 5, 1)),
        (ken, Status.COMPLETE, datetime.date(2010, 9, 1)),  # holds at the end of 2010 and 2011
        (ken, Status.LIMITED, datetime.date(2012, 3, 1)),
        (mex, Status.LIMITED, datetime.date(2011, 3, 1)),  # inside 2011
        (mex, Status.COMPLETE, datetime.date(2011, 6, 1)),
        (phl, Status.LIMITED, datetime.date(2011, 1, 1)),  # from the first to the last day of 2011
        (phl, Status.SUBSTANTIAL, datetime.date(2011, 12, 31)),
    ]:
        record(actor=actor, recommendation=policy, status=status, as_of=day)
    chart, sql = chart_query(recommendation=policy, since=2009)
    assert chart["years"][:4] == [2009, 2010, 2011, 2012]
    assert chart["series"][Status.COMPLETE][:4] == [0, 1, 2, 1]
    assert chart["series"][Status.SUBSTANTIAL][:4] == [0, 0, 1, 1]
    assert chart["series"][Status.LIMITED][:4] == [0, 0, 0, 1]
    # It read 4 of the pairs' 8 intervals: KEN's from 2010-09-01 and its open one, MEX's and PHL's open ones.
    with connection.cursor() as cursor:
        cursor.execute(sql)
        assert sum(row[-1] for row in cursor.fetchall()) == 4
    crossing = StatusInterval.objects.filter(recommendation=policy).crossing_year_ends()
    assert sorted(crossing.values_list("valid_from", flat=True)) == [
        datetime.date(2010, 9, 1),
        datetime.date(2011, 6, 1),
        datetime.date(2011, 12, 31),
        datetime.date(2012, 3, 1),
    ]


# Interval starts around year ends (31 December, 1 January) and elsewhere, and lengths from a day to a few years.
_starts = st.one_of(
    st.builds(
        lambda year, day: datetime.date(year, *day),
        st.integers(2005, 2030),
        st.sampled_from([(1, 1), (1, 2), (6, 30), (12, 30), (12, 31)]),
    ),
    st.dates(min_value=datetime.date(2005, 1, 1), max_value=datetime.date(2030, 12, 31)),
)
_spans = st.lists(
    st.tuples(_starts, st.one_of(st.none(), st.integers(1, 1200))), min_size=1, max_size=10, unique_by=lambda s: s[0]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spans=_spans)
def test_the_year_end_rule_is_one_rule_in_sql_and_in_python(item, country, spans):
    """``crossing_year_ends`` (SQL) selects exactly the intervals ``crosses_a_year_end`` (Python) accepts, and the
    year-end changes counted from the database's grouped read equal those counted interval by interval."""
    ken, policy = country("KEN"), item(Kind.POLICY)
    pair = StatusInterval.objects.filter(actor=ken, recommendation=policy)
    update = ProgressUpdate.objects.filter(actor=ken, recommendation=policy).first() or record(
        actor=ken, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 1, 1)
    )
    pair.delete()
    intervals = [(start, start + datetime.timedelta(days=days) if days else None) for start, days in spans]
    StatusInterval.objects.bulk_create(
        StatusInterval(
            actor=ken,
            recommendation=policy,
            update=update,
            valid_from=start,
            valid_to=end,
            kind=policy.kind,
            actor_kind=ken.kind,
            status=Status.LIMITED,
            perspective=update.perspective,
        )
        for start, end in intervals
    )
    selected = set(pair.crossing_year_ends().values_list("valid_from", flat=True))
    assert selected == {start for start, end in intervals if crosses_a_year_end(start, end)}
    # A year, as the grouped read gives it, or a date: the same answer.
    assert all(crosses_a_year_end(s, e) == crosses_a_year_end(s.year, e and e.year) for s, e in intervals)
    grouped, one_by_one = Changes(), Changes()
    grouped.add_stored(pair, sign=1)
    for interval in pair:
        one_by_one.add_interval(interval, track=YearEndChange.CONSOLIDATED)
    assert {k: v for k, v in grouped.rows.items() if any(v)} == {k: v for k, v in one_by_one.rows.items() if any(v)}
    assert sum(starts for starts, _ in grouped.rows.values()) == len(selected)


def test_on_a_date_between_intervals_of_the_same_year(item, country):
    ken, mex, phl, policy = country("KEN"), country("MEX"), country("PHL"), item(Kind.POLICY)
    for actor, status, day in [
        (ken, Status.LIMITED, datetime.date(2010, 2, 1)),
        (ken, Status.SUBSTANTIAL, datetime.date(2010, 5, 1)),
        (ken, Status.COMPLETE, datetime.date(2010, 9, 1)),
        (mex, Status.LIMITED, datetime.date(2011, 3, 1)),
        (mex, Status.COMPLETE, datetime.date(2011, 6, 1)),
        (phl, Status.LIMITED, datetime.date(2011, 1, 1)),
        (phl, Status.SUBSTANTIAL, datetime.date(2011, 12, 31)),
    ]:
        record(actor=actor, recommendation=policy, status=status, as_of=day)

    def on(day):
        filterset = StatusFilter(QueryDict(f"item={policy.code}&on={day}"))
        assert filterset.is_valid()
        return both(filterset=filterset)

    # Held on the date, begun and ending within its year: it counts on the date, not before.
    assert on("2010-06-01") == {
        "years": [2010],
        "statuses": [Status.SUBSTANTIAL],
        "series": {Status.SUBSTANTIAL: [1]},
        "values": [],
    }
    # Ended before the date within its year: counts nowhere; MEX's first interval too.
    assert on("2011-06-15")["series"] == {Status.LIMITED: [0, 1], Status.COMPLETE: [1, 2]}
    assert on("2011-05-01")["series"] == {Status.LIMITED: [0, 2], Status.COMPLETE: [1, 1]}
    assert on("2010-01-31") == {"years": [], "statuses": [], "series": {}, "values": []}


def on_date(target, day):
    filterset = StatusFilter(QueryDict(f"item={target.code}&on={day}"))
    assert filterset.is_valid()
    return both(filterset=filterset)


def test_on_a_date_inside_a_year_or_on_a_year_end_with_back_dated_updates(item, country):
    ken, mex, policy = country("KEN"), country("MEX"), item(Kind.POLICY)
    record(actor=ken, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 3, 1))
    record(actor=ken, recommendation=policy, status=Status.COMPLETE, as_of=datetime.date(2012, 9, 1))
    # Back-dated into 2012 after the later one was logged: it holds from February to September.
    record(actor=ken, recommendation=policy, status=Status.SUBSTANTIAL, as_of=datetime.date(2012, 2, 1))
    record(actor=mex, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2012, 5, 1))  # first seen
    # Inside a year: the date's point is what holds on it, the year ends before it what held then.
    assert on_date(policy, "2012-06-30") == {
        "years": [2010, 2011, 2012],
        "statuses": [Status.LIMITED, Status.SUBSTANTIAL],
        "series": {Status.LIMITED: [1, 1, 1], Status.SUBSTANTIAL: [0, 0, 1]},
        "values": [],
    }
    assert on_date(policy, "2012-04-30")["series"] == {Status.LIMITED: [1, 1, 0], Status.SUBSTANTIAL: [0, 0, 1]}
    # On a year end, and on the day after one.
    assert on_date(policy, "2012-12-31")["series"] == {Status.LIMITED: [1, 1, 1], Status.COMPLETE: [0, 0, 1]}
    assert on_date(policy, "2011-12-31")["series"] == {Status.LIMITED: [1, 1]}
    assert on_date(policy, "2012-01-01")["series"] == {Status.LIMITED: [1, 1, 1]}
    # On the day an interval begins, and the day before.
    assert on_date(policy, "2012-09-01")["series"] == {Status.LIMITED: [1, 1, 1], Status.COMPLETE: [0, 0, 1]}
    assert on_date(policy, "2012-08-31")["series"] == {Status.LIMITED: [1, 1, 1], Status.SUBSTANTIAL: [0, 0, 1]}


def test_on_a_date_the_medians_of_the_values_held_then(item, country):
    remittances = item(Kind.QUANTITATIVE)
    for iso3, value, day in [
        ("PHL", "4.2", datetime.date(2011, 6, 1)),
        ("PHL", "1.5", datetime.date(2012, 8, 1)),
        ("PHL", "8.5", datetime.date(2012, 3, 1)),  # back-dated: PHL's value from March to August 2012
        ("KEN", "12.25", datetime.date(2012, 5, 1)),  # first seen in 2012
    ]:
        record(actor=country(iso3), recommendation=remittances, value=Decimal(value), as_of=day)
    assert on_date(remittances, "2012-06-30")["values"] == [Decimal("4.2"), Decimal("10.375")]
    assert on_date(remittances, "2012-12-31")["values"] == [Decimal("4.2"), Decimal("6.875")]
    assert on_date(remittances, "2012-04-01")["values"] == [Decimal("4.2"), Decimal("8.5")]


def rows_read(sql: str) -> int:
    """The interval rows a query read on PostgreSQL (EXPLAIN ANALYZE: rows returned and filtered out)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def walk(node):
        own = 0
        if "interval" in node.get("Relation Name", ""):
            own = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node["Actual Loops"]
        return own + sum(walk(child) for child in node.get("Plans", []))

    return walk(plan[0]["Plan"])


def indexes_read(sql: str) -> set[str]:
    """The indexes through which a query read the interval tables on PostgreSQL (EXPLAIN)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def walk(node):
        own = {node["Index Name"]} if "interval" in node.get("Relation Name", "") and "Index Name" in node else set()
        return own.union(*(walk(child) for child in node.get("Plans", [])))

    return walk(plan[0]["Plan"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the interval tree's indexes (migration 0014)")
def test_on_a_date_the_chart_reads_one_interval_per_pair_in_the_dates_year(item, country):
    ken, mex, policy = country("KEN"), country("MEX"), item(Kind.POLICY)
    record(actor=mex, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2011, 3, 1))
    statuses = [Status.LIMITED, Status.SUBSTANTIAL]
    for week in range(30):  # 30 intervals in 2012, all but the first after the date
        day = datetime.date(2012, 1, 2) + datetime.timedelta(weeks=week)
        record(actor=ken, recommendation=policy, status=statuses[week % 2], as_of=day)
    record(actor=ken, recommendation=policy, status=Status.COMPLETE, as_of=datetime.date(2013, 1, 1))
    filterset = StatusFilter(QueryDict("on=2012-01-05"))
    assert filterset.is_valid()
    with CaptureQueriesContext(connection) as queries:
        chart = both(filterset=filterset)
    assert chart["series"] == {Status.LIMITED: [1, 2]}
    (sql,) = [q["sql"] for q in queries.captured_queries if "statusinterval" in q["sql"].lower()]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the indexes, as on a table of real size
        # And the tree's own: with no item named, a table of real size is read through the fork-first indexes
        # (EXPLAIN at 1M updates, docs/performance.md); on these 32 rows the planner would rather read the whole
        # of an item-first one (migration 0030), a page. Dropped inside the test's transaction, rolled back.
        cursor.execute("DROP INDEX interval_item_fork_from, interval_item_fork_until")
    # The three intervals crossing a year end (MEX's, KEN's last of 2012 and its open one: the index holds
    # them all; two begin too late) and the two held on the date, one per pair: none of KEN's 28 other
    # intervals of 2012, which the chart read when it took the date's year's intervals ending after it.
    assert rows_read(sql) <= 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the interval trees keyed by item (migration 0030)")
def test_on_a_date_one_items_pairs_are_read_without_the_others(item, country):
    """One item on a date (its chart's point, the snapshot's rows) reads that item's held intervals only, not every
    pair's held on the date: the tree keyed by item first (migration 0030)."""
    from recommendations.models import Actor, ActorKind
    from recommendations.reports.scope import _reported_sql

    target, other = item(Kind.POLICY, 0), item(Kind.POLICY, 1)
    statuses = [Status.SUBSTANTIAL, Status.LIMITED]
    for week in range(30):  # KEN's history of the item: 30 intervals in 2011, the last held on the date
        day = datetime.date(2011, 1, 3) + datetime.timedelta(weeks=week)
        record(actor=country("KEN"), recommendation=target, status=statuses[week % 2], as_of=day)
    others = list(Actor.objects.filter(kind=ActorKind.COUNTRY).order_by("pk")[:20])
    for actor in others:  # 20 pairs of another item, all held on the date
        record(actor=actor, recommendation=other, status=Status.SUBSTANTIAL, as_of=datetime.date(2011, 6, 1))
    filterset = StatusFilter(QueryDict(f"item={target.code}&on=2012-01-05"))
    assert filterset.is_valid()
    with CaptureQueriesContext(connection) as queries:
        chart = both(filterset=filterset)
    assert chart["series"] == {Status.LIMITED: [1, 1]}
    (chart_sql,) = [q["sql"] for q in queries.captured_queries if "statusinterval" in q["sql"].lower()]
    rows, params = _reported_sql(filterset, filterset.snapshot_date)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the indexes, as on a table of real size
        cursor.execute("SET LOCAL enable_bitmapscan = off")  # their range scans, not a bitmap of the item's all
        # On a few dozen rows, reading all of KEN's intervals through any index on the item costs the planner as
        # little as descending a tree; at real size it descends the tree (EXPLAIN at 1M updates,
        # docs/performance.md). So all but the trees (0014, 0030) and the year ends' (0023) are dropped here,
        # inside the test's transaction (rolled back): the fork-first tree and the item-first one remain.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: the tables can be altered
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE '%%fork%%' "
            "AND indexname NOT LIKE '%%year_ends' AND indexname NOT LIKE '%%pkey'",
            [StatusInterval._meta.db_table],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {StatusInterval._meta.db_table} DROP CONSTRAINT IF EXISTS {name}")
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute(f"ANALYZE {StatusInterval._meta.db_table}")
        rows_sql = cursor.mogrify(rows, params).decode()
        cursor.execute(rows_sql)
        assert len(cursor.fetchall()) == 1  # KEN's interval held on the date
    # The intervals held on the date are read through the item-first tree alone: through the fork-first one, the
    # scans read the 21 pairs held then (the item's condition outside them, or no item-first tree to use). On a
    # table this small the planner filters the tree's forks rather than descend to each (at 1M updates its index
    # condition holds both: docs/performance.md), so the test names the indexes rather than counting rows.
    for sql in (chart_sql, rows_sql):
        used = indexes_read(sql)
        assert used & {"interval_item_fork_from", "interval_item_fork_until"}, used
        assert not used & {"interval_fork_from", "interval_fork_until"}, used


def test_medians_of_values_changed_within_a_year(item, country):
    remittances = item(Kind.QUANTITATIVE)
    for iso3, value, day in [
        ("KEN", "4.2", datetime.date(2015, 1, 1)),
        ("KEN", "8.5", datetime.date(2015, 6, 1)),  # KEN's value at the end of 2015
        ("MEX", "12.25", datetime.date(2015, 2, 1)),
        ("MEX", "1.5", datetime.date(2015, 12, 1)),  # MEX's, from then on
        ("KEN", "5.4", datetime.date(2016, 3, 1)),
        ("KEN", "3.1", datetime.date(2016, 9, 1)),  # KEN's at the end of 2016
    ]:
        record(actor=country(iso3), recommendation=remittances, value=Decimal(value), as_of=day)
    chart = both(recommendation=remittances)
    assert chart["values"][:2] == [Decimal("5"), Decimal("2.3")]
    on = StatusFilter(QueryDict(f"item={remittances.code}&on=2016-06-01"))
    assert on.is_valid()
    assert both(filterset=on)["values"] == [Decimal("5"), Decimal("3.45")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's partial indexes (migration 0023)")
@pytest.mark.parametrize(
    ("scope", "indexes"),
    [
        ("", ["year_ends"]),
        ("item", ["year_ends"]),
        ("actor", ["year_ends"]),
        ("region=Africa", ["year_ends"]),
        # On a date, the year ends before its year (the intervals held on it: the interval tree's indexes, dropped
        # here; test_on_a_date_the_chart_reads_one_interval_per_pair_in_the_dates_year).
        ("on=2011-06-15", ["year_ends"]),
        ("perspective=government", ["perspective_interval_year_ends"]),
        ("perspective=government&on=2011-06-15", ["perspective_interval_year_ends"]),
    ],
)
def test_the_chart_reads_the_partial_indexes(item, country, scope, indexes):
    ken, policy = country("KEN"), item(Kind.POLICY)
    record(actor=ken, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 2, 1))
    record(actor=ken, recommendation=policy, status=Status.COMPLETE, as_of=datetime.date(2011, 9, 1))
    if scope == "item":
        kwargs = {"recommendation": policy}
    elif scope == "actor":
        kwargs = {"actor": ken}
    else:
        kwargs = {"filterset": StatusFilter(QueryDict(scope))}
        assert kwargs["filterset"].is_valid()
    with connection.cursor() as cursor:
        # Only the partial indexes left (inside the test's transaction, rolled back): with sequential scans off,
        # the plan goes through them if the query's conditions imply their predicates — else PostgreSQL cannot
        # use them at all and reads the table. (Which index wins among several is the planner's estimate.)
        tables = ["recommendations_statusinterval", "recommendations_perspectiveinterval"]
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign-key checks pending on the tables
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('p', 'u')",
            [tables],
        )
        for table, constraint in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) AND indexdef NOT LIKE '%% WHERE %%'", [tables]
        )
        for (index,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX {index}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        with CaptureQueriesContext(connection) as queries:
            _interval_history_by_year(**kwargs)  # as for a scope with actors (items only: the kept rows)
        (sql,) = [q["sql"] for q in queries.captured_queries if "interval" in q["sql"].lower()]
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert all(index in plan for index in indexes), plan


# Back-dated values too: a step's status index picks a value for the quantitative item.
VALUES = [Decimal("1.5"), Decimal("4.2"), Decimal("5.4"), Decimal("8.5"), Decimal("12.25")]


def dense_day(days: int) -> datetime.date:
    """A step's date within four years, 45 days apart: several intervals begin and end inside one year."""
    return START + datetime.timedelta(days=days % 1500 - days % 1500 % 45)


def sparse_day(days: int) -> datetime.date:
    """A step's date over sixteen years, 500 days apart: few distinct dates, so ties on as-of happen often."""
    return START + datetime.timedelta(days=days - days % 500)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_random_back_dated_sequences_chart_the_same_as_the_replay(item, country, people, scopes, sequence):
    chart_the_same_as_the_replay(item, country, people, sequence, sparse_day, scopes)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_random_sequences_with_several_updates_a_year_chart_the_same_as_the_replay(
    item, country, people, scopes, sequence
):
    # The chart skips the intervals that begin and end within a year (``crossing_year_ends``): these dates make
    # many of them, and ``on`` dates fall between them.
    chart_the_same_as_the_replay(item, country, people, sequence, dense_day, scopes)


def chart_the_same_as_the_replay(item, country, people, sequence, day_of, scope):
    from recommendations import services

    actors = [country("KEN"), country("MEX"), country("PHL")]
    items = [item(Kind.QUANTITATIVE), item(Kind.POLICY)]
    with transaction.atomic():
        logged = []
        for operation, actor_index, item_index, status_index, days, pick, perspective in sequence:
            if operation.startswith("log") or not logged:
                target = items[item_index]
                if target.kind == Kind.QUANTITATIVE:
                    fields = {"value": VALUES[status_index]}
                else:
                    fields = {"status": target.scale[status_index % len(target.scale)]}
                logged.append(
                    record(
                        actor=actors[actor_index],
                        recommendation=target,
                        as_of=day_of(days),
                        verified=operation == "log_verified",
                        perspective=perspective,
                        **fields,
                    )
                )
                continue
            update = ProgressUpdate.objects.get(pk=logged[pick % len(logged)].pk)
            try:
                if operation == "verify":
                    services.verify_update(update=update, reviewer=people.reviewer, expected_version=None)
                else:
                    services.withdraw_update(update=update, user=people.reviewer, expected_version=None, reason="test")
            except ValidationError:
                pass  # refused, nothing changes
        days = sorted({day_of(d) for _, _, _, _, d, _, _ in sequence})
        on_days = {START - datetime.timedelta(days=1), days[0], days[-1] - datetime.timedelta(days=1)}
        on_days |= {days[len(days) // 2] + datetime.timedelta(days=200), datetime.date(days[-1].year, 12, 31)}
        on_days |= {days[len(days) // 3] + datetime.timedelta(days=20)}  # between two dates of a year, often
        # On an as-of date and the day before it, on year ends and the day after one (a back-dated step lands
        # anywhere among them).
        middle = days[len(days) // 2]
        on_days |= {middle, middle - datetime.timedelta(days=1), datetime.date(middle.year, 12, 31)}
        on_days |= {datetime.date(days[0].year, 12, 31), datetime.date(middle.year, 1, 1)}
        assert_every_caller_agrees(actors, items, sorted(on_days), scope)
        transaction.set_rollback(True)


def test_a_scope_of_items_charts_from_the_rows_kept_per_item_and_one_with_actors_from_the_intervals(item, country):
    ken, policy = country("KEN"), item(Kind.POLICY)
    record(actor=ken, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 2, 1))
    record(actor=ken, recommendation=policy, status=Status.COMPLETE, as_of=datetime.date(2012, 9, 1))

    def tables_read(**kwargs) -> set[str]:
        with CaptureQueriesContext(connection) as queries:
            chart = history_by_year(**kwargs)
        assert chart == _replayed_history_by_year(**kwargs)
        sql = " ".join(q["sql"].lower() for q in queries.captured_queries)
        return {table for table in ("yearendchange", "statusinterval") if table in sql}

    # Items only: the kept rows, whatever the depth of the history (no interval read without a date).
    assert tables_read(recommendation=policy) == {"yearendchange"}
    assert tables_read(filterset=scope("")) == {"yearendchange"}
    assert tables_read(filterset=scope(f"item={policy.code}")) == {"yearendchange"}
    # On a date: the years before from the kept rows, the date's point from the intervals held on it.
    assert tables_read(filterset=scope("", datetime.date(2011, 6, 1))) == {"yearendchange", "statusinterval"}
    # Actors: the kept rows cannot tell pairs apart.
    assert tables_read(actor=ken) == {"statusinterval"}
    assert tables_read(filterset=scope(f"actor={ken.code}")) == {"statusinterval"}
