"""Issue 15 item 1: imports (preview and confirm) run as Celery tasks, with a progress page and "My imports".

Eagerly (no broker: in the request), on a real worker against Redis, retried after a failure, and with the
worker killed mid-import (nothing partial; the retry writes every row once). The progress page works with
JavaScript off (it refreshes itself) and only the importer (and staff) see it.
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from import_jobs import services as jobs
from import_jobs import tasks
from import_jobs.models import ImportJob, JobState, Phase
from recommendations import services
from recommendations.models import Actor, ImportBatch, ImportState, ProgressUpdate, Recommendation
from recommendations.services import import_batches

from .factories import EVIDENCE, NARRATIVE
from .test_imports import csv_file
from .test_worker import real_worker, wait_for  # noqa: F401 (real_worker: a fixture)

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["actor_code", "recommendation_code", "status", "as_of", "evidence_urls", "narrative"]
IMPORT = "recommendations:progress_import"


def rows_data(n: int) -> bytes:
    """``n`` new rows: every country × every policy item, as many as asked."""
    countries = list(Actor.objects.countries().order_by("code").values_list("code", flat=True))
    items = list(Recommendation.objects.filter(kind="policy").order_by("code").values_list("code", flat=True))
    rows = [[c, i, "limited", "2020-01-01", EVIDENCE[0], NARRATIVE] for i in items for c in countries][:n]
    assert len(rows) == n, f"only {len(rows)} country × item pairs"
    return csv_file(rows, columns=COLUMNS).getvalue()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, organization, data: bytes, filename="mine.csv"):
    return client.post(
        reverse(IMPORT),
        {"step": "upload", "file": SimpleUploadedFile(filename, data), "organization": organization.pk},
    )


def previewed(people, n=3, user=None) -> ImportBatch:
    """A batch of ``n`` rows, previewed through the task (eagerly), as the importer's upload does."""
    user = user or people.reporter_a
    data = ContentFile(rows_data(n))
    batch = services.start_import(file=data, filename="f.csv", organization=people.org_a, user=user)
    job = jobs.start_preview(batch=batch, user=user)
    assert job.state == JobState.DONE, job.error
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED
    return batch


def test_the_import_tasks_are_late_acknowledged_bounded_and_time_limited():
    for task in (tasks.preview_import, tasks.confirm_import):
        assert task.acks_late and task.reject_on_worker_lost, task.name
        assert 0 < task.max_retries <= 5, task.name
        assert task.soft_time_limit and task.time_limit > task.soft_time_limit, task.name


# ---------------------------------------------------------------------------
# Eager: no broker, the whole flow in the request
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_worker_preview_and_confirm_run_as_tasks_in_the_request(people):
    client = logged_in(people.reporter_a)
    page = upload(client, people.org_a, rows_data(3))
    assert page.status_code == 200
    assert "3 rows read" in page.content.decode() and "Import 3 updates" in page.content.decode()
    batch = ImportBatch.objects.get(created_by=people.reporter_a)
    job = ImportJob.objects.get(batch=batch)
    assert (job.phase, job.state, job.attempts, job.rows_done, job.rows_total) == (Phase.PREVIEW, "done", 1, 3, 3)
    assert job.plan["create"] == 3 and len(job.plan["create_rows"]) == 3

    done = client.post(reverse(IMPORT), {"step": "confirm", "token": str(batch.pk)})
    assert done.status_code == 302 and done.url == reverse("recommendations:my_updates")
    job.refresh_from_db()
    batch.refresh_from_db()
    assert (job.phase, job.state, job.attempts, job.error) == (Phase.CONFIRM, "done", 1, "")
    assert batch.state == ImportState.CONFIRMED and batch.created == 3
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 3
    # The result stays: the job's page says what was created, unchanged, rejected.
    result = client.get(reverse("import_jobs:job", args=[batch.pk])).content.decode()
    assert "Result: Imported" in result and "<strong>3</strong> updates created" in result
    assert 'http-equiv="refresh"' not in result


