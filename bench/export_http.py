"""The full CSV export through gunicorn and a real HTTP client: first data row, rows/s, bytes, MD5.

    DATABASE_URL=postgres://…/COPY_OF_1M python bench/export_http.py [--runs 5] [--code DIR …]

Starts one server per checkout (``--code``, default this one; give main's and a branch's for before/after),
as ``make serve`` runs it (gunicorn, a gthread worker of 4 threads, ``bench.settings``), sends one small export to each
(the first request's imports and connection are not the export's), then requests ``/reports/status.csv``
from each in turn, ``--runs`` times: the runs interleave, so a change of load weighs on both. The client
reads the body as a browser would (``http.client``, 64 KB reads) and counts the lines; the server
process's CPU seconds are read from ``/proc`` (the gunicorn worker, Linux). Prints one JSON line per
request, then the medians per checkout. Stops its servers.
"""

import argparse
import hashlib
import http.client
import json
import os
import signal
import statistics
import subprocess  # nosec B404 - starts the servers measured
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def server(code: Path, port: int) -> subprocess.Popen:
    sys.path.insert(0, str(HERE))
    from bench import gunicorn_command

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(code)}
    # One worker (the last -w wins), so the warm-up request warms the worker measured.
    command = [*gunicorn_command(port, tree=code), "-w", "1", "--chdir", str(code), "--timeout", "300"]
    process = subprocess.Popen(command, cwd=code, env=env, start_new_session=True)  # noqa: S603  # nosec B603
    for _ in range(200):
        try:
            fetch(port, "/reports/status.csv?item=R01")
            return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"no server on port {port}")


def workers_cpu(process: subprocess.Popen) -> float:
    """CPU seconds of the gunicorn master's children (the workers), from /proc."""
    total = 0.0
    for task in Path(f"/proc/{process.pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def fetch(port: int, path: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    digest, size, lines, first_row = hashlib.md5(), 0, 0, None  # noqa: S324  # nosec B324 - a checksum
    while chunk := response.read1(65536):
        lines += chunk.count(b"\n")
        if first_row is None and lines > 1:  # the header is line 1
            first_row = time.perf_counter() - started
        size += len(chunk)
        digest.update(chunk)
    seconds = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise OSError(f"HTTP {response.status}")
    rows = lines - 1
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "first_row_ms": (first_row or 0) * 1000,
        "bytes": size,
        "md5": digest.hexdigest(),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--code", action="append", type=Path)
    parser.add_argument("--port", type=int, default=18431)
    args = parser.parse_args()
    codes = args.code or [HERE]
    servers = []
    try:
        for n, code in enumerate(codes):
            servers.append(server(code.resolve(), args.port + n))
        results = {str(code): [] for code in codes}
        for _ in range(args.runs):
            for n, code in enumerate(codes):
                cpu = workers_cpu(servers[n])
                result = fetch(args.port + n, "/reports/status.csv")
                result |= {"code": str(code), "server_cpu_s": workers_cpu(servers[n]) - cpu, "load": os.getloadavg()[0]}
                print(json.dumps(result), flush=True)
                results[str(code)].append(result)
        for code, runs in results.items():
            medians = {
                key: statistics.median(run[key] for run in runs)
                for key in ("seconds", "rows_per_s", "first_row_ms", "server_cpu_s", "load")
            }
            print(
                json.dumps(
                    {"code": code, "runs": len(runs), "md5": sorted({run["md5"] for run in runs}), "median": medians}
                )
            )
    finally:
        for process in servers:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
