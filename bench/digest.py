"""`make bench` (second part): one digest run for 5,000 people over the benchmark data, in worker time.

    python bench/digest.py [--users 5000] [--updates 1000000] [--organizations 5000] [--reviews 2000]

Uses the benchmark database (BENCH_DATABASE_URL, default the one bench/run.py fills; generated here if
empty). Creates 5,000 people — reporters in the synthetic organizations, reviewers, and readers who
follow items, countries and themes — a reporting cycle on a few items, then stands for one day of
reviews: ``--reviews`` pending updates are verified or returned "now". It then times, in one process
with tasks run eagerly (what one worker does, without the broker's hops): collecting the
notifications, finding the digests due, and sending every digest (to an in-memory mailbox), counting
the queries of each batch of digests. Writes the "Digests" section of docs/performance.md.
"""

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.run import DEFAULT_URL, ensure_database, machine, say  # noqa: E402

SECTION = "## Digests"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--updates", type=int, default=1_000_000, help="generate this many if the database is empty")
    parser.add_argument("--organizations", type=int, default=5000)
    parser.add_argument("--reviews", type=int, default=2000, help="reviews in the day the digests cover")
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    os.environ.pop("CELERY_BROKER_URL", None)  # eager: the work a worker does, in this process
    ensure_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    mail.outbox = []
    from recommendations.models import ProgressUpdate

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    say(f"== Digests: {args.users:,} people over {url}")
    if not ProgressUpdate.objects.exists():
        say(f"   generating {args.updates:,} updates (once; bench/run.py reuses them)")
        started = time.perf_counter()
        call_command(
            "generate_benchmark_data", updates=args.updates, organizations=args.organizations, seed=1, verbosity=1
        )
        say(f"   generated in {time.perf_counter() - started:.0f} s")
    people = make_people(args.users)
    day = stand_for_a_day(args.reviews)
    result = run_digests(people, day)
    result.update(
        users=args.users,
        updates=ProgressUpdate.objects.count(),
        reviews=args.reviews,
        started=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        load=os.getloadavg()[1],
    )
    write_section(args.output, result)
    say(f"\nWrote the digest section of {args.output}")


def make_people(n: int):
    """n people: 80 % reporters (one synthetic organization each), 4 % reviewers, the rest readers who follow."""
    from django.contrib.auth.models import Group, User

    from alerts.models import Follow, ReportingCycle
    from recommendations.models import Actor, Membership, Recommendation, Theme

    prefix = "digest-bench-"
    have = User.objects.filter(username__startswith=prefix).count()
    if have != n:
        User.objects.filter(username__startswith=prefix).delete()
        rng = random.Random(7)
        orgs = list(Actor.objects.filter(code__startswith="synthetic-org-").values_list("pk", flat=True))
        countries = list(Actor.objects.countries().values_list("pk", flat=True))
        items = list(Recommendation.objects.values_list("pk", flat=True))
        themes = list(Theme.objects.values_list("pk", flat=True))
        users = User.objects.bulk_create(
            [User(username=f"{prefix}{i:05d}", email=f"{prefix}{i:05d}@example.org") for i in range(n)],
            batch_size=2000,
        )
        users = list(User.objects.filter(username__startswith=prefix).order_by("username"))
        reporters, reviewers = users[: int(n * 0.8)], users[int(n * 0.8) : int(n * 0.84)]
        readers = users[int(n * 0.84) :]
        Group.objects.get(name="Reporter").user_set.add(*reporters)
        Group.objects.get(name="Reviewer").user_set.add(*reviewers)
        Membership.objects.bulk_create(
            [Membership(user=u, organization_id=orgs[i % len(orgs)]) for i, u in enumerate(reporters + reviewers)],
            batch_size=2000,
        )
        follows = []
        for user in readers:
            follows.append(Follow(user=user, recommendation_id=rng.choice(items)))
            follows.append(Follow(user=user, actor_id=rng.choice(countries)))
            follows.append(Follow(user=user, theme_id=rng.choice(themes)))
        Follow.objects.bulk_create(follows, batch_size=2000, ignore_conflicts=True)
        for item_id in items[:5]:
            ReportingCycle.objects.get_or_create(recommendation_id=item_id, defaults={"months": 36})
        for org_id in orgs[:50]:
            ReportingCycle.objects.get_or_create(organization_id=org_id, defaults={"months": 24})
    return list(User.objects.filter(username__startswith=prefix).values_list("pk", flat=True))