@pytest.mark.django_db
def test_a_file_with_rejected_rows_keeps_the_reasons_under_my_imports(people):
    client = logged_in(people.reporter_a)
    data = csv_file(
        [["MEX", "R99", "limited", "2020-01-01", EVIDENCE[0], NARRATIVE], ["KEN", "R56", "limited", "someday", "", ""]],
        columns=COLUMNS,
    ).getvalue()
    page = upload(client, people.org_a, data)
    assert "Unknown item code “R99”" in page.content.decode()
    batch = ImportBatch.objects.get(created_by=people.reporter_a)
    assert batch.state == ImportState.REJECTED
    mine = client.get(reverse("import_jobs:mine")).content.decode()
    assert reverse("import_jobs:job", args=[batch.pk]) in mine and "Refused: the file has errors" in mine
    later = client.get(reverse("import_jobs:job", args=[batch.pk])).content.decode()
    assert "Unknown item code “R99”" in later and "<strong>2</strong> rejected" in later


@pytest.mark.django_db
def test_an_unreadable_file_is_refused_on_the_form_with_the_reason(people):
    page = upload(logged_in(people.reporter_a), people.org_a, b"just some words\n", filename="x.csv")
    assert page.status_code == 200
    assert ImportJob.objects.get().refused
    assert "errorlist" in page.content.decode() or "invalid-feedback" in page.content.decode()


# ---------------------------------------------------------------------------
# The progress page, JavaScript off; My imports; permissions
# ---------------------------------------------------------------------------


def running(batch, *, done, total, seconds_ago=10, phase=Phase.CONFIRM) -> ImportJob:
    now = timezone.now()
    job, _ = ImportJob.objects.update_or_create(
        batch=batch,
        defaults={
            "phase": phase,
            "state": JobState.RUNNING,
            "rows_done": done,
            "rows_total": total,
            "queued_at": now - datetime.timedelta(seconds=seconds_ago),
            "started_at": now - datetime.timedelta(seconds=seconds_ago),
            "heartbeat_at": now,
            "requested_by": batch.created_by,
        },
    )
    return job


