"""Measure one report page warm in a fresh process; with --profile, where its time goes.

    python bench/snapshot_probe.py [--path URL] [--repeat N] [--code DIR]
    python bench/snapshot_probe.py --profile [--path URL]

Default URL: the all-items snapshot, ``/reports/?on=2015-12-31`` (bench/scaling.py's "As-of snapshot, all
items"), fetched through Django's test client as bench/scaling.py does: two warm-up requests (the over-time
chart is then read from its cache), then ``--repeat`` timed ones. Prints one JSON line: median, p95, each
sample, the queries of one request and the body's MD5 once the lines that carry the time of the request
(the citation's retrieval date) are left out, so before and after can be checked to show the same page.
--code DIR: measure the code of another checkout (e.g. main's) with this probe, for interleaved before/after
runs on the same database.
--jit on|off: SET jit for the session first (tracker/settings.py opens connections with it off).
With each median, the CPU of this process and of its database backend per request (``cpu_ms``).

--profile: each SQL statement of one warm request with its time, then EXPLAIN (ANALYZE, BUFFERS) of those
over 5 ms (run again, so warm); the request under cProfile (top functions by cumulative time); and the time
of the template's rendering alone. Writes to stderr, for reading, not for tables.
"""

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import re
import resource
import statistics
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--path", default="/reports/?on=2015-12-31")
parser.add_argument("--repeat", type=int, default=10)
parser.add_argument("--code", default=str(Path(__file__).resolve().parent.parent))
parser.add_argument("--profile", action="store_true")
parser.add_argument("--jit", choices=("on", "off"), help="SET jit for this session first (a probe of its cost)")
args = parser.parse_args()
sys.path.insert(0, args.code)
os.chdir(args.code)  # the settings' imports put the working directory on sys.path (Celery's loader)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

settings.API_RATES = {"anon": "1000000/min", "user": "1000000/min"}  # measure the work, not the limiter
client = Client()


def fetch() -> bytes:
    response = client.get(args.path)
    assert response.status_code == 200, (args.path, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content


def digest(body: bytes) -> str:
    # The citation names today's date and time of retrieval; everything else must be the same bytes.
    kept = b"\n".join(line for line in body.splitlines() if not re.search(rb"[Rr]etrieved|\d\d:\d\d", line))
    return hashlib.md5(kept).hexdigest()  # noqa: S324  # nosec B324 - a checksum


def backend_pid():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def cpu_seconds(pid) -> float:
    """CPU seconds of this process and of its database backend (local PostgreSQL, Linux; the parallel workers a
    statement starts are not counted): on a shared machine they vary far less than wall time."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, TypeError):
        backend = 0.0
    return own.ru_utime + own.ru_stime + backend


def session_jit():
    if args.jit:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute(f"SET jit = {args.jit}")


def measure():
    session_jit()
    for _ in range(2):
        body = fetch()
    samples, cpu = [], []
    pid = backend_pid() if connection.vendor == "postgresql" else None
    for _ in range(args.repeat):
        started, cpu_started = time.perf_counter(), cpu_seconds(pid)
        fetch()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((cpu_seconds(pid) - cpu_started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        fetch()
    samples_sorted = sorted(samples)
    print(
        json.dumps(
            {
                "path": args.path,
                "code": args.code,
                "median_ms": round(statistics.median(samples), 1),
                "p95_ms": round(samples_sorted[max(0, int(round(0.95 * len(samples))) - 1)], 1),
                "samples_ms": [round(s, 1) for s in samples],
                "cpu_ms": round(statistics.median(cpu), 1),
                "queries": len(captured.captured_queries),
                "md5": digest(body),
                "load": os.getloadavg()[0],
            }
        )
    )


def profile():
    session_jit()
    for _ in range(2):
        fetch()
    out = sys.stderr
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        fetch()
        total = (time.perf_counter() - started) * 1000
    sql_ms = sum(float(q["time"]) * 1000 for q in captured.captured_queries)
    print(f"request {total:.1f} ms, {len(captured.captured_queries)} queries, {sql_ms:.1f} ms in SQL", file=out)
    for n, query in enumerate(captured.captured_queries):
        print(f"  [{n}] {float(query['time']) * 1000:7.1f} ms  {query['sql'][:160]}", file=out)
    with connection.cursor() as cursor:
        for n, query in enumerate(captured.captured_queries):
            if float(query["time"]) * 1000 < 5 or not query["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print(f"\n== [{n}] EXPLAIN (ANALYZE, BUFFERS)\n" + "\n".join(r[0] for r in cursor.fetchall()), file=out)
    profiler = cProfile.Profile()
    profiler.enable()
    fetch()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(45)
    print("\n== cProfile, one warm request\n" + text.getvalue(), file=out)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(30)
    print("\n== cProfile by own time\n" + text.getvalue(), file=out)
    # The template alone: render the view's context again, timed (render() patched to keep its arguments).
    import django.shortcuts

    from recommendations.views import status

    kept = {}
    original = status.render

    def keep(request, template, context, **kwargs):
        kept.update(request=request, template=template, context=context)
        return original(request, template, context, **kwargs)

    status.render = keep
    try:
        fetch()
    finally:
        status.render = original
    from django.template.loader import render_to_string

    times = []
    for _ in range(5):
        started = time.perf_counter()
        render_to_string(kept["template"], kept["context"], request=kept["request"])
        times.append((time.perf_counter() - started) * 1000)
    print(f"\ntemplate {kept['template']} alone: median {statistics.median(times):.1f} ms of 5", file=out)
    del django.shortcuts


if __name__ == "__main__":
    profile() if args.profile else measure()
