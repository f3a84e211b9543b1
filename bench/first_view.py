"""First views of the pages with an over-time chart: right after a write moved the chart cache to a new version.

    DATABASE_URL=postgres://…/copy nice python bench/first_view.py [--rounds N] [--code DIR]

For each page, N rounds of: bump the chart cache's version (as a verification's commit does), fetch the page
once (first view: the chart is computed), fetch it again (warm: the chart from the cache). Then the chart alone
(``history_by_year`` for the page's scope, in SQL and Python), N times. Prints medians and the load average.
``--code DIR`` measures another checkout's code (e.g. main's) with this script, for before/after runs made one
after the other on copies of the same database. It writes the cache's version (the database cache table unless
``CACHE_URL`` names Redis): run it on a copy.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--rounds", type=int, default=5)
parser.add_argument("--code", default=str(Path(__file__).resolve().parent.parent))
args = parser.parse_args()
sys.path.insert(0, args.code)
os.chdir(args.code)  # the settings' imports put the working directory on sys.path (Celery's loader)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402

from recommendations import chart_cache  # noqa: E402
from recommendations.filters import StatusFilter  # noqa: E402
from recommendations.models import Recommendation  # noqa: E402
from recommendations.reports import history_by_year  # noqa: E402

ITEM, DAY = "R82", "2015-12-31"  # bench/scaling.py's item and snapshot date


def scope(query: str) -> dict:
    filterset = StatusFilter(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return {"filterset": filterset}


def item_page() -> dict:
    item = Recommendation.objects.select_related("document").get(code=ITEM)
    return {"recommendation": item, "since": item.document.date.year}


PAGES = [
    ("Summary", "/reports/", lambda: scope("")),
    (f"Item report ({ITEM})", f"/recommendations/{ITEM}/", item_page),
    (f"As-of snapshot, one item ({ITEM})", f"/reports/?item={ITEM}&on={DAY}", lambda: scope(f"item={ITEM}&on={DAY}")),
    ("As-of snapshot, all items", f"/reports/?on={DAY}", lambda: scope(f"on={DAY}")),
    ("All items on 2016-06-15", "/reports/?on=2016-06-15", lambda: scope("on=2016-06-15")),
]


def ms(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    client = Client()

    def fetch(path):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    print(f"code {args.code}; {os.popen('uptime').read().strip()}")  # noqa: S605, S607  # nosec - fixed command
    fetch("/")  # imports, templates, the connection
    print(f"| Page | first view | warm | chart alone |  (median of {args.rounds})")
    for name, path, kwargs in PAGES:
        first, warm = [], []
        for _ in range(args.rounds):
            chart_cache._bump()
            first.append(ms(lambda path=path: fetch(path)))
            warm.append(ms(lambda path=path: fetch(path)))
        chart = [ms(lambda kwargs=kwargs: history_by_year(**kwargs())) for _ in range(args.rounds)]
        print(
            f"| {name} | {statistics.median(first):.0f} ms | {statistics.median(warm):.0f} ms "
            f"| {statistics.median(chart):.0f} ms |",
            flush=True,
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


main()