@pytest.mark.django_db
def test_the_progress_page_without_javascript_shows_rows_done_and_refreshes_itself(people):
    batch = previewed(people)
    running(batch, done=4_000, total=10_000, seconds_ago=10)
    client = logged_in(people.reporter_a)
    page = client.get(reverse("import_jobs:job", args=[batch.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert 'role="status" aria-live="polite"' in html
    # 10 s for 4,000 rows: about 15 s for the 6,000 left (a little more on a slow machine).
    assert "4,000 of 10,000 rows (40%)" in html and re.search(r"about 1[5-9] seconds left", html)
    assert '<progress class="w-100" max="10000" value="4000"' in html
    assert "bulk/bulk.js" in html  # with JavaScript, the bar fills from the JSON instead
    assert "autofocus" not in html
    live = client.get(reverse("import_jobs:job", args=[batch.pk]), {"format": "json"}).json()
    assert (live["state"], live["processed"], live["total"], live["percent"]) == ("running", 4000, 10000, 40)
    assert 15 <= live["seconds_left"] < 20 and "4,000 of 10,000 rows" in live["message"]


@pytest.mark.django_db
def test_a_stalled_import_offers_a_retry_and_stops_refreshing(people, settings):
    settings.IMPORT_JOB_STALLED_AFTER = 60
    batch = previewed(people)
    job = running(batch, done=10, total=20)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))
    html = logged_in(people.reporter_a).get(reverse("import_jobs:job", args=[batch.pk])).content.decode()
    assert "Retry the import" in html and 'http-equiv="refresh"' not in html


@pytest.mark.django_db
def test_my_imports_lists_only_your_own(people):
    mine = previewed(people, n=2)
    theirs = services.start_import(
        file=ContentFile(rows_data(2)), filename="theirs.csv", organization=people.org_b, user=people.reporter_b
    )
    jobs.start_preview(batch=theirs, user=people.reporter_b)
    page = logged_in(people.reporter_a).get(reverse("import_jobs:mine"))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("import_jobs:job", args=[mine.pk]) in html
    assert reverse("import_jobs:job", args=[theirs.pk]) not in html and "theirs.csv" not in html
    # It is in the navigation of people who import.
    assert f'href="{reverse("import_jobs:mine")}"' in html


@pytest.mark.django_db
def test_only_the_importer_and_staff_see_an_import(people):
    batch = previewed(people)
    running(batch, done=1, total=3)
    url = reverse("import_jobs:job", args=[batch.pk])
    other = logged_in(people.reporter_b)
    assert other.get(url).status_code == 403
    assert other.get(url, {"format": "json"}).status_code == 403
    assert other.post(reverse("import_jobs:retry", args=[batch.pk])).status_code == 403
    assert logged_in(people.reviewer2).get(url).status_code == 403
    assert logged_in(people.editor).get(url).status_code == 200  # staff
    assert logged_in(people.reporter_a).get(url).status_code == 200
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "login" in anonymous.url


@pytest.mark.django_db
def test_someone_elses_confirmation_is_refused_without_touching_the_job(people):
    batch = previewed(people)
    refused = logged_in(people.reporter_b).post(reverse(IMPORT), {"step": "confirm", "token": str(batch.pk)})
    assert refused.status_code in (302, 403)
    job = ImportJob.objects.get(batch=batch)
    assert (job.phase, job.state) == (Phase.PREVIEW, JobState.DONE)
    assert not ProgressUpdate.objects.filter(created_by=people.reporter_a).exists()


# ---------------------------------------------------------------------------
# Retries, and a worker killed mid-import
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_confirm_that_fails_once_is_retried_and_writes_once(people, monkeypatch):
    batch = previewed(people, n=5)
    real, calls = services.confirm_import, []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "confirm_import", flaky)
    job = jobs.start_confirm(batch_id=batch.pk, user=people.reporter_a)
    assert len(calls) == 2  # retried by the task (bounded: alerts.tasks.RETRY)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 5
    # Running the task again (a message delivered twice) writes nothing more.
    tasks.confirm_import.apply(args=[str(batch.pk), people.reporter_a.pk])
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 5


@pytest.mark.django_db
def test_a_failed_import_is_retried_with_its_button(people, monkeypatch):
    batch = previewed(people, n=4)
    real = services.confirm_import
    monkeypatch.setattr(services, "confirm_import", lambda **kw: (_ for _ in ()).throw(RuntimeError("boom")))
    job = jobs.start_confirm(batch_id=batch.pk, user=people.reporter_a)
    assert job.state == JobState.FAILED and not job.refused and "unexpected error" in job.error
    client = logged_in(people.reporter_a)
    page = client.get(reverse("import_jobs:job", args=[batch.pk])).content.decode()
    assert "Retry the import" in page and not ProgressUpdate.objects.filter(created_by=people.reporter_a).exists()
    monkeypatch.setattr(services, "confirm_import", real)
    again = client.post(reverse("import_jobs:retry", args=[batch.pk]))
    assert again.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 4
    # A done import has nothing to retry.
    client.post(reverse("import_jobs:retry", args=[batch.pk]))
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 4


class WorkerDied(BaseException):
    """What the worker's death looks like from inside the task: nothing after it runs (not an Exception)."""


