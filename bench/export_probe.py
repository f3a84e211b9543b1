"""Measure one CSV export in a fresh process: rows, seconds, time to first byte, peak memory.

    python bench/export_probe.py [--rows N] [--warm]   (N = 0: the whole export)

--warm: one small export first (R01's), so the figures are a running server's, not a fresh process's
(imports, URL resolution, the first connection: ~0.8 s before the header on this machine).

Prints one JSON line. Run by bench/run.py, once for 100k rows and once for all.
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--warm", action="store_true")
    args = parser.parse_args()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    client = Client()
    if args.warm:
        b"".join(client.get("/reports/status.csv?item=R01").streaming_content)
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
        if args.rows and rows >= args.rows:
            break
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": seconds,
                "ttfb": first_byte,
                "first_row": first_row,
                "bytes": size,
                "rss_before_mb": before / 1024,
                "peak_rss_mb": peak / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
