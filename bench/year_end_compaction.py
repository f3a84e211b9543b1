"""The compaction of the chart's rows kept per item (YearEndChange) on a benchmark copy, beside writers.

    BENCH_DATABASE_URL=postgres://…/COPY python bench/year_end_compaction.py [--split 0.3] [--extra 3]
        [--writers 2] [--seconds 5] [--seed 1]

Writes into the database: run it on a copy (``createdb -T``), never on a shared one. First spreads ``--split`` of
the keys over ``--extra`` more rows each (sums unchanged: +1, -1 and zeros, as overlapping writers and changes
taken back leave them). Then ``--writers`` threads add increments to random keys through
``services.year_ends.add_interval_changes`` (one transaction of 5 keys each) for ``--seconds`` without the
compaction, then again while ``services.compact_year_end_changes`` runs. Prints the rows before and after, the
compaction's time and figures, the writers' transaction times (median, 99th percentile, max) without and with
it, how often (sampled every ~5 ms from pg_stat_activity) a writer waited on a lock at all and on the
compaction's session, whether every key's sum equals its sum before plus the writers' increments, and the load.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KEY = ("recommendation_id", "track", "year", "status", "measured", "value")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", type=float, default=0.3)
    parser.add_argument("--extra", type=int, default=3)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    from django.db import connection, transaction

    from recommendations import services
    from recommendations.models import YearEndChange
    from recommendations.services.year_ends import Changes, add_interval_changes

    table = YearEndChange._meta.db_table
    columns = ", ".join(KEY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [args.seed / 1000])
        # Per split key: (+1, 0), (-1, 0) and zeros, so the key's sum stays what it was.
        cursor.execute(
            f"WITH k AS MATERIALIZED (SELECT {columns} FROM {table} WHERE random() < %s) "  # noqa: S608  # nosec B608
            f"INSERT INTO {table} ({columns}, starts, ends) "
            f"SELECT {columns}, CASE n WHEN 1 THEN 1 WHEN 2 THEN -1 ELSE 0 END, 0 FROM k, generate_series(1, %s) n",
            [args.split, args.extra],
        )
        cursor.execute(f"ANALYZE {table}")  # noqa: S608  # nosec B608
    sums_before = sums()
    rows_before = YearEndChange.objects.count()
    keys = sorted(sums_before)
    print(f"rows {rows_before:,}, keys {len(keys):,} (split {args.split:g} of them over {args.extra} more rows)")

    def run_writers(during=None):
        added, times, stop, errors = Counter(), [], threading.Event(), []

        def write(index):
            rng = random.Random(args.seed * 100 + index)
            try:
                while not stop.is_set():
                    changes = Changes()
                    for item, track, year, status, measured, value in rng.sample(keys, 5):
                        changes.add(
                            recommendation_id=item,
                            track=track,
                            valid_from=year,
                            valid_to=None,
                            status=status,
                            value=value if measured else None,
                        )
                    began = time.perf_counter()
                    with transaction.atomic():
                        add_interval_changes(changes)
                    times.append(time.perf_counter() - began)
                    for key, (starts, _ends) in changes.rows.items():
                        added[key] += starts
            except Exception as error:  # noqa: BLE001 - reported
                errors.append(error)
            finally:
                connection.close()

        waits = Counter()  # samples: writers waiting on a lock at all, and on this (the compaction's) session

        def watch(pid):
            try:
                with connection.cursor() as cursor:
                    while not stop.is_set():
                        cursor.execute(
                            "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), "
                            "count(*) FILTER (WHERE %s = ANY(pg_blocking_pids(pid))) "
                            "FROM pg_stat_activity WHERE datname = current_database() AND pid <> %s",
                            [pid, pid],
                        )
                        on_lock, on_us = cursor.fetchone()
                        waits.update(samples=1, on_a_lock=bool(on_lock), on_the_compaction=bool(on_us))
                        time.sleep(0.005)
            finally:
                connection.close()

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        threads = [threading.Thread(target=write, args=(i,)) for i in range(args.writers)]
        threads.append(threading.Thread(target=watch, args=(pid,)))
        for thread in threads:
            thread.start()
        result = None
        began = time.perf_counter()
        if during is not None:
            result = during()
        took = time.perf_counter() - began
        time.sleep(max(0.0, args.seconds - took))
        stop.set()
        for thread in threads:
            thread.join()
        assert not errors, errors
        print(f"  lock-wait samples: {dict(waits)}")
        return added, times, result, took

    def describe(times):
        ms = sorted(t * 1000 for t in times)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        return f"{len(ms)} transactions, median {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms"

    added_alone, times_alone, _, _ = run_writers()
    print(f"writers alone ({args.writers}, {args.seconds:g} s): {describe(times_alone)}; load {load()}")
    added_with, times_with, figures, took = run_writers(services.compact_year_end_changes)
    print(f"compaction {took:.2f} s: {figures}; load {load()}")
    print(f"writers during the compaction ({args.seconds:g} s): {describe(times_with)}; load {load()}")
    expected = Counter(sums_before_starts(sums_before))
    expected.update(added_alone)
    expected.update(added_with)
    after = sums()
    lost = [key for key in keys if after.get(key, (0, 0)) != (expected[key], sums_before[key][1])]
    print(f"rows after {YearEndChange.objects.count():,}; keys whose sum is not before + increments: {len(lost)}")
    began = time.perf_counter()
    figures = services.compact_year_end_changes()
    print(f"second run, no writers: {time.perf_counter() - began:.2f} s, {figures}; load {load()}")


def sums() -> dict:
    from django.db import connection

    from recommendations.models import YearEndChange

    table = YearEndChange._meta.db_table
    columns = ", ".join(KEY)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}, sum(starts), sum(ends) FROM {table} GROUP BY {columns}")  # noqa: S608  # nosec B608
        return {tuple(row[:6]): (row[6], row[7]) for row in cursor.fetchall()}


def sums_before_starts(sums_before: dict) -> dict:
    return {key: starts for key, (starts, _ends) in sums_before.items()}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