@pytest.mark.django_db
def test_a_worker_that_dies_after_the_first_chunk_leaves_nothing_and_the_retry_writes_every_row_once(
    people, monkeypatch, settings
):
    settings.IMPORT_JOB_STALLED_AFTER = 60
    batch = previewed(people, n=1_200)  # two chunks of 1,000
    real, chunks = import_batches.bulk_create_with_history, []

    def dies_after_one_chunk(*args, **kwargs):
        created = real(*args, **kwargs)
        chunks.append(len(created))
        raise WorkerDied

    monkeypatch.setattr(import_batches, "bulk_create_with_history", dies_after_one_chunk)
    jobs._queue(batch, Phase.CONFIRM, people.reporter_a, total=batch.rows + batch.to_create)
    with pytest.raises(WorkerDied):
        jobs.run_confirm(batch_id=batch.pk, user_id=people.reporter_a.pk)
    assert chunks == [1_000]
    batch.refresh_from_db()
    job = ImportJob.objects.get(batch=batch)
    assert batch.state == ImportState.PREVIEWED and batch.created == 0
    assert not ProgressUpdate.objects.filter(created_by=people.reporter_a).exists()
    assert not ProgressUpdate.history.filter(created_by=people.reporter_a).exists()
    assert job.state == JobState.RUNNING  # as a dead worker leaves it: stalled after a while
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=2))
    monkeypatch.setattr(import_batches, "bulk_create_with_history", real)
    job = jobs.retry(batch_id=batch.pk, user=people.reporter_a)
    assert job.state == JobState.DONE and job.attempts == 2
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 1_200
    pairs = ProgressUpdate.objects.filter(created_by=people.reporter_a).values("actor", "recommendation")
    assert pairs.distinct().count() == 1_200


