"""Time and memory of importing a 10,000-row spreadsheet (preview, then the write), on a scratch database.

    DATABASE_URL=sqlite:////tmp/import-bench.sqlite3 python bench/import_10k.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/import_bench python bench/import_10k.py  (database must exist)

The import runs as on the web page, through its background tasks
(import_jobs): a batch is stored, previewed by the preview task, sent for
review as verified by one reviewer and confirmed by a second through the
confirm task (re-planned inside the writing transaction, then written with
each update's two history entries). Without CELERY_BROKER_URL the tasks run
eagerly in this process (as `make run` does); with it, a worker (`make worker`,
same DATABASE_URL) runs them and this script follows the job's progress as the
page does. Prints one line per step: seconds, the Python heap peak of this process
(tracemalloc; eager only), and how many progress readings the job page would have seen.
"""

import csv
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from import_jobs import services as jobs  # noqa: E402
from recommendations import services  # noqa: E402
from recommendations.models import Actor, Membership, ProgressUpdate, Recommendation  # noqa: E402

NARRATIVE = "The ministry published the programme and its budget in the official gazette."


def main(rows: int = 10_000):
    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    if ProgressUpdate.objects.exists():
        sys.exit("Use an empty scratch database: this one already holds progress updates.")
    org, _ = Actor.objects.get_or_create(
        code="bench-importer", defaults={"kind": "organization", "name": "Bench importer", "organization_type": "ngo"}
    )
    user, _ = User.objects.get_or_create(username="bench-importer")
    checker, _ = User.objects.get_or_create(username="bench-checker")
    for person in (user, checker):
        person.groups.add(Group.objects.get(name="Reviewer"))
        Membership.objects.get_or_create(user=person, organization=org)
    countries = list(Actor.objects.countries().values_list("code", flat=True))
    items = list(Recommendation.objects.filter(kind="policy").values_list("code", flat=True))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["actor_code", "recommendation_code", "status", "as_of", "evidence_urls", "narrative"])
    writer.writerows(
        [c, i, "limited", "2020-01-01", "https://example.org/e", NARRATIVE] for i in items for c in countries
    )
    data = out.getvalue().encode()
    lines = data.count(b"\n") - 1
    data = b"\n".join(data.split(b"\n")[: rows + 1]) + b"\n"
    print(f"{min(rows, lines):,} rows, {len(data) / 1024:.0f} KB, {django.db.connection.vendor}")

    tracemalloc.start()
    started = time.perf_counter()
    batch = services.start_import(
        file=ContentFile(data), filename="bench.csv", organization=org, user=user, verified=True, source="bench"
    )
    job = follow(jobs.start_preview(batch=batch, user=user))
    _, peak = tracemalloc.get_traced_memory()
    print(
        f"preview task: {time.perf_counter() - started:.2f} s, {job.plan['create']:,} to create, "
        f"{job.rows_total:,} rows, heap peak {peak / 1e6:.0f} MB{readings(job)}"
    )
    job = follow(jobs.start_confirm(batch_id=batch.pk, user=user))  # to the review queue
    tracemalloc.reset_peak()
    started = time.perf_counter()
    job = follow(jobs.start_confirm(batch_id=batch.pk, user=checker))
    _, peak = tracemalloc.get_traced_memory()
    batch.refresh_from_db()
    assert job.state == "done" and not job.error, job.error
    print(
        f"confirm task (re-plan, then write verified, with history and current statuses, one transaction): "
        f"{time.perf_counter() - started:.2f} s, {batch.created:,} created, heap peak {peak / 1e6:.0f} MB"
        f"{readings(job)}"
    )


SEEN: list[tuple[float, int]] = []


def follow(job):
    """Wait for a job run by a worker, reading its progress twice a second as the page's script does."""
    SEEN.clear()
    while job.state in ("queued", "running"):
        time.sleep(0.5)
        job.refresh_from_db()
        SEEN.append((time.perf_counter(), job.rows_done))
    return job


def readings(job) -> str:
    if not SEEN:
        return " (eager: ran in this process)"
    distinct = len({done for _, done in SEEN})
    return f"; the page saw {distinct} different progress figures of {job.rows_total:,} rows"


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
