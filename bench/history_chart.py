"""The over-time chart (``reports.history_by_year``): every status interval of the scope (before) against only
those that hold at a year end (now, migration 0023), timed interleaved on the bench database and compared
equal, with what each query read (EXPLAIN ANALYZE, BUFFERS). Prints a Markdown row per case.

    DATABASE_URL=… DJANGO_SETTINGS_MODULE=bench.settings python manage.py shell < bench/history_chart.py

``BENCH_REPLAY=1`` also times the replay of the verified history (``_replayed_history_by_year``, the tests'
oracle) and compares it; ``BENCH_ROUNDS`` (default 5) sets the rounds of the A/B/A/B timing.
"""

import datetime
import json
import os
import statistics
import time
from collections import Counter, defaultdict

from django.db import connection
from django.db.models import Case, Count, When
from django.db.models.functions import ExtractYear
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from recommendations.filters import StatusFilter
from recommendations.models import REPORT_STATUSES, Actor, ProgressUpdate, Recommendation, StatusInterval
from recommendations.reports.history import _median_held, _replayed_history_by_year, history_by_year
from recommendations.reports.scope import _tracks


def before(*, recommendation=None, actor=None, since=None, filterset=None) -> dict:
    """``history_by_year`` as it was before migration 0023 (commit 2a2acad): one aggregate over every interval
    of the scope, begun by the ``on`` date."""
    intervals = StatusInterval.objects.all() if filterset is None else _tracks(filterset)[1]
    last_day, cut = datetime.date.today(), None
    if recommendation is not None:
        intervals = intervals.filter(recommendation=recommendation)
    if actor is not None:
        intervals = intervals.filter(actor=actor)
    if filterset is not None:
        intervals = intervals.filter(filterset.items("recommendation__"), filterset.actors("actor__"))
        if filterset.snapshot_date:
            last_day = cut = filterset.snapshot_date
            intervals = intervals.filter(valid_from__lte=cut)
    end_year = ExtractYear("valid_to") if cut is None else Case(When(valid_to__lte=cut, then=ExtractYear("valid_to")))
    groups = (
        intervals.order_by()
        .values("status", "value", start=ExtractYear("valid_from"), end=end_year)
        .annotate(n=Count("pk"))
        .values_list("status", "start", "end", "value", "n")
    )
    change, valued, first, last = defaultdict(Counter), [], None, None
    for status, start, end, value, n in groups:
        start, end = int(start), (int(end) if end is not None else None)
        first = start if first is None else min(first, start)
        last = start if last is None else max(last, start)
        change[start][status] += n
        if end is not None:
            change[end][status] -= n
        if value is not None:
            valued.append((start, end, value, n))
    if first is None:
        return {"years": [], "statuses": [], "series": {}, "values": []}
    first = min(first, since or first)
    years = list(range(first, max(last_day.year, last - 1) + 1))
    running, snapshots = Counter(), []
    for year in years:
        running.update(change.get(year, {}))
        snapshots.append(+running)
    medians = [_median_held(valued, year) for year in years] if valued else []
    statuses = [s for s in REPORT_STATUSES if any(snap.get(s) for snap in snapshots)]
    return {
        "years": years,
        "statuses": statuses,
        "series": {s: [snap.get(s, 0) for snap in snapshots] for s in statuses},
        "values": medians if any(v is not None for v in medians) else [],
    }


def busiest(model, **where):
    field = "recommendation" if model is Recommendation else "actor"
    row = ProgressUpdate.objects.counted().filter(**where).values(field).annotate(n=Count("pk")).order_by("-n").first()
    return model.objects.get(pk=row[field])


def explained(fn) -> tuple[int, int, str]:
    """(interval rows the chart's query read, shared buffers it touched, its scans of the interval tables)."""
    with CaptureQueriesContext(connection) as queries:
        fn()
    (sql,) = [q["sql"] for q in queries.captured_queries if "interval" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    rows, scans = 0, []

    def walk(node):
        nonlocal rows
        if "interval" in node.get("Relation Name", ""):
            rows += (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node["Actual Loops"]
            scans.append(f"{node['Node Type']} {node.get('Index Name', '')}".strip())
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    top = plan[0]["Plan"]
    return rows, top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0), ", ".join(sorted(set(scans)))


def timed_ab(a, b, rounds):
    """Medians of a() and b(), called alternately (A/B/A/B…) so the machine's load hits both alike."""
    runs_a, runs_b = [], []
    for _ in range(rounds):
        for fn, runs in ((a, runs_a), (b, runs_b)):
            t = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs_a), statistics.median(runs_b)


def filters(text):
    filterset = StatusFilter(QueryDict(text))
    assert filterset.is_valid(), filterset.errors
    return {"filterset": filterset}


rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
item = busiest(Recommendation)
country = busiest(Actor, actor_kind="country")
region = country.region or "Africa"
crossing = StatusInterval.objects.crossing_year_ends().count()
print(
    f"data: {ProgressUpdate.objects.count():,} updates, {StatusInterval.objects.count():,} intervals "
    f"({crossing:,} hold at a year end); load average {os.getloadavg()[0]:.1f}"
)
cases = [
    ("whole scope (summary)", lambda: filters("")),
    ("whole scope on 2015-12-31 (snapshot)", lambda: filters("on=2015-12-31")),
    ("whole scope on 2016-06-15", lambda: filters("on=2016-06-15")),
    (f"one item ({item.code}, item page)", lambda: {"recommendation": item, "since": item.document.date.year}),
    (f"one country ({country.code}, country page)", lambda: {"actor": country}),
    (f"one region ({region})", lambda: filters(f"region={region}")),
    ("one perspective (government)", lambda: filters("perspective=government")),
]
print("| `history_by_year(…)` | before | now | ratio | rows read before → now | buffers before → now | scans now |")
print("|---|---:|---:|---:|---:|---:|---|")
for name, kwargs in cases:
    k = kwargs()
    old, new = before(**k), history_by_year(**k)
    assert old == new, name
    if os.environ.get("BENCH_REPLAY") and "perspective" not in name:  # the replay has no perspectives
        assert _replayed_history_by_year(**k) == new, name
    old_ms, new_ms = timed_ab(lambda k=k: before(**k), lambda k=k: history_by_year(**k), rounds)
    old_rows, old_buffers, _ = explained(lambda k=k: before(**k))
    new_rows, new_buffers, scans = explained(lambda k=k: history_by_year(**k))
    print(
        f"| {name} | {old_ms:.0f} ms | {new_ms:.0f} ms | {old_ms / new_ms:.1f}× | {old_rows:,} → {new_rows:,} "
        f"| {old_buffers:,} → {new_buffers:,} | {scans} |"
    )
print(f"load average after: {os.getloadavg()[0]:.1f}; identical results")