KILLED = textwrap.dedent(
    """
    import os, signal, sys
    import django
    django.setup()
    from recommendations.services import import_batches as services
    real = services.bulk_create_with_history
    def killed_after_one_chunk(*args, **kwargs):
        created = real(*args, **kwargs)
        print("chunk", len(created), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # the worker's machine pulls the plug, mid-transaction
    services.bulk_create_with_history = killed_after_one_chunk
    from import_jobs import tasks
    tasks.confirm_import.apply(args=[sys.argv[1], int(sys.argv[2])])
    print("not killed", flush=True)
    """
)


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_import_leaves_nothing_and_the_retry_completes_once(
    seeded_transactional_db, people, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("a second process needs a database it can open: PostgreSQL (SQLite's test database is in memory)")
    settings.IMPORT_JOB_STALLED_AFTER = 60
    media = Path(settings.MEDIA_ROOT)
    batch = previewed(people, n=1_500)
    jobs._queue(batch, Phase.CONFIRM, people.reporter_a, total=batch.rows + batch.to_create)
    db = connection.settings_dict
    where = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{where}"
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media), "CELERY_BROKER_URL": ""}
    worker = subprocess.run(
        [sys.executable, "-c", KILLED, str(batch.pk), str(people.reporter_a.pk)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == -signal.SIGKILL, worker.stderr[-2000:]
    assert "chunk 1000" in worker.stdout and "not killed" not in worker.stdout
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED and batch.created == 0
    assert not ProgressUpdate.objects.filter(created_by=people.reporter_a).exists()
    job = ImportJob.objects.get(batch=batch)
    assert job.state == JobState.RUNNING and job.attempts == 1
    # Its progress was recorded while it ran (beside the import's transaction), though nothing else was.
    assert job.rows_done > 0
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=2))
    response = logged_in(people.reporter_a).post(reverse("import_jobs:retry", args=[batch.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 1_500
    batch.refresh_from_db()
    assert batch.state == ImportState.CONFIRMED and batch.created == 1_500


# ---------------------------------------------------------------------------
# The real thing: a Celery worker against Redis
# ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_previews_and_confirms_an_import_end_to_end(real_worker, people):  # noqa: F811
    client = logged_in(people.reporter_a)
    sent = upload(client, people.org_a, rows_data(30))
    batch = ImportBatch.objects.get(created_by=people.reporter_a)
    job_url = reverse("import_jobs:job", args=[batch.pk])
    assert sent.status_code == 302 and sent.url == job_url  # not checked in the request: on the worker
    assert wait_for(lambda: ImportJob.objects.get(batch=batch).state == JobState.DONE)
    preview = client.get(job_url).content.decode()
    assert "30 rows read" in preview and "Import 30 updates" in preview
    confirmed = client.post(reverse(IMPORT), {"step": "confirm", "token": str(batch.pk)})
    # The job's page while the worker writes — or, when the worker was done before the request looked (30 rows
    # take it milliseconds), the result at once, as for a confirmation without a worker.
    assert confirmed.status_code == 302 and confirmed.url in (job_url, reverse("recommendations:my_updates"))
    assert wait_for(lambda: ImportJob.objects.filter(batch=batch, phase=Phase.CONFIRM, state=JobState.DONE).exists())
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 30
    result = client.get(job_url).content.decode()
    assert "<strong>30</strong> updates created" in result
    assert client.get(job_url, {"format": "json"}).json()["state"] == "done"


@pytest.mark.django_db
def test_the_progress_message_groups_rows_the_reader_s_way(people):
    """The message wrote English grouping on every page ("4,000 of 10,000 rows" in French)."""
    from django.utils import translation

    batch = previewed(people)
    running(batch, done=4_000, total=10_000, seconds_ago=10)
    with translation.override("fr"):
        url = reverse("import_jobs:job", args=[batch.pk])
    live = logged_in(people.reporter_a).get(url, {"format": "json"}).json()
    assert "4\u00a0000" in live["message"] and "10\u00a0000" in live["message"] and "4,000" not in live["message"]


@pytest.mark.django_db
def test_the_preview_writes_dates_at_their_precision_and_values_in_the_reader_s_language(people):
    # It wrote "2019-03-01 (month)" (the precision's code, in English) and the value as the file gave it.
    client = logged_in(people.reporter_a)
    columns = ["actor_code", "recommendation_code", "status", "as_of", "value", "evidence_urls", "narrative"]
    rows = [
        ["DEU", "R56", "limited", "2019-03", "", EVIDENCE[0], NARRATIVE],
        ["PHL", "R17", "", "2019", "7.25", EVIDENCE[0], NARRATIVE],
    ]
    page = client.post(
        "/fr" + reverse(IMPORT),
        {
            "step": "upload",
            "file": SimpleUploadedFile("f.csv", csv_file(rows, columns=columns).getvalue()),
            "organization": people.org_a.pk,
        },
    ).content.decode()
    assert "mars 2019" in page and "(month)" not in page
    assert "(7,25)" in page
    # The countries by their French names: the page answered 500 in every language but English, the stored plan
    # holding only the English name.
    assert "Allemagne" in page


def test_a_plan_stored_before_the_countries_other_names_were_kept_still_shows():
    from django.utils import translation

    from import_jobs.plans import StoredPlan
    from languages.names import actor_name

    row = {"row": 2, "actor": {"name": "Germany"}, "recommendation": {"code": "R56"}, "status_label": "Limited"}
    row |= {"value": None, "as_of": "2019-03-01", "as_of_precision": "month", "organization": {"name": "Org"}}
    plan = StoredPlan({"create": 1, "create_rows": [row]})
    with translation.override("fr"):
        assert actor_name(plan.create[0].actor) == "Germany"


@pytest.mark.django_db
def test_a_worker_checks_the_file_in_the_language_of_the_person_who_uploaded_it(people, monkeypatch):
    # A worker's process speaks the site's language; the plan it stores (reasons, labels) is read by the uploader.
    from django.utils import translation

    sent = []  # what goes to the worker (here the eager path's apply, which a worker's delay mirrors)
    monkeypatch.setattr(tasks.preview_import, "apply", lambda args, kwargs: sent.append((args, kwargs)))
    rows = [["KEN", "R56", "limitedish", "2020-01-01", EVIDENCE[0], NARRATIVE]]
    batch = services.start_import(
        file=ContentFile(csv_file(rows, columns=COLUMNS).getvalue()),
        filename="f.csv",
        organization=people.org_a,
        user=people.reporter_a,
    )
    with translation.override("fr"):
        jobs.start_preview(batch=batch, user=people.reporter_a)
    [(args, kwargs)] = sent
    assert kwargs == {"language": "fr"}
    monkeypatch.undo()
    tasks.preview_import.apply(args=args, kwargs=kwargs)  # the worker, in English here
    reasons = [reason for _row, _column, reason in ImportJob.objects.get(batch=batch).plan["rejections"]]
    assert reasons and all("Statut inconnu" in reason for reason in reasons), reasons
