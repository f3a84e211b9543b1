"""The over-time chart (``reports.history_by_year``): the replay of the verified history (before) and the
status intervals (now), timed on the bench database and compared equal. Prints a Markdown row per case.

    DATABASE_URL=… DJANGO_SETTINGS_MODULE=bench.settings python manage.py shell < bench/history_chart.py
"""

import statistics
import time

from django.db.models import Count
from django.http import QueryDict

from recommendations.filters import StatusFilter
from recommendations.models import ProgressUpdate, Recommendation, StatusInterval
from recommendations.reports.history import _replayed_history_by_year, history_by_year


def timed(fn, repeat):
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs), result


def busiest(**where):
    row = (
        ProgressUpdate.objects.counted()
        .filter(**where)
        .values("recommendation")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return Recommendation.objects.get(pk=row["recommendation"])


item = busiest()
measured = busiest(kind="quantitative")
print(
    f"data: {ProgressUpdate.objects.count():,} updates, {StatusInterval.objects.count():,} intervals; busiest item {item.code}"
)
cases = [
    ("whole scope (summary)", lambda: {"filterset": StatusFilter(QueryDict(""))}),
    ("whole scope on 2015-12-31 (snapshot)", lambda: {"filterset": StatusFilter(QueryDict("on=2015-12-31"))}),
    (f"one item ({item.code})", lambda: {"recommendation": item, "since": item.document.date.year}),
    (
        f"one quantitative item, with medians ({measured.code})",
        lambda: {"recommendation": measured, "since": measured.document.date.year},
    ),
]
for name, kwargs in cases:
    k = kwargs()
    if "filterset" in k:
        assert k["filterset"].is_valid()
    old_ms, old = timed(lambda k=k: _replayed_history_by_year(**k), 3)
    new_ms, new = timed(lambda k=k: history_by_year(**k), 5)
    assert old == new, name
    print(f"| {name} | {old_ms:.0f} ms | {new_ms:.1f} ms | {old_ms / new_ms:.0f}x | identical")
