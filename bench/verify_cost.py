"""What one verification costs, to weigh the indexes it keeps up to date (issue 21, item 3).

    BENCH_DATABASE_URL=postgres://…/DB python bench/verify_cost.py [--updates 200] [--seed 1]

Files ``--updates`` updates as the bench reporter on pairs that already have a current status (drawn with
``--seed``, so two copies of one database get the same pairs and dates; the dates back-dated into the pair's
history as often as not), then verifies each through ``services.verify_update`` as a bench reviewer, one
transaction each: the lock, the update's row and history, the audit line, the current status and the status
intervals of the pair and of its perspective, with every index on those tables. Prints the wall time per
verification (median and mean), the statements per verification, the time of the statements that write the
update's row and the intervals (those the indexes slow down), and the load. To weigh some indexes, run it
on a copy of the database without them (``createdb -T``, then ``DROP INDEX``), alternating with the original.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

SOURCE_DATE = datetime.date(2006, 8, 1)  # after the source document: not a historical fact
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.run import reporter_session
    from recommendations import services
    from recommendations.models import Actor, CurrentStatus, Kind

    _session, org_id = reporter_session()
    reporter = User.objects.get(username="bench-reporter")
    organization = Actor.objects.get(pk=org_id)
    reviewer, _ = User.objects.get_or_create(username="bench-reviewer", defaults={"email": "review@example.org"})
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    reviewer = User.objects.get(pk=reviewer.pk)  # its roles read afresh
    pairs = list(
        CurrentStatus.objects.exclude(kind=Kind.QUANTITATIVE)
        .select_related("actor", "recommendation", "update")
        .order_by("actor_id", "recommendation_id")
    )
    draw = random.Random(args.seed)
    updates = []
    for current in draw.sample(pairs, args.updates):
        as_of = current.update.as_of + datetime.timedelta(days=draw.choice([-400, -30, 30, 400]))
        updates.append(
            services.log_progress(
                actor=current.actor,
                recommendation=current.recommendation,
                organization=organization,
                user=reporter,
                status=current.status,
                as_of=min(max(as_of, SOURCE_DATE), datetime.date.today()),
                narrative="Benchmark update filed to measure what verifying it costs.",
                evidence_urls=["https://example.org/bench"],
            )
        )
    times, statements, interval_writes = [], [], []
    tables = (
        '"recommendations_statusinterval"',
        '"recommendations_perspectiveinterval"',
        '"recommendations_progressupdate"',
    )
    for update in updates:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            services.verify_update(update=update, reviewer=reviewer, expected_version=update.version)
            times.append((time.perf_counter() - start) * 1000)
        statements.append(len(captured.captured_queries))
        # The statements that write the rows those indexes cover: the update's own row and the pair's intervals.
        interval_writes.append(
            1000
            * sum(
                float(q["time"])
                for q in captured.captured_queries
                if q["sql"].split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE")
                and any(t in q["sql"][:80] for t in tables)
            )
        )
    print(
        f"{connection.settings_dict['NAME']}: {len(times)} verifications, median {statistics.median(times):.2f} ms, "
        f"mean {statistics.mean(times):.2f} ms, {statistics.median(statistics.multimode(statements)):.0f} statements "
        f"(median of {min(statements)}–{max(statements)}); writes of the update and the intervals: median "
        f"{statistics.median(interval_writes):.2f} ms, mean {statistics.mean(interval_writes):.2f} ms; "
        f"load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
