"""The summary's first view (the over-time chart computed) against a repeated view (the chart from the cache).

    DATABASE_URL=postgres://…/tracker_bench nice -n 10 python bench/chart_cache.py [REPEATS]

For each page: the history version is bumped (as a verification's commit does), the page fetched once (first
view: the chart's aggregate runs and is stored), then fetched REPEATS times (repeated views: the chart from the
cache); three rounds. Prints medians, minimums, and whether the chart's query ran.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from recommendations import chart_cache  # noqa: E402

PAGES = ("/reports/", "/reports/?perspective=civil_society", "/reports/?item=R82&on=2015-12-31")
client = Client()


def timed(path) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    chart = sum(1 for q in captured.captured_queries if "interval" in q["sql"] and "GROUP BY" in q["sql"])
    return ms, chart


def main(repeats: int) -> None:
    print(os.popen("uptime").read().strip())  # noqa: S605, S607  # nosec - a fixed command, for the load
    print("cache:", settings.CACHES["default"]["BACKEND"])
    client.get(PAGES[0])  # connections, templates
    for path in PAGES:
        first, again, ran = [], [], set()
        for _ in range(3):
            chart_cache._bump()  # a write committed: every chart is recomputed once
            ms, chart = timed(path)
            first.append(ms)
            ran.add(("first", chart))
            for _ in range(repeats):
                ms, chart = timed(path)
                again.append(ms)
                ran.add(("repeated", chart))
        print(
            f"{path:45} first median {statistics.median(first):7.0f} ms (min {min(first):6.0f})"
            f"  repeated median {statistics.median(again):6.0f} ms (min {min(again):5.0f})  chart queries {sorted(ran)}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
