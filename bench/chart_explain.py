"""EXPLAIN (ANALYZE, BUFFERS) of the over-time chart's query for report scopes: from the rows kept per item
(``history_by_year``) or from the intervals whatever the scope (``_interval_history_by_year``, the way before
migration 0032). Prints each scope's buffers, rows and time, and the chart's time (SQL and Python, min of 3).

    DATABASE_URL=postgres://…/copy nice python bench/chart_explain.py [--intervals] "" "item=R82" "on=2015-12-31"
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from recommendations.filters import StatusFilter  # noqa: E402
from recommendations.reports import history  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--intervals", action="store_true", help="The chart from the intervals (as before 0032).")
parser.add_argument("scopes", nargs="+", help="Report query strings ('' for the summary).")
args = parser.parse_args()
chart = history._interval_history_by_year if args.intervals else history.history_by_year


def buffers(node) -> tuple[int, int]:
    return node.get("Shared Hit Blocks", 0), node.get("Shared Read Blocks", 0)


for query in args.scopes:
    filterset = StatusFilter(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    with CaptureQueriesContext(connection) as captured:
        chart(filterset=filterset)
    sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    top = plan[0]["Plan"]
    hit, read = buffers(top)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        chart(filterset=filterset)
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"{query or '(summary)':35} buffers hit {hit:7} read {read:7}  rows {top['Actual Rows']:7}  "
        f"SQL {plan[0]['Execution Time']:8.1f} ms  chart {min(times):8.1f} ms"
    )
