"""Measure one CSV export in a fresh process: rows, seconds, time to first byte, peak memory.

    python bench/export_probe.py [--rows N] [--warm] [--code DIR]   (N = 0: the whole export)

--warm: one small export first (R01's), so the figures are a running server's, not a fresh process's
(imports, URL resolution, the first connection: ~0.8 s before the header on this machine).
--code DIR: measure the code of another checkout (e.g. main's) with this probe, for before/after runs.

Prints one JSON line; with the body's MD5 (same bytes before and after), the CPU seconds of this process
and, on a local PostgreSQL whose /proc is readable, of the database backend serving it: on a machine
shared with other work, CPU seconds vary far less than wall time. Run by bench/run.py, once for 100k rows
and once for all.
"""

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=0)
parser.add_argument("--warm", action="store_true")
parser.add_argument("--code", default=str(Path(__file__).resolve().parent.parent))
args = parser.parse_args()
sys.path.insert(0, args.code)
os.chdir(args.code)  # the settings' imports put the working directory on sys.path (Celery's loader)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def backend_cpu():
    """CPU seconds of the database backend (Linux, local server), else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    client = Client()
    if args.warm:
        b"".join(client.get("/reports/status.csv?item=R01").streaming_content)
    database_before, cpu_before, digest = backend_cpu(), own_cpu(), hashlib.md5()  # noqa: S324  # nosec B324 - a checksum
    started = time.perf_counter()
    response = client.get("/reports/status.csv")
    first_byte, first_row, rows, size = None, None, -1, 0  # -1: the header line is not a row
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        rows += chunk.count(b"\n")
        if first_row is None and rows > 0:
            first_row = time.perf_counter() - started
        size += len(chunk)
        digest.update(chunk)
        if args.rows and rows >= args.rows:
            break
    seconds = time.perf_counter() - started
    database_after = backend_cpu()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "ttfb": first_byte,
                "first_row": first_row,
                "bytes": size,
                "md5": digest.hexdigest(),
                "cpu_s": own_cpu() - cpu_before,
                "database_cpu_s": None if database_before is None else database_after - database_before,
                "load": os.getloadavg()[0],
                "rss_before_mb": before / 1024,
                "peak_rss_mb": peak / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
