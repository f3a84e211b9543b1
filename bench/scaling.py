"""Depth and breadth: the same pages with a deeper history on the same pairs, and with ten times the pairs.

    python bench/run.py --mode depth      # 1M then 3M updates on the same 270,000 pairs (5,000 organizations)
    python bench/run.py --mode depth --runs 1000000:270000:5000,10000000:270000:5000   # by hand: 10M
    python bench/run.py --mode breadth    # 100k updates on 27,000 pairs (500 organizations), then 1M on 270,000
    python bench/run.py --mode both       # both, measuring the shared 1M database once

Each run is ``updates:pairs:organizations``, in its own database named after
BENCH_DATABASE_URL with the update count appended (``…_1m``, ``…_3m``,
``…_100k``), generated with ``generate_benchmark_data --seed 1 --pairs P
--updates N`` unless it already holds that data. Each database is measured
in a fresh process (``--measure``), which prints one JSON line: the report
pages (median and p95 of warm requests, queries), the all-items snapshot's
SQL the old way (a window over the verified history) and the new way (the
status intervals), and the full CSV export both ways (COPY and the Python
path: time to the first data row, rows per second). The tables are printed
and written into docs/performance.md between the ``scaling`` markers.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
REPEAT, WARM, FIRST_VIEWS = int(os.environ.get("BENCH_REPEAT", "10")), 2, 3
SNAPSHOT_DAY = "2015-12-31"
START, END = "<!-- scaling:start -->", "<!-- scaling:end -->"
DEFAULT_RUNS = {
    "depth": "1000000:270000:5000,3000000:270000:5000",
    "breadth": "100000:27000:500,1000000:270000:5000",
}


def say(text=""):
    print(text, flush=True)


def short(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


def database_url(base: str, updates: int) -> str:
    parts = urlparse(base)
    return urlunparse(parts._replace(path=f"{parts.path}_{short(updates)}"))


def timed(fn, repeat=REPEAT, warm=WARM):
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(round(0.95 * len(samples))) - 1)]


# ---------------------------------------------------------------------------
# The parent: generate, measure each database in its own process, print, write
# ---------------------------------------------------------------------------


def main(mode: str, runs: str | None, output: str):
    """Measure and write one mode's tables; ``both``: depth then breadth, measuring the shared 1M database once."""
    measured: dict[str, dict] = {}
    for one in ("depth", "breadth") if mode == "both" else (mode,):
        run_mode(one, runs if mode != "both" else None, output, measured)


def run_mode(mode: str, runs: str | None, output: str, measured: dict):
    from bench.run import ensure_database

    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
    plan = [tuple(int(x) for x in run.split(":")) for run in (runs or DEFAULT_RUNS[mode]).split(",")]
    results = []
    for updates, pairs, organizations in plan:
        url = database_url(base, updates)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
        say(f"== {updates:,} updates on {pairs:,} pairs, {organizations:,} organizations: {url}")
        if url in measured:
            results.append(measured[url])
            say("   measured already in this run")
            continue
        ensure_database(url)
        have = json.loads(child(["--count"], env))
        if have != {"updates": updates, "pairs": pairs, "organizations": organizations}:
            say(f"   generating (the database holds {have})")
            subprocess.run(
                [PY, "bench/scaling.py", "--regenerate", f"{updates}:{pairs}:{organizations}"],
                env=env,
                cwd=ROOT,
                check=True,
            )
        result = json.loads(child(["--measure"], env))
        result.update(updates=updates, pairs=pairs, organizations=organizations)
        results.append(result)
        measured[url] = result
    section = report(mode, runs, results)
    say("\n" + "\n".join(section))
    write_section(Path(output), mode, section)
    say(f"\nWrote the {mode} tables into {output}")


