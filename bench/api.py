"""`make bench` (API part): the status list API against the CSV export of the same rows, and a full cursor walk.

    python bench/api.py [--repeat 3] [--page-size 10000] [--updates 1000000] [--organizations 5000]
    python bench/api.py --per-request 200     # only the fixed cost of a request (prints, writes nothing)
    python bench/api.py --cpu 5               # CPU of each filtered walk and its CSV (prints, writes nothing)

Uses the benchmark database (BENCH_DATABASE_URL, default the one bench/run.py fills; generated here if
empty). In one process, with Django's test client (server time: no network, no gzip):

1. for several report filters, the time to produce every row of /reports/status.csv and the time to walk
   every page of /api/v1/statuses/ with the same filters (page_size rows a page: by default the API's
   largest), checking that both give the same number of rows; the ratio API ÷ CSV is the headline figure
   (goal: at most 1.5);
2. a full cursor walk over every current status (no filter): pages, rows, time, and memory measured with
   tracemalloc page by page (the peak while serving each page, and what stays allocated after it), which
   must stay flat however many pages have been read.

Writes the "API" section of docs/performance.md.
"""

import argparse
import datetime
import gc
import json
import os
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.run import DEFAULT_URL, ensure_database, machine, say  # noqa: E402

SECTION = "## API"
FILTERS = [
    ("Ratification items, Africa", {"region": "Africa", "kind": "ratification"}),
    ("Ratified or acceded, anywhere", {"status": ["ratified", "acceded"]}),
    ("Every country, every item", {"actor_kind": "country"}),
    ("Europe (countries and organizations based there)", {"region": "Europe"}),
    ("Everything (no filter)", {}),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=10000)
    parser.add_argument("--updates", type=int, default=1_000_000, help="generate this many if the database is empty")
    parser.add_argument("--organizations", type=int, default=5000)
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument(
        "--per-request",
        type=int,
        default=0,
        metavar="N",
        help="instead: the median server time, process CPU time and statements of a one-row page, N requests "
        "per filter (what every page pays whatever its rows: rate limiter, filters, scope, Last-Modified …)",
    )
    parser.add_argument(
        "--cpu",
        type=int,
        default=0,
        metavar="N",
        help="instead: for each filtered list, N walks of every page and N CSV exports: median wall time, median "
        "process CPU time and mean database backend CPU time (/proc/<pid>/stat of pg_backend_pid(); the COPY of a "
        "CSV runs on the same connection), firmer than wall time on a shared machine",
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    ensure_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.API_RATES = {"anon": "1000000/min", "user": "1000000/min"}  # measure the work, not the limiter
    from recommendations.models import CurrentStatus, ProgressUpdate

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    if not ProgressUpdate.objects.exists():
        say(f"   generating {args.updates:,} updates (once; bench/run.py reuses them)")
        call_command(
            "generate_benchmark_data", updates=args.updates, organizations=args.organizations, seed=1, verbosity=1
        )
    result = {
        "updates": ProgressUpdate.objects.count(),
        "current": CurrentStatus.objects.count(),
        "page_size": args.page_size,
        "repeat": args.repeat,
        "started": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    say(f"== API: {result['updates']:,} updates, {result['current']:,} current statuses in {url}")
    # One request of each kind first: the process's first request pays for imports, URL resolving and cold
    # caches, which would otherwise be charged to the first filter's CSV export.
    csv_export({"item": "R01"})
    api_walk({"item": "R01"}, args.page_size)
    if args.per_request:
        for label, params in FILTERS:
            per_request(label, params, args.per_request)
        return
    if args.cpu:
        for label, params in FILTERS[:-1]:  # the filtered lists
            cpu_figures(label, params, args.cpu, args.page_size)
        say(f"   load average {os.getloadavg()[0]:.1f}")
        return
    result["filters"] = [compare(label, params, args) for label, params in FILTERS]
    result["walk"] = walk_with_memory(args.page_size)
    result["load"] = os.getloadavg()[1]
    write_section(args.output, result)
    say(f"\nWrote the API section of {args.output}")


def client():
    from django.test import Client

    return Client()


def csv_export(params) -> tuple[float, int]:
    from django.urls import reverse

    started = time.perf_counter()
    response = client().get(reverse("recommendations:status_csv"), params)
    assert response.status_code == 200, response.status_code
    # Lines end in CRLF from the csv module, in LF from PostgreSQL's COPY: count the LFs (no cell holds one).
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    return time.perf_counter() - started, lines - 1  # without the header


def api_walk(params, page_size) -> tuple[float, int, int]:
    """Server time of every page (the client's JSON parsing left out), rows and pages."""
    from django.urls import reverse

    web, url, query = client(), reverse("api:statuses"), {**params, "page_size": page_size}
    spent, rows, pages = 0.0, 0, 0
    while url:
        started = time.perf_counter()
        response = web.get(url, query)
        spent += time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        body = json.loads(response.content)
        rows += len(body["results"])
        pages += 1
        url, query = body["next"], None
    return spent, rows, pages


def per_request(label, params, repeat):
    """A one-row page's server time and the process's CPU time, median of ``repeat``; its statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    web, url, query = client(), reverse("api:statuses"), {**params, "page_size": 1}
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        response = web.get(url, query)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        assert response.status_code == 200, response.content[:300]
    with CaptureQueriesContext(connection) as queries:
        web.get(url, query)
    say(
        f"   {label}: one-row page {statistics.median(walls) * 1000:.1f} ms (process CPU "
        f"{statistics.median(cpus) * 1000:.1f} ms), {len(queries)} statements"
    )


def backend_cpu() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far (Linux, same machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_figures(label, params, repeat, page_size):
    """Wall time, process CPU and database CPU of a whole API walk and of the CSV of the same rows."""
    for name, run in (("API", lambda: api_walk(params, page_size)), ("CSV", lambda: csv_export(params))):
        run()  # warm
        walls, cpus, database = [], [], []
        for _ in range(repeat):
            wall, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
            run()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            database.append(backend_cpu() - db)
        say(
            f"   {label}, {name}: wall {statistics.median(walls) * 1000:.0f} ms, process CPU "
            f"{statistics.median(cpus) * 1000:.0f} ms, database CPU {statistics.mean(database) * 1000:.0f} ms"
        )


def compare(label, params, args) -> dict:
    csv_times, api_times = [], []
    for _ in range(args.repeat):
        seconds, csv_rows = csv_export(params)
        csv_times.append(seconds)
        seconds, api_rows, pages = api_walk(params, args.page_size)
        api_times.append(seconds)
        if api_rows != csv_rows:
            raise SystemExit(f"{label}: the API gave {api_rows} rows, the CSV {csv_rows}")
    row = {
        "label": label,
        "query": "&".join(
            f"{k}={v}" for k, values in params.items() for v in ([values] if isinstance(values, str) else values)
        )
        or "(none)",
        "rows": csv_rows,
        "pages": pages,
        "csv_s": statistics.median(csv_times),
        "api_s": statistics.median(api_times),
    }
    row["ratio"] = row["api_s"] / row["csv_s"] if row["csv_s"] else 0
    say(
        f"   {label}: {row['rows']:,} rows; CSV {row['csv_s']:.2f} s, API {row['api_s']:.2f} s in {pages} pages "
        f"(× {row['ratio']:.2f})"
    )
    return row


def walk_with_memory(page_size) -> dict:
    """Every current status, page by page, with tracemalloc: peak while serving each page, and what remains."""
    from django.urls import reverse

    web, url, query = client(), reverse("api:statuses"), {"page_size": page_size}
    gc.collect()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    peaks, retained, rows, started = [], [], 0, time.perf_counter()
    while url:
        tracemalloc.reset_peak()
        response = web.get(url, query)
        body = json.loads(response.content)
        peaks.append(tracemalloc.get_traced_memory()[1] - baseline)
        rows += len(body["results"])
        url, query = body["next"], None
        del response, body
        gc.collect()
        retained.append(tracemalloc.get_traced_memory()[0] - baseline)
    seconds = time.perf_counter() - started
    tracemalloc.stop()
    result = {
        "rows": rows,
        "pages": len(peaks),
        "seconds": seconds,
        "first_peak_mb": peaks[0] / 1e6,
        "max_peak_mb": max(peaks) / 1e6,
        "last_peak_mb": peaks[-1] / 1e6,
        "retained_first_mb": retained[0] / 1e6,
        "retained_last_mb": retained[-1] / 1e6,
    }
    say(
        f"   full walk: {rows:,} rows in {len(peaks)} pages, {seconds:.1f} s (under tracemalloc); peak per page "
        f"{result['first_peak_mb']:.1f} MB first, {result['max_peak_mb']:.1f} MB at most; retained "
        f"{result['retained_first_mb']:.2f} → {result['retained_last_mb']:.2f} MB"
    )
    return result


def write_section(path, r):
    # Issue 16's goal is about filtered lists; the unfiltered list is reported beside it, not judged by it.
    filtered = [row for row in r["filters"] if row["query"] != "(none)"]
    unfiltered = [row for row in r["filters"] if row["query"] == "(none)"]
    worst = max(row["ratio"] for row in filtered)
    walk = r["walk"]
    flat = (
        walk["max_peak_mb"] <= walk["first_peak_mb"] * 1.5 + 1
        and walk["retained_last_mb"] <= walk["retained_first_mb"] + 1
    )
    lines = [
        SECTION,
        "",
        f"Generated by `python bench/api.py` (part of `make bench`). Run of {r['started']} on {machine()}; "
        f"load average {r['load']:.1f} during the run (other work shared the 2 cores).",
        "",
        f"{r['updates']:,} progress updates, {r['current']:,} current statuses. Server time in one process "
        "(Django's test client: no network, no compression), median of "
        f"{r['repeat']} runs: producing every row of `/reports/status.csv` for a filter, and walking every page of "
        f"`/api/v1/statuses/` with the same filter ({r['page_size']:,} rows a page, following `next`). Both give "
        "the same rows (the bench checks the counts; the tests check the rows and their order).",
        "",
        "| Filter | Query | Rows | CSV export | API, all pages | Pages | API ÷ CSV |",
        "|---|---|---:|---:|---:|---:|---:|",
        *(
            f"| {row['label']} | `{row['query']}` | {row['rows']:,} | {row['csv_s']:.2f} s | {row['api_s']:.2f} s | "
            f"{row['pages']} | {row['ratio']:.2f} |"
            for row in r["filters"]
        ),
        "",
        f"Goal: the filtered status list API within 1.5× the CSV export's time for the same rows — "
        f"{'met' if worst <= 1.5 else '**missed**'} (worst ratio {worst:.2f} of the {len(filtered)} filters)"
        + "".join(f"; with no filter, {row['ratio']:.2f} (not a goal)" for row in unfiltered)
        + ".",
        "",
        f"Full cursor walk over every current status (no filter), under tracemalloc: {walk['rows']:,} rows in "
        f"{walk['pages']} pages, {walk['seconds']:.1f} s. Peak memory while serving a page: "
        f"{walk['first_peak_mb']:.1f} MB for the first, {walk['last_peak_mb']:.1f} MB for the last, "
        f"{walk['max_peak_mb']:.1f} MB at most; memory still held after a page: {walk['retained_first_mb']:.2f} MB "
        f"after the first, {walk['retained_last_mb']:.2f} MB after the last — "
        f"{'flat' if flat else '**not flat**'}: a page holds one page of rows, whatever the pages before it.",
        "",
        "A filtered page is read actor by actor (`reports.status_page`): the next actors after the cursor are named "
        "in the query, which PostgreSQL pushes into both branches of the pairs (current statuses and “No "
        "information”), so a page costs its own rows instead of a sort of the whole scope; the query reads the "
        "pairs' own columns only, and the page joins their actors and items and puts them in order in Python. "
        "Every pair today (no filter) on PostgreSQL is read by the CSV export's own statement "
        "(`whole_export_json_sql`), resumed after the cursor and stopped after the page, each row written as its "
        "JSON object by the database (`reports.status_page_json`): the page's Python only joins them.",
    ]
    target = Path(path)
    text = target.read_text() if target.exists() else "# Performance\n"
    section = "\n".join(lines) + "\n"
    if SECTION + "\n" in text:
        # Up to the next section, keeping the blank line before it.
        text = re.sub(rf"{SECTION}\n.*?(?=\n## |\Z)", section.rstrip("\n") + "\n", text, count=1, flags=re.S)
    else:
        marker = "\n## What keeps it fast"
        text = (
            text.replace(marker, "\n" + section + marker, 1) if marker in text else text.rstrip("\n") + "\n\n" + section
        )
    target.write_text(text)


if __name__ == "__main__":
    main()
