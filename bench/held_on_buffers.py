"""The buffers the "held on a date" reads take, and how many of them are visibility-map pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> python bench/held_on_buffers.py [--path URL ...]

For each URL (default: the all-items snapshot ``/reports/?on=2015-12-31`` and one item's
``/reports/?item=R82&on=2015-12-31``), fetched warm through Django's test client as bench/snapshot_probe.py
does: the statements of one request that read the status intervals, each run again under
EXPLAIN (ANALYZE, BUFFERS) with parallel workers off (so every buffer is counted in this backend), printed as
JSON lines (the request right after the chart cache moved to a new version, as bench/first_view.py does, so
the over-time chart's held counts are among them): execution ms, rows, shared buffers (hit + read), heap fetches, and the buffers the table's own
relation took (``pg_statio_user_tables.heap_blks_hit + heap_blks_read`` before and after): with no heap
fetch, those are the visibility map's pages an index-only scan re-reads each time the next entry's heap page
lies under another map page (PostgreSQL counts a buffer of any fork of a relation in its heap_blks counters,
and EXPLAIN's BUFFERS counts every ReadBuffer, the map's included).

Also the root fork's count, the probe of helper onpage2's hypothesis, and the tables' heap pages and the
visibility-map pages that cover them (one map page per 32,672 heap pages of 8 kB). Figures in
docs/performance.md, "Held-on reads at 10M: heap order and the visibility map".
"""

import argparse
import json
import os
import sys
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--path", action="append")
parser.add_argument(
    "--explain-db",
    help="capture the statements on DATABASE_URL's database (a first view moves its chart cache's version) but "
    "EXPLAIN them on this database of the same server (read only: a shared database's cache is left alone)",
)
args = parser.parse_args()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

settings.API_RATES = {"anon": "1000000/min", "user": "1000000/min"}
TABLES = ("recommendations_statusinterval", "recommendations_perspectiveinterval")
HEAP_PAGES_PER_VM_PAGE = (8192 - 24) * 4  # BLCKSZ less the page header, 2 bits per heap page
ROOT_FORK = (
    "SELECT count(*) FROM recommendations_statusinterval WHERE span_fork = 2097152 AND valid_from <= '2015-12-31'"
)


def table_blocks(cursor) -> dict:
    """heap_blks_hit + heap_blks_read of the interval tables, as this backend's statistics now count them."""
    cursor.execute("SELECT pg_stat_force_next_flush()")
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute(
        "SELECT relname, COALESCE(heap_blks_hit, 0) + COALESCE(heap_blks_read, 0) FROM pg_statio_user_tables "
        "WHERE relname = ANY(%s)",
        [list(TABLES)],
    )
    return dict(cursor.fetchall())


def walk(plan: dict, totals: dict):
    totals["heap_fetches"] += plan.get("Heap Fetches", 0)
    for child in plan.get("Plans", []):
        walk(child, totals)


def explain(cursor, sql: str, label: str) -> dict:
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)  # warm
    before = table_blocks(cursor)
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
    result = cursor.fetchone()[0]
    after = table_blocks(cursor)
    result = json.loads(result) if isinstance(result, str) else result
    plan = result[0]["Plan"]
    totals = {"heap_fetches": 0}
    walk(plan, totals)
    return {
        "statement": label,
        "ms": round(result[0]["Execution Time"], 1),
        "rows": plan["Actual Rows"],
        "buffers": plan["Shared Hit Blocks"] + plan["Shared Read Blocks"],
        "read": plan["Shared Read Blocks"],
        "heap_fetches": totals["heap_fetches"],
        "table_relation_blocks": {t: after.get(t, 0) - before.get(t, 0) for t in TABLES},
    }


def main():
    client = Client()
    target = connection
    if args.explain_db:
        from django.db import connections

        target = connections.create_connection("default")
        target.settings_dict["NAME"] = args.explain_db
    with target.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
        for table in TABLES:
            cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = %s", [table])
            pages, visible = cursor.fetchone()
            vm_pages = -(-pages // HEAP_PAGES_PER_VM_PAGE)
            print(
                json.dumps(
                    {
                        "database": database,
                        "table": table,
                        "heap_pages": pages,
                        "all_visible": visible,
                        "vm_pages": vm_pages,
                    }
                )
            )
        print(json.dumps({"database": database, **explain(cursor, ROOT_FORK, "root fork, valid_from <= date")}))
    for path in args.path or ["/reports/?on=2015-12-31", "/reports/?item=R82&on=2015-12-31"]:
        for _ in range(2):
            assert client.get(path).status_code == 200
        from recommendations import chart_cache

        chart_cache._bump()  # a first view, as after a write: the over-time chart's held counts are read too
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        with target.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            for n, query in enumerate(captured.captured_queries):
                sql = query["sql"]
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")) or "interval" not in sql:
                    continue
                row = explain(cursor, sql, f"[{n}] {sql[:90]}")
                print(json.dumps({"database": database, "path": path, **row}))


if __name__ == "__main__":
    main()