def child(args, env) -> str:
    out = subprocess.run([PY, "bench/scaling.py", *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def report(mode, runs, results) -> list[str]:
    first, last = results[0], results[-1]
    labels = [f"{r['updates'] / 1e6:g}M updates / {r['pairs'] / 1000:g}k pairs" for r in results]
    command = f"python bench/run.py --mode {mode}" + (f" --runs {runs}" if runs else "")
    lines = [
        f"### {'Depth' if mode == 'depth' else 'Breadth'}: {', then '.join(labels)}",
        "",
        f"`{command}` (BENCH_DATABASE_URL names the databases), run of "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {os.getloadavg()[0]:.1f} at the end. "
        f"**Warm**: median of {REPEAT} requests (p95 in brackets), the over-time chart read from its cache "
        "(`chart_cache`, as every view after the first within 10 minutes of the last write). **First view**: median "
        f"of {FIRST_VIEWS} requests, each right after the chart cache moved to a new version, as after a write of "
        "the history: the chart is computed. Queries: of a warm request.",
        "",
        "| Page | "
        + " | ".join(f"{label}: warm" for label in labels)
        + " | Growth | "
        + " | ".join(f"{label}: first view" for label in labels)
        + " | Growth | Queries |",
        "|---|" + "---:|" * len(results) + "---:|" + "---:|" * len(results) + "---:|---:|",
    ]
    for n, page in enumerate(first["pages"]):
        cells = [f"{r['pages'][n]['median_ms']:.0f} ms ({r['pages'][n]['p95_ms']:.0f})" for r in results]
        growth = last["pages"][n]["median_ms"] / page["median_ms"]
        if all("first_ms" in r["pages"][n] for r in results):
            firsts = [f"{r['pages'][n]['first_ms']:.0f} ms" for r in results]
            first_growth = f"{last['pages'][n]['first_ms'] / page['first_ms']:.2f}×"
        else:
            firsts, first_growth = ["–"] * len(results), "–"
        lines.append(
            f"| {page['name']} | "
            + " | ".join(cells)
            + f" | {growth:.2f}× | "
            + " | ".join(firsts)
            + f" | {first_growth} | {page['queries']} |"
        )
    lines += [
        "",
        f"The all-items snapshot (`?on={SNAPSHOT_DAY}`) counted in SQL alone, the old way (a window over the "
        "verified history) and the new one (the status intervals holding on the date, through the interval tree of "
        "migration 0014):",
        "",
        "| SQL | " + " | ".join(labels) + " | Growth |",
        "|---|" + "---:|" * len(results) + "---:|",
    ]
    for key, name in (
        ("window_ms", "Window over the history (before)"),
        ("intervals_ms", "Status intervals (now)"),
        ("chart_ms", "Over-time chart of the summary (`history_by_year`, from the year-end changes kept per item)"),
        ("chart_on_ms", f"The same chart up to {SNAPSHOT_DAY} (on the snapshot page)"),
    ):
        if not all(key in r["snapshot"] for r in results):
            continue
        cells = [f"{r['snapshot'][key]:.0f} ms" for r in results]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {last['snapshot'][key] / first['snapshot'][key]:.2f}× |")
    lines += [
        "",
        "The full CSV export (every pair, "
        + ", ".join(f"{r['export']['copy']['rows']:,} rows" for r in results)
        + "):",
        "",
        "| Path | " + " | ".join(f"{label}: first row, rows/s" for label in labels) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for key, name in (
        ("copy", "`COPY … TO STDOUT` (PostgreSQL, now)"),
        ("python", "Server-side cursor + csv module (SQLite's path)"),
    ):
        cells = [
            f"{r['export'][key]['first_row_ms']:.0f} ms, {r['export'][key]['rows_per_second']:,.0f}" for r in results
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if mode == "breadth":
        lines += ["", "Per-pair cost (extra time per extra pair, from the smaller to the larger run):", ""]
        extra = last["pairs"] - first["pairs"]
        for n, page in enumerate(first["pages"]):
            cost = (last["pages"][n]["median_ms"] - page["median_ms"]) * 1000 / extra
            lines.append(
                f"- {page['name']}: {cost:.2f} µs per pair ({last['pages'][n]['median_ms'] / page['median_ms']:.1f}× for {last['pairs'] / first['pairs']:.0f}× the pairs)"
            )
    counts = "; ".join(
        f"{r['updates']:,} updates → {r['intervals']:,} intervals, {r['current']:,} current statuses, database {r['db_mb']:,.0f} MB"
        for r in results
    )
    lines += ["", f"Data: {counts}."]
    return lines


def write_section(path: Path, mode: str, section: list[str]):
    text = path.read_text() if path.exists() else "# Performance\n"
    begin, end = f"<!-- scaling:{mode}:start -->", f"<!-- scaling:{mode}:end -->"
    block = "\n".join([begin, *section, end])
    if begin in text:
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        if "## Depth and breadth" not in text:
            text = text.rstrip() + "\n\n## Depth and breadth\n"
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


# ---------------------------------------------------------------------------
# The child: one database, measured in this process
# ---------------------------------------------------------------------------


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def count():
    """What the database holds: generated updates (not the load test's), their pairs, synthetic organizations."""
    from recommendations.models import Actor, ProgressUpdate

    if not _migrated():
        print(json.dumps({"updates": 0, "pairs": 0, "organizations": 0}))
        return
    # Cheap checks only (counting distinct pairs over millions of rows takes minutes): the generator's update
    # count (the load test's own updates excluded) and organizations; the pairs are recorded by the generator.
    bench_reporter = Actor.objects.filter(code="synthetic-bench-reporter").values_list("pk", flat=True).first()
    generated = ProgressUpdate.objects.exclude(reported_by_organization_id=bench_reporter or 0)
    held = {
        "updates": generated.count(),
        "pairs": _recorded_pairs(),
        "organizations": Actor.objects.filter(code__startswith="synthetic-org-").count(),
    }
    print(json.dumps(held))


def _recorded_pairs() -> int:
    """The --pairs this database was generated with (bench_spec, written by --regenerate), else 0."""
    from django.db import connection

    if "bench_spec" not in connection.introspection.table_names():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pairs FROM bench_spec")
        row = cursor.fetchone()
    return row[0] if row else 0


def _migrated() -> bool:
    from django.db import connection

    return "recommendations_progressupdate" in connection.introspection.table_names()


def regenerate(spec: str):
    from django.core.management import call_command
    from django.db import connection

    updates, pairs, organizations = (int(x) for x in spec.split(":"))
    from bench.run import drop_database, ensure_database

    url = os.environ["DATABASE_URL"]
    connection.close()
    drop_database(url)
    ensure_database(url)
    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    call_command(
        "generate_benchmark_data", updates=updates, pairs=pairs, organizations=organizations, seed=1, verbosity=1
    )
    record_pairs(pairs)


def record_pairs(pairs: int):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_spec (pairs integer NOT NULL)")
        cursor.execute("DELETE FROM bench_spec")
        cursor.execute("INSERT INTO bench_spec (pairs) VALUES (%s)", [pairs])


def measure():
    import datetime

    from django.conf import settings
    from django.db import connection
    from django.db.models import Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run import pick_targets
    from recommendations import chart_cache, reports
    from recommendations.models import CurrentStatus, StatusInterval

    item, country = pick_targets()
    client = Client()
    pages = [
        ("Summary", "/reports/"),
        ("Matrix: all countries × all items", "/reports/matrix/?actor_kind=country"),
        ("Table, page 1", "/reports/table/"),
        (f"Item report ({item})", f"/recommendations/{item}/"),
        (f"Country profile ({country})", f"/actors/{country}/"),
        (f"As-of snapshot, one item ({item})", f"/reports/?item={item}&on={SNAPSHOT_DAY}"),
        ("As-of snapshot, all items", f"/reports/?on={SNAPSHOT_DAY}"),
        ("Table on a date, page 1", f"/reports/table/?on={SNAPSHOT_DAY}"),
        (f"CSV export ({item})", f"/reports/status.csv?item={item}"),
        (f"JSON export ({item})", f"/reports/status.json?item={item}"),
        ("Home", "/"),
        ("API: statuses, page 1", "/api/v1/statuses/"),
        (f"API: statuses of one item ({item})", f"/api/v1/statuses/?item={item}"),
        ("API: status counts", "/api/v1/statuses/summary/"),
        ("API: updates (the history), page 1", "/api/v1/updates/"),
        (f"API: updates of one item ({item}), page 1", f"/api/v1/updates/?item={item}"),
    ]
    settings.API_RATES = {"anon": "1000000/min", "user": "1000000/min"}  # measure the work, not the limiter

    def fetch(path):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return b"".join(response.streaming_content) if response.streaming else response.content

    measured = []
    for name, path in pages:
        # First view: one request right after a write of the history would have moved the over-time chart's
        # cache to a new version (chart_cache), so the chart is computed; the warm requests then read it cached.
        # The median of a few: a single one also paid for reading cold index pages from disk (at 10M, the
        # first reader of an index gave 1.4 s for a page whose chart then took 0.2–0.3 s a time).
        firsts = []
        for _ in range(FIRST_VIEWS):
            chart_cache._bump()
            started = time.perf_counter()
            fetch(path)
            firsts.append((time.perf_counter() - started) * 1000)
        first_ms = statistics.median(firsts)
        median, p95 = timed(lambda path=path: fetch(path))
        with CaptureQueriesContext(connection) as captured:
            fetch(path)
        queries = sum(not q["sql"].startswith(("SAVEPOINT", "RELEASE")) for q in captured.captured_queries)
        measured.append(
            {"name": name, "path": path, "median_ms": median, "p95_ms": p95, "first_ms": first_ms, "queries": queries}
        )
        print(
            f"   {name:40} {median:8.1f} ms  p95 {p95:8.1f} ms  first view {first_ms:8.1f} ms  {queries} queries",
            file=sys.stderr,
            flush=True,
        )

    window = (
        "SELECT status, COUNT(*) FROM (SELECT status, ROW_NUMBER() OVER (PARTITION BY actor_id, recommendation_id "
        "ORDER BY as_of DESC, created_at DESC, id DESC) AS n FROM recommendations_progressupdate "
        "WHERE state = 'verified' AND as_of <= %s) w WHERE n = 1 GROUP BY status ORDER BY status"
    )
    # What the snapshot pages read (reports.scope._held_on_sql: the interval tree of migration 0014 on PostgreSQL).
    held, held_params = reports.scope._held_on_sql(
        StatusInterval.objects.all(), Q(), Q(), datetime.date.fromisoformat(SNAPSHOT_DAY), ("status",)
    )
    intervals = f"SELECT status, COUNT(*) FROM ({held}) x GROUP BY status ORDER BY status"  # nosec B608
    snapshot = {}
    with connection.cursor() as cursor:
        answers = {}
        for key, sql, params in (("window_ms", window, [SNAPSHOT_DAY]), ("intervals_ms", intervals, held_params)):

            def run(sql=sql, params=params):
                cursor.execute(sql, params)
                return cursor.fetchall()

            snapshot[key] = timed(run, repeat=5, warm=1)[0]
            answers[key] = run()
        snapshot["same_counts"] = answers["window_ms"] == answers["intervals_ms"]
        cursor.execute("SELECT pg_database_size(current_database())")
        db_mb = cursor.fetchone()[0] / 1048576
    # The over-time chart of the summary and of the snapshot (reports.history_by_year, from the status intervals).
    from django.http import QueryDict

    from recommendations.filters import StatusFilter

    for key, query in (("chart_ms", ""), ("chart_on_ms", f"on={SNAPSHOT_DAY}")):
        filterset = StatusFilter(QueryDict(query))
        filterset.is_valid()
        snapshot[key] = timed(lambda f=filterset: reports.history_by_year(filterset=f), repeat=1, warm=0)[0]
    print(f"   snapshot SQL: {snapshot}", file=sys.stderr, flush=True)
    export = {"copy": export_copy(client), "python": export_python()}
    print(f"   export: {export}", file=sys.stderr, flush=True)
    print(
        json.dumps(
            {
                "pages": measured,
                "snapshot": snapshot,
                "export": export,
                "intervals": StatusInterval.objects.count(),
                "current": CurrentStatus.objects.count(),
                "db_mb": db_mb,
            }
        )
    )


def _drain(chunks, started):
    first_row, rows = None, -1  # the header line is not a row
    for chunk in chunks:
        if isinstance(chunk, str):
            chunk = chunk.encode()
        rows += chunk.count(b"\n")
        if first_row is None and rows > 0:
            first_row = time.perf_counter() - started
    seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "first_row_ms": first_row * 1000, "rows_per_second": rows / seconds}


def export_copy(client):
    """The full export as the view serves it on PostgreSQL: COPY … TO STDOUT, streamed."""
    started = time.perf_counter()
    return _drain(client.get("/reports/status.csv").streaming_content, started)


def export_python():
    """The same rows through the server-side cursor and the csv module (the path SQLite takes)."""
    from recommendations import reports
    from recommendations.exports import stream_csv
    from recommendations.filters import StatusFilter

    started = time.perf_counter()
    scope = reports.build_scope(StatusFilter(None))
    response = stream_csv("x.csv", reports.EXPORT_COLUMNS, reports.iter_export_rows(scope))
    return _drain(response.streaming_content, started)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", action="store_true")
    parser.add_argument("--measure", action="store_true")
    parser.add_argument("--regenerate")
    parser.add_argument("--record-pairs", type=int, help="mark a database generated by hand with --pairs P")
    args = parser.parse_args()
    setup()
    if args.record_pairs:
        record_pairs(args.record_pairs)
    if args.count:
        count()
    elif args.measure:
        measure()
    elif args.regenerate:
        regenerate(args.regenerate)
