"""Logging progress in two checkouts side by side, each against the one-row write floor (issue 21, item 3).

    BENCH_DATABASE_URL=postgres://…/DB python bench/logging_ab.py OTHER_CHECKOUT [--seconds 10] [--rounds 6]

Serves this checkout and OTHER_CHECKOUT (e.g. a `git worktree add --detach … main`) at once with two gunicorn
servers (as `make bench`: 2 workers × 4 threads each) on the same database, logged in as the same bench
reporter, and runs wrk (2 threads, 8 connections) in turn: the other's logging, this one's, then the bare
one-row write on each server, the order reversed every other round. On a machine shared with other work the
load changes from minute to minute; runs seconds apart and alternated are what make the two comparable. Prints
each round and the medians: posts per second, p95, and the share of the floor (the mean of both servers' bare
writes in that round). The database must be migrated and seeded (`bench/run.py --mode logging` does both).
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", help="the other checkout (its own .venv or this Python)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=6, help="an even number: each checkout goes first as often")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    from bench import gunicorn_command
    from bench.run import reporter_client, wrk
    from recommendations.models import ProgressUpdate

    os.environ.update(reporter_client().environment())
    base = int(os.environ.get("BENCH_PORT", "8731"))
    trees = {"other": Path(args.other).resolve(), "this": ROOT}
    servers = {}
    try:
        for number, (name, tree) in enumerate(trees.items()):
            port = base + number
            server = subprocess.Popen(
                gunicorn_command(port, tree=tree), cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}
            )
            servers[name] = (port, server)
        for port, _server in servers.values():
            for _ in range(100):
                if subprocess.run(
                    ["curl", "-sf", f"http://127.0.0.1:{port}/__bare__/"], capture_output=True
                ).returncode:
                    time.sleep(0.3)
                    continue
                break
            # A warm-up, not counted: each worker's first requests import and connect.
            wrk(str(ROOT / "bench" / "log_progress.lua"), f"http://127.0.0.1:{port}", 2)
            wrk(str(ROOT / "bench" / "bare.lua"), f"http://127.0.0.1:{port}/__bare_write__/", 1)
        results = {key: [] for key in ("other", "this", "floor_other", "floor_this")}
        for number in range(args.rounds):
            order = [("other", "log"), ("this", "log"), ("this", "floor"), ("other", "floor")]
            line = []
            for name, what in order if number % 2 == 0 else order[::-1]:
                port = servers[name][0]
                if what == "log":
                    before = ProgressUpdate.objects.count()
                    result = wrk(str(ROOT / "bench" / "log_progress.lua"), f"http://127.0.0.1:{port}", args.seconds)
                    if ProgressUpdate.objects.count() == before:
                        raise SystemExit(f"{name}: no update was created; the figures would measure refusals")
                    results[name].append(result)
                else:
                    result = wrk(
                        str(ROOT / "bench" / "bare.lua"), f"http://127.0.0.1:{port}/__bare_write__/", args.seconds
                    )
                    results[f"floor_{name}"].append(result)
                line.append(f"{name} {what} {result['rps']:.1f}/s p95 {result['p95_ms']:.0f} ms")
            print(f"round {number + 1} (load average {os.getloadavg()[0]:.1f}): " + "; ".join(line), flush=True)
    finally:
        for _port, server in servers.values():
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    floors = [(a["rps"] + b["rps"]) / 2 for a, b in zip(results["floor_other"], results["floor_this"], strict=True)]
    for name in ("other", "this"):
        runs = results[name]
        shares = [run["rps"] / floor for run, floor in zip(runs, floors, strict=True)]
        print(
            f"{name}: median {statistics.median(r['rps'] for r in runs):.1f} posts/s, "
            f"p95 {statistics.median(r['p95_ms'] for r in runs):.0f} ms, "
            f"{statistics.median(shares) * 100:.1f} % of the floor (per round: "
            + ", ".join(f"{share * 100:.1f} %" for share in shares)
            + ")"
        )
    print(f"floor: median {statistics.median(floors):.1f} writes/s")
    # Whichever logging run comes first in a round was the faster in 12 rounds of 16 (three runs of 2026-11-30),
    # so this one's rate over the other's is also shown by who went first; an even number of rounds lets each
    # checkout go first as often.
    ratios = [a["rps"] / b["rps"] for a, b in zip(results["this"], results["other"], strict=True)]
    for label, first in (("this first", 1), ("other first", 0)):
        chosen = [ratio for number, ratio in enumerate(ratios) if number % 2 == first]
        if chosen:
            print(f"this ÷ other, {label}: " + ", ".join(f"{ratio:.2f}" for ratio in chosen))
    print(f"this ÷ other: median {statistics.median(ratios):.2f} over {len(ratios)} rounds")


if __name__ == "__main__":
    main()
