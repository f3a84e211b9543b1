"""The whole CPU cost of one progress update over HTTP, process by process (issue 21, item 3).

    BENCH_PORT=8811 BENCH_DATABASE_URL=postgres://…/DB python bench/write_cpu.py [--seconds 10] [--rounds 3]
        [--workers 2] [--threads 4] [--tree OTHER_CHECKOUT]

Serves the tracker as `make bench` does (gunicorn, gthread, `bench.settings`), and under wrk (2 threads,
8 connections, the same scripts as `bench/run.py`) runs in turn, ``--rounds`` times: logging progress through the
form (`bench/log_progress.lua`), the bare one-row write (`/__bare_write__/`, the floor) and the bare view. Around
each run it reads the CPU time (user + system, `/proc/PID/stat`) of

- the gunicorn workers (and the master),
- the PostgreSQL client backends connected to the bench database (`pg_stat_activity`; the servers keep
  their connections for the whole run, CONN_MAX_AGE=3600),
- its autovacuum workers (and any server process that ended during the run, counted through the
  postmaster's reaped-children time): the writes' deferred upkeep,
- PostgreSQL's own processes (WAL writer, checkpointer, background writer, …: shared with any other database
  of the server),
- wrk itself (the load generator, reaped: `resource.getrusage(RUSAGE_CHILDREN)`),
- the whole machine (`/proc/stat`, every CPU's busy time, softirq included),

and prints each per request (ms of CPU), with the requests per second. The rest of the machine's busy time
("other") is everything else (other sessions' work, the kernel's loopback networking not charged to a process).
The database must be migrated and seeded (`bench/run.py --mode logging` does both).
"""

