"""Where the Python time of one progress update goes (issue 21, item 3): posts through Django's whole handler.

    BENCH_DATABASE_URL=postgres://…/DB python bench/write_profile.py [--posts 200] [--rounds 5] [--profile 30]

Posts the logging form as `bench/log_progress.lua` does (the same reporter session, CSRF cookie and token, a new
submission token each time) through Django's test client, so every middleware, the form, the service and the
redirect run as under gunicorn, without the network and the server. Prints, per round, the CPU time of this
process per post (``time.process_time``: Python and the driver, not the PostgreSQL backend) and the wall time,
then the medians, the statements per post, and the bare one-row write's CPU time the same way. With
``--profile N``, N more posts under cProfile and the functions with the most cumulative and own time. Run it
with PYTHONPATH set to another checkout to measure that one against the same database. The database must be
migrated and seeded (`bench/run.py --mode logging` does both).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=200, help="posts per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="then this many posts under cProfile")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", help="also write the profile to this file (for pstats or snakeviz)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.run import reporter_client

    reporter = reporter_client()
    client, post = reporter.client, reporter.post

    def bare():
        client.get("/__bare_write__/")

    for _ in range(20):  # warm-up: imports, the connection, the translation catalogues
        post()
        bare()
    with CaptureQueriesContext(connection) as captured:
        post()
    statements = len(captured.captured_queries)
    rows = {"post": [], "post_wall": [], "bare": []}
    for number in range(args.rounds):
        for name, function in (("post", post), ("bare", bare)):
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.posts):
                function()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            rows[name].append(cpu * 1000 / args.posts)
            if name == "post":
                rows["post_wall"].append(wall * 1000 / args.posts)
        print(
            f"round {number + 1} (load {os.getloadavg()[0]:.1f}): post {rows['post'][-1]:.2f} ms CPU, "
            f"{rows['post_wall'][-1]:.2f} ms wall; bare write {rows['bare'][-1]:.2f} ms CPU",
            flush=True,
        )
    print(
        f"median: post {statistics.median(rows['post']):.2f} ms CPU, {statistics.median(rows['post_wall']):.2f} ms "
        f"wall, {statements} statements; bare write {statistics.median(rows['bare']):.2f} ms CPU"
    )
    if args.profile:
        profile = cProfile.Profile(time.process_time)  # CPU time: the waits for PostgreSQL left out
        profile.enable()
        for _ in range(args.profile):
            post()
        profile.disable()
        if args.dump:
            profile.dump_stats(args.dump)
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