def stand_for_a_day(reviews: int):
    """Forget earlier bench digests, then review ``reviews`` pending updates "now" (as reviewers would)."""
    from django.db import connection
    from django.utils import timezone

    from alerts.models import Digest, Notification, Watermark
    from recommendations.models import ProgressUpdate, ReviewState

    Notification.objects.all().delete()
    Digest.objects.all().delete()
    now = timezone.now()
    # An earlier run's "day" is old news now: push its reviews out of the window.
    ProgressUpdate.objects.filter(reviewed_at__gte=now - datetime.timedelta(days=2)).update(
        reviewed_at=now - datetime.timedelta(days=30)
    )
    Watermark.objects.update_or_create(name="notifications", defaults={"at": now - datetime.timedelta(days=1)})
    # Pending updates of the synthetic data, reviewed during the last day: 3 in 4 verified, 1 in 4 returned.
    pending = list(
        ProgressUpdate.objects.filter(state=ReviewState.PENDING).order_by("pk").values_list("pk", flat=True)[:reviews]
    )
    table = ProgressUpdate._meta.db_table
    sql = f"UPDATE {table} SET state = %s, reviewed_at = %s, review_note = %s WHERE id = %s"  # nosec B608
    with connection.cursor() as cursor:
        for n, pk in enumerate(pending):
            state = ReviewState.RETURNED if n % 4 == 3 else ReviewState.VERIFIED
            cursor.execute(
                sql,
                [
                    state,
                    now - datetime.timedelta(seconds=n),
                    "Please add the source." if state == "returned" else "",
                    pk,
                ],
            )
        cursor.execute("ANALYZE")
    return now


def cpu_seconds() -> float:
    """CPU time used so far by this process and by its PostgreSQL backend (same machine): the work itself,
    whatever else shares the cores (wall time on a busy machine counts the waiting for a core too)."""
    from django.db import connection

    own = time.process_time()
    if connection.vendor != "postgresql":
        return own
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # the database runs elsewhere: only this process's own time
        return own
    return own + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_digests(people, now):
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alerts import services

    result = {}
    started, cpu = time.perf_counter(), cpu_seconds()
    result["notifications"] = services.collect_notifications(now=now + datetime.timedelta(seconds=1))
    result["collect_s"] = time.perf_counter() - started
    result["collect_cpu"] = cpu_seconds() - cpu
    say(f"   collected {result['notifications']:,} notifications in {result['collect_s']:.2f} s")
    started, cpu = time.perf_counter(), cpu_seconds()
    due = [(u, p) for u, p in services.due_digests(now=now + datetime.timedelta(seconds=2)) if u in set(people)]
    result["due_s"] = time.perf_counter() - started
    result["due_cpu"] = cpu_seconds() - cpu
    say(f"   {len(due):,} digests due, found in {result['due_s']:.2f} s")
    queries, timings, sizes, sent = [], [], [], 0
    started, cpu = time.perf_counter(), cpu_seconds()
    # As the scheduled task does: batches of DIGEST_BATCH_SIZE people, one task each.
    for batch in services.batches(due):
        connection.queries_log.clear()  # the log keeps 9,000 queries; count each batch from empty
        with CaptureQueriesContext(connection) as captured:
            t = time.perf_counter()
            sent += services.send_digests(pairs=batch, now=now + datetime.timedelta(seconds=3))
            timings.append((time.perf_counter() - t) * 1000)
        n = len([q for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))])
        queries.append(n)
        sizes.append(len(batch))
        if len(mail.outbox) > 500:
            mail.outbox.clear()
    result["send_s"] = time.perf_counter() - started
    result["send_cpu"] = cpu_seconds() - cpu
    result.update(
        digests=len(due),
        sent=sent,
        batches=len(sizes),
        batch_size=max(sizes),
        per_batch_ms=statistics.median(timings),
        per_digest_ms=sum(timings) / len(due),
        queries_min=min(queries),
        queries_max=max(queries),
        total_s=result["collect_s"] + result["due_s"] + result["send_s"],
        total_cpu=result["collect_cpu"] + result["due_cpu"] + result["send_cpu"],
    )
    say(
        f"   sent {sent:,} emails for {len(due):,} digests in {result['send_s']:.1f} s: {len(sizes)} batches of up to "
        f"{max(sizes)} people (median {result['per_batch_ms']:.0f} ms per batch, "
        f"{result['per_digest_ms']:.1f} ms per digest); queries per batch {result['queries_min']}–"
        f"{result['queries_max']}"
    )
    say(f"   total worker time: {result['total_s']:.1f} s wall, {result['total_cpu']:.1f} s CPU (worker + database)")
    return result