import argparse
import contextlib
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> tuple[float, float]:
    """(own, reaped children's) CPU seconds of a process; (0, 0) if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0, 0.0
    # After the ")": state is field 3, so utime (14) is index 11, stime 12, cutime 13, cstime 14.
    return (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def machine_busy() -> float:
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICK


class Meter:
    """CPU seconds of each group of processes, read before and after a run."""

    def __init__(self, server_pid: int, database: str):
        from django.db import connection

        self.server_pid, self.database = server_pid, database
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.own_backend = cursor.fetchone()[0]
        self.postmaster = int(Path(f"/proc/{self.own_backend}/stat").read_text().rsplit(")", 1)[1].split()[1])

    def backends(self) -> tuple[set[int], set[int]]:
        """The client backends of the bench database (the servers'), and its autovacuum workers."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, backend_type FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            )
            rows = cursor.fetchall()
        return {pid for pid, kind in rows if kind == "client backend"}, {
            pid for pid, kind in rows if kind != "client backend"
        }

    def read(self) -> dict:
        workers = [self.server_pid, *children_of(self.server_pid)]
        backends, autovacuum = self.backends()
        auxiliaries = [
            pid
            for pid in children_of(self.postmaster)
            if pid not in backends | autovacuum and pid != self.own_backend and not self.is_backend(pid)
        ]
        return {
            "gunicorn": sum(sum(cpu_of(pid)) for pid in workers),
            "backends": {pid: cpu_of(pid)[0] for pid in backends},
            "autovacuum": {pid: cpu_of(pid)[0] for pid in autovacuum},
            "reaped": cpu_of(self.postmaster)[1],
            "postgres_own": sum(cpu_of(pid)[0] for pid in auxiliaries) + cpu_of(self.postmaster)[0],
            "wrk": sum(getattr(resource.getrusage(resource.RUSAGE_CHILDREN), f) for f in ("ru_utime", "ru_stime")),
            "machine": machine_busy(),
            "at": time.monotonic(),
        }

    @staticmethod
    def is_backend(pid: int) -> bool:
        # Another database's backend: "postgres: user db host(port) state" in its title.
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except FileNotFoundError:
            return True
        return "(" in title  # client backends carry the client's host(port); auxiliaries do not

    @staticmethod
    def spent(before: dict, after: dict) -> dict:
        def grown(kind):
            return sum(after[kind][pid] - before[kind].get(pid, 0.0) for pid in after[kind])

        spent = {
            "gunicorn": after["gunicorn"] - before["gunicorn"],
            "backends": grown("backends"),
            # Autovacuum workers, and any process of the server that ended during the run (its time is only
            # seen as the postmaster's reaped children's): with CONN_MAX_AGE long enough, no client backend.
            "autovacuum": grown("autovacuum") + after["reaped"] - before["reaped"],
            "postgres_own": after["postgres_own"] - before["postgres_own"],
            "wrk": after["wrk"] - before["wrk"],
            "machine": after["machine"] - before["machine"],
            "seconds": after["at"] - before["at"],
        }
        spent["other"] = spent["machine"] - sum(
            spent[key] for key in ("gunicorn", "backends", "autovacuum", "postgres_own", "wrk")
        )
        return spent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--kinds", default="logging,write,bare")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--tree", help="serve this checkout instead (e.g. a detached worktree of main)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    from django.db import connection

    from bench import gunicorn_command
    from bench.run import reporter_client, wrk
    from recommendations.models import ProgressUpdate

    os.environ.update(reporter_client().environment())
    port = int(os.environ.get("BENCH_PORT", "8199"))
    tree = Path(args.tree).resolve() if args.tree else ROOT
    # Connections kept for the whole run (production keeps them 60 s): each server thread's backend is then
    # read before and after every run, none ends in between.
    server_env = {**os.environ, "PYTHONPATH": str(tree), "CONN_MAX_AGE": "3600"}
    server = subprocess.Popen(gunicorn_command(port, args.workers, args.threads, tree), cwd=tree, env=server_env)
    scripts = {
        "logging": ("log_progress.lua", ""),
        "write": ("bare.lua", "/__bare_write__/"),
        "bare": ("bare.lua", "/__bare__/"),
    }
    kinds = args.kinds.split(",")
    results = {kind: [] for kind in kinds}
    try:
        for _ in range(100):
            if subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/__bare__/"], capture_output=True).returncode:
                time.sleep(0.2)
                continue
            break
        for kind in kinds:  # a warm-up, not counted: each worker's first requests import and connect
            script, path = scripts[kind]
            wrk(str(ROOT / "bench" / script), f"http://127.0.0.1:{port}{path}", 2)
        meter = Meter(server.pid, connection.settings_dict["NAME"])
        for number in range(1, args.rounds + 1):
            for kind in kinds:
                script, path = scripts[kind]
                before_count = ProgressUpdate.objects.count() if kind == "logging" else 0
                before = meter.read()
                load = wrk(str(ROOT / "bench" / script), f"http://127.0.0.1:{port}{path}", args.seconds)
                after = meter.read()
                spent = Meter.spent(before, after)
                if kind == "logging":
                    created = ProgressUpdate.objects.count() - before_count
                    if created < load["requests"] * 0.99:
                        raise SystemExit(f"only {created} updates for {load['requests']:.0f} posts: refusals measured")
                requests = load["requests"]
                row = {
                    "rps": load["rps"],
                    "p95_ms": load["p95_ms"],
                    "requests": requests,
                    "load_average": os.getloadavg()[0],
                    **{f"{key}_ms": spent[key] / requests * 1000 for key in spent if key != "seconds"},
                    "machine_cores": spent["machine"] / spent["seconds"],
                }
                results[kind].append(row)
                print(
                    f"round {number} {kind:8} {row['rps']:8.1f} req/s p95 {row['p95_ms']:6.1f} ms | ms CPU per request: "
                    f"gunicorn {row['gunicorn_ms']:.3f}, backends {row['backends_ms']:.3f}, "
                    f"autovacuum {row['autovacuum_ms']:.3f}, "
                    f"postgres own {row['postgres_own_ms']:.3f}, wrk {row['wrk_ms']:.3f}, other {row['other_ms']:.3f}, "
                    f"machine {row['machine_ms']:.3f} ({row['machine_cores']:.2f} cores busy); load {row['load_average']:.1f}",
                    flush=True,
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    medians = {
        kind: {key: statistics.median(row[key] for row in rows) for key in rows[0]} for kind, rows in results.items()
    }
    print(f"\nmedians of {args.rounds} rounds ({args.workers} workers × {args.threads} threads, {tree}):")
    keys = ["gunicorn_ms", "backends_ms", "autovacuum_ms", "postgres_own_ms", "wrk_ms", "other_ms", "machine_ms"]
    print(f"{'':10}{'req/s':>9}{'p95':>8}" + "".join(f"{key[:-3]:>14}" for key in keys))
    for kind, row in medians.items():
        print(f"{kind:10}{row['rps']:9.1f}{row['p95_ms']:8.1f}" + "".join(f"{row[key]:14.3f}" for key in keys))
    if "logging" in medians and "write" in medians:
        shares = [log["rps"] / write["rps"] for log, write in zip(results["logging"], results["write"], strict=True)]
        print(f"logging ÷ floor, each round: {', '.join(f'{s * 100:.1f} %' for s in shares)}")
    if args.json:
        print(json.dumps({"medians": medians, "rounds": results}))


if __name__ == "__main__":
    main()
