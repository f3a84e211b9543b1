"""Reads through a running `make cluster` while its PostgreSQL restarts again and again: what readers see.

`make cluster-faults` restarts PostgreSQL once, under mixed load; a failure that needs a narrow race (a
connection cut in one particular instant of a request) may or may not show in one run. This repeats only
that fault: reader threads request pages through nginx while PostgreSQL is restarted (`pg_ctl restart -m
fast`) every few seconds, then it prints the answers by status, the failed requests, and what the web
servers' logs said meanwhile (reads served again inside a server, 503s, internal errors).

    make cluster
    .venv/bin/python bench/cluster_restarts.py [--restarts 10] [--readers 3] [--path /reports/table/?item=R56]
    make cluster-stop

The ports and the run folder are `make cluster`'s (the same environment variables and options as
bench/cluster.py).
"""

import argparse
import collections
import http.client
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.cluster import Cluster, add_cluster_arguments, ports_from  # noqa: E402  (the checkout on the path first)

# What the web servers log for a read that lost its connection: served again, a 503, or a 500.
LOGGED = {
    "served again": "serving it again",
    "answered 503": "answered 503",
    "internal errors (500)": "Internal Server Error",
}


def read_until(port: int, path: str, stop: threading.Event, rows: list) -> None:
    while not stop.is_set():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        began = time.monotonic()
        try:
            connection.request("GET", path, headers={"Host": f"localhost:{port}"})
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError as error:
            status = type(error).__name__
        finally:
            connection.close()
        rows.append((began, time.monotonic(), status))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--restarts", type=int, default=10)
    parser.add_argument("--every", type=float, default=4.0, help="seconds between restarts")
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--path", default="/reports/table/?item=R56")
    add_cluster_arguments(parser)
    args = parser.parse_args()
    cluster = Cluster(args.dir, ports_from(args))
    if not cluster.postgres_running() or not cluster.pid("nginx"):
        sys.exit(f"No cluster is running in {args.dir}: start one with `make cluster`")
    web_logs = [cluster.logs / f"web{n}.log" for n in range(1, len(cluster.ports.web) + 1)]
    offsets = {log: log.stat().st_size for log in web_logs}  # only what is logged from now on counts

    rows, stop = [], threading.Event()
    readers = [
        threading.Thread(target=read_until, args=(args.port, args.path, stop, rows)) for _ in range(args.readers)
    ]
    began = time.monotonic()
    for reader in readers:
        reader.start()
    took = []
    try:
        for _ in range(args.restarts):
            time.sleep(args.every)
            start = time.monotonic()
            cluster.restart_postgres()
            took.append(time.monotonic() - start)
        time.sleep(args.every)
    finally:
        stop.set()
        for reader in readers:
            reader.join()

    logged = ""
    for log in web_logs:
        with log.open(errors="replace") as handle:
            handle.seek(offsets[log])
            logged += handle.read()
    statuses = collections.Counter(str(row[2]) for row in rows)
    print(
        f"{len(rows)} reads of {args.path} through nginx by {args.readers} readers in {time.monotonic() - began:.0f} s, "
        f"PostgreSQL restarted {len(took)} times ({min(took):.2f}-{max(took):.2f} s each); load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print("answers: " + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items())))
    for row in rows:
        if row[2] != 200:
            print(f"  failed: {row[2]} at {row[0] - began:.2f} s")
    print("web servers logged: " + ", ".join(f"{name} {logged.count(text)}" for name, text in LOGGED.items()))
    sys.exit(1 if len(rows) != statuses["200"] else 0)


if __name__ == "__main__":
    main()