def write_section(path, r):
    lines = [
        SECTION,
        "",
        f"Generated by `python bench/digest.py` (part of `make bench`). Run of {r['started']} on {machine()}; "
        f"load average {r['load']:.1f} during the run (other work shared the 2 cores).",
        "",
        f"{r['users']:,} people (80 % reporters in the synthetic organizations, 4 % reviewers, 16 % readers following "
        f"an item, a country and a theme each) over {r['updates']:,} progress updates; one day of {r['reviews']:,} "
        "reviews (3 in 4 verified, 1 in 4 returned). Tasks run eagerly in one process: the work of one worker "
        "without the broker's round trips; emails go to an in-memory mailbox.",
        "",
        "| Step | Wall time | CPU time (worker + its database backend) |",
        "|---|---:|---:|",
        f"| Collect notifications from the day's reviews ({r['notifications']:,} created) | {r['collect_s']:.2f} s | "
        f"{r['collect_cpu']:.2f} s |",
        f"| Find the digests due ({r['digests']:,}) | {r['due_s']:.2f} s | {r['due_cpu']:.2f} s |",
        f"| Claim, build and send every digest ({r['sent']:,} emails; empty digests are recorded, not sent) | "
        f"{r['send_s']:.1f} s | {r['send_cpu']:.1f} s |",
        f"| **Total worker time** | **{r['total_s']:.1f} s** | **{r['total_cpu']:.1f} s** |",
        "",
        f"Digests go out in batches ({r['batches']} batches of up to {r['batch_size']} people, `DIGEST_BATCH_SIZE`; "
        f"one task each): median {r['per_batch_ms']:.0f} ms per batch, {r['per_digest_ms']:.1f} ms per digest; "
        f"**{r['queries_min']}–{r['queries_max']} queries per batch** whatever the number of people in it or the "
        "length of their digests (no N+1; `tests/test_alerts.py` pins it: a batch of 3 people and one of 10 with "
        "dozens of lines each cost the same queries).",
        "",
        f"Goal: a digest run for 5,000 people in under a minute of worker time — in wall time "
        f"{'met' if r['total_s'] < 60 else '**missed**'} ({r['total_s']:.1f} s, with the load average above on 2 "
        f"cores), in CPU time {'met' if r['total_cpu'] < 60 else '**missed**'} ({r['total_cpu']:.1f} s).",
    ]
    target = Path(path)
    text = target.read_text() if target.exists() else "# Performance\n"
    section = "\n".join(lines) + "\n"
    if SECTION in text:
        # Replace our section (up to the next "## " heading) and keep the rest.
        text = re.sub(rf"{SECTION}\n.*?(?=\n## |\Z)", section, text, count=1, flags=re.S)
    else:
        marker = "\n## What keeps it fast"
        text = (
            text.replace(marker, "\n" + section + marker, 1) if marker in text else text.rstrip("\n") + "\n\n" + section
        )
    target.write_text(text)


if __name__ == "__main__":
    main()
