"""The engine (eager without a broker, after commit), retries, background exports, the current-status check,
and digests sent at most once when many workers run at the same time."""

import datetime
import io
import smtplib
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.base import ContentFile
from django.core.mail.backends.locmem import EmailBackend as Mailbox
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from alerts import exports, services, tasks
from alerts.models import ConsistencyCheck, Digest, ExportJob, ExportState, Notification, NotificationKind, Watermark
from recommendations import services as tracker
from recommendations.models import CurrentStatus, ImportBatch, ProgressUpdate, Recommendation

from .factories import filed, record

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------


def test_without_a_broker_tasks_run_eagerly_in_process():
    from tracker.celery import app

    assert app.conf.task_always_eager is True
    code = "import tracker.settings as s; print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    env = {"PATH": "/usr/bin:/bin", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}
    configured = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert configured.stdout.split() == ["False", "redis://127.0.0.1:6379/0"], configured.stderr


@pytest.mark.parametrize(
    ("broker", "says"), [("", "no worker configured"), ("redis://127.0.0.1:6379/0", "make worker")]
)
def test_make_run_says_whether_a_worker_is_configured(broker, says):
    recipe = subprocess.run(
        ["make", "-n", "--no-print-directory", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    lines = recipe.splitlines()
    start = next(n for n, line in enumerate(lines) if "CELERY_BROKER_URL" in line)
    end = next(n for n in range(start, len(lines)) if lines[n].rstrip().endswith("fi"))
    line = " ".join(part.rstrip().rstrip("\\") for part in lines[start : end + 1])
    out = subprocess.run(["sh", "-c", line], env={"CELERY_BROKER_URL": broker}, capture_output=True, text=True)
    assert out.stdout.count("\n") == 1 and says in out.stdout


@pytest.mark.django_db
def test_a_task_sent_inside_a_transaction_waits_for_the_commit(people, django_capture_on_commit_callbacks):
    Watermark.objects.create(name="notifications", at=timezone.now() - datetime.timedelta(hours=1))
    tracker.verify_update(
        update=(u := filed(user=people.reporter_a, organization=people.org_a)),
        reviewer=people.reviewer2,
        expected_version=1,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        assert tasks.collect_notifications.delay() is None  # held back
        assert not Notification.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()  # the commit
    assert Notification.objects.filter(user=people.reporter_a, update=u, kind=NotificationKind.VERIFIED).exists()


def _one_verified_update_collected(people):
    """reporter_a's update, verified within the collector's window, turned into notifications."""
    Watermark.objects.create(name="notifications", at=timezone.now() - datetime.timedelta(hours=1))
    update = filed(user=people.reporter_a, organization=people.org_a)
    tracker.verify_update(update=update, reviewer=people.reviewer2, expected_version=update.version)
    services.collect_notifications()


@pytest.mark.django_db
def test_a_failed_send_is_retried_and_sent_once(people, monkeypatch):
    _one_verified_update_collected(people)
    attempts = []
    real_send = Mailbox.send_messages

    def flaky(self, messages):
        attempts.append(1)
        if len(attempts) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, messages)

    monkeypatch.setattr(Mailbox, "send_messages", flaky)
    result = tasks.send_digest.apply(args=(people.reporter_a.pk, "D2030-01-01"))  # eagerly: retried at once
    assert result.successful() and result.result is True
    assert len(attempts) == 2 and len(mail.outbox) == 1
    digest = Digest.objects.get(user=people.reporter_a)
    assert digest.sent_at is not None and digest.items == 1


@pytest.mark.django_db
def test_retries_are_bounded(people, monkeypatch):
    _one_verified_update_collected(people)
    attempts = []

    def down(self, messages):
        attempts.append(1)
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(Mailbox, "send_messages", down)
    result = tasks.send_digest.apply(args=(people.reporter_a.pk, "D2030-01-01"))
    assert result.failed() and isinstance(result.result, smtplib.SMTPServerDisconnected)
    assert len(attempts) == tasks.send_digest.max_retries + 1
    digest = Digest.objects.get(user=people.reporter_a)
    assert digest.sent_at is None and digest.lease_until <= timezone.now()  # free for a later run to take over
    monkeypatch.undo()
    assert services.send_digest(user_id=people.reporter_a.pk, period="D2030-01-01") is True
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_batch_whose_send_fails_half_way_marks_what_left_and_its_retry_sends_the_rest_once(people, monkeypatch):
    followers = [User.objects.create_user(f"b{n}", email=f"b{n}@example.org") for n in range(3)]
    for user in followers:
        services.follow(user=user, target=Recommendation.objects.get(code="R56"))
    _one_verified_update_collected(people)
    attempts = []
    real_send = Mailbox.send_messages

    def second_fails_once(self, messages):
        attempts.append(messages[0].to[0])
        if len(attempts) == 2:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, messages)

    monkeypatch.setattr(Mailbox, "send_messages", second_fails_once)
    pairs = [[u.pk, "D2030-01-01"] for u in followers]
    result = tasks.send_digest_batch.apply(args=(pairs,))  # eagerly: retried at once
    assert result.successful()
    assert sorted(m.to[0] for m in mail.outbox) == ["b0@example.org", "b1@example.org", "b2@example.org"]
    assert attempts.count("b1@example.org") == 2 and attempts.count("b0@example.org") == 1  # b0 not sent twice
    assert Digest.objects.filter(user__in=followers, sent_at__isnull=False, items=1).count() == 3


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs (no ``except Exception`` sees it)."""


@pytest.mark.django_db
def test_a_digest_whose_sender_died_mid_send_is_sent_once_by_a_later_scheduled_run(people, monkeypatch, settings):
    settings.DIGEST_LEASE_SECONDS = 300
    _one_verified_update_collected(people)
    now = timezone.now()
    period = services.period_keys(now)["daily"]

    def killed(self, messages):
        raise WorkerKilled

    monkeypatch.setattr(Mailbox, "send_messages", killed)
    with pytest.raises(WorkerKilled):
        services.send_digest(user_id=people.reporter_a.pk, period=period, now=now)
    monkeypatch.undo()
    digest = Digest.objects.get(user=people.reporter_a, period=period)
    assert digest.sent_at is None and digest.notifications.exists()  # claimed, its events attached, never sent
    mine = (people.reporter_a.pk, period)
    # While the lease lasts its sender may still be at work: nobody takes it over.
    assert mine not in services.due_digests(now=now + datetime.timedelta(seconds=60))
    later = now + datetime.timedelta(seconds=301)
    assert mine in services.due_digests(now=later)
    for _ in range(2):  # the scheduled run, twice: sent once
        for user_id, due in services.due_digests(now=later):
            services.send_digest(user_id=user_id, period=due, now=later)
    to_reporter = [message for message in mail.outbox if message.to == [people.reporter_a.email]]
    assert len(to_reporter) == 1
    digest.refresh_from_db()
    assert digest.sent_at is not None and digest.items == 1


@pytest.mark.django_db(transaction=True)
def test_a_digest_sent_while_the_database_restarts_is_marked_sent_when_it_is_back_and_never_sent_again(
    seeded_transactional_db, people, settings
):
    import psycopg2
    from django.db import OperationalError

    settings.DIGEST_LEASE_SECONDS = 300
    _one_verified_update_collected(people)
    now = timezone.now()
    period = services.period_keys(now)["daily"]
    cut = []

    def restart_after_the_send(execute, sql, params, many, context):
        # The email has left; the database is restarting: the connection is cut under the "sent" mark, once.
        if sql.startswith('UPDATE "alerts_digest" SET "sent_at"') and not cut:
            cut.append(sql)
            raise OperationalError("server closed the connection") from psycopg2.OperationalError(
                "server closed the connection unexpectedly"
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(restart_after_the_send):
        assert services.send_digest(user_id=people.reporter_a.pk, period=period, now=now) is True
    assert cut and len(mail.outbox) == 1
    digest = Digest.objects.get(user=people.reporter_a, period=period)
    assert digest.sent_at is not None
    later = now + datetime.timedelta(seconds=301)
    for user_id, due in services.due_digests(now=later):
        services.send_digest(user_id=user_id, period=due, now=later)
    assert [m.to for m in mail.outbox].count([people.reporter_a.email]) == 1


def test_every_task_is_late_acknowledged_bounded_and_time_limited():
    from tracker.celery import app

    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if name.startswith("alerts.")]
    assert len(ours) >= 6
    for task in ours:
        assert task.acks_late and task.reject_on_worker_lost, task.name
        assert 0 < task.max_retries <= 5, task.name
        assert task.soft_time_limit and task.time_limit > task.soft_time_limit, task.name


@pytest.mark.django_db
def test_default_schedules_are_in_the_database_for_beat():
    from django_celery_beat.models import PeriodicTask

    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {
        "alerts.send_digests",
        "alerts.check_current_statuses",
        "alerts.delete_old_exports",
        "alerts.prune",
        "alerts.sweep_uploads",
    } <= scheduled


# ---------------------------------------------------------------------------
# Digests under concurrency (PostgreSQL)
# ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_digest_runs_at_once_send_each_digest_once(seeded_transactional_db, people):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the claim under concurrency is PostgreSQL's")
    followers = [User.objects.create_user(f"f{n}", email=f"f{n}@example.org") for n in range(12)]
    for user in followers:
        services.follow(user=user, target=Recommendation.objects.get(code="R56"))
    Watermark.objects.create(name="notifications", at=timezone.now() - datetime.timedelta(hours=1))
    update = filed(user=people.reporter_a, organization=people.org_a)
    tracker.verify_update(update=update, reviewer=people.reviewer2, expected_version=update.version)
    threads, barrier, errors = 6, threading.Barrier(6), []

    def run(in_batches):
        try:
            barrier.wait()
            services.collect_notifications()
            due = services.due_digests()
            if in_batches:  # what the scheduled task does: batches of people (small here, so they overlap)
                for batch in services.batches(due, size=5):
                    services.send_digests(pairs=batch)
            else:
                for user_id, period in reversed(due):
                    services.send_digest(user_id=user_id, period=period)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(n % 2 == 0,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    addresses = [m.to[0] for m in mail.outbox]
    assert len(addresses) == len(set(addresses)), sorted(addresses)
    assert {f"f{n}@example.org" for n in range(12)} <= set(addresses)
    assert Notification.objects.filter(user__in=followers).count() == 12
    assert Notification.objects.filter(digest__isnull=True).count() == 0
    # And once more, one after the other: nothing new goes out.
    run_again = threading.Thread(target=lambda: (barrier.reset(), None))
    run_again.start()
    run_again.join()
    for user_id, period in services.due_digests():
        services.send_digest(user_id=user_id, period=period)
    assert len(mail.outbox) == len(addresses)


# ---------------------------------------------------------------------------
# Background exports
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_large_xlsx_export_is_built_by_a_task_and_offered_as_a_link(
    client, settings, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    settings.EXPORT_IN_BACKGROUND_ABOVE = 100
    query = "actor_kind=country&item=R02"  # 195 rows: above the (lowered) threshold
    small = client.get(reverse("recommendations:status_xlsx") + "?item=R02&actor=KEN,UGA")
    assert small.status_code == 200 and small["Content-Type"].startswith("application/vnd.openxmlformats")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("recommendations:status_xlsx") + "?" + query)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("alerts:export", args=[job.token])
    waiting = client.get(response.url).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting and "Waiting for a worker" in waiting
    assert client.get(reverse("alerts:export_download", args=[job.token])).status_code == 404
    # The same request again reuses the job instead of building the file twice.
    assert client.get(reverse("recommendations:status_xlsx") + "?" + query).url == response.url
    for callback in callbacks:  # the commit: the (eager) task runs
        callback()
    job.refresh_from_db()
    assert job.state == ExportState.READY and job.rows == 195
    ready = client.get(response.url).content.decode()
    assert "http-equiv" not in ready and reverse("alerts:export_download", args=[job.token]) in ready
    download = client.get(reverse("alerts:export_download", args=[job.token]))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(workbook["status"].values)
    code = rows[0].index("recommendation_code")
    assert len(rows) == 196 and rows[0][0] == "actor_code" and {r[code] for r in rows[1:]} == {"R02"}
    # Building it again (a redelivered task) changes nothing.
    tasks.build_export.apply(args=(job.pk,))
    assert ExportJob.objects.get().state == ExportState.READY


@pytest.mark.django_db
def test_old_exports_are_deleted(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = ExportJob.objects.create(format="xlsx", query="item=R02")
    tasks.build_export.apply(args=(job.pk,))
    job.refresh_from_db()
    path = tmp_path / "exports" / job.file
    assert path.exists()
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert tasks.delete_old_exports.apply().result == 1
    assert not path.exists() and not ExportJob.objects.exists()


@pytest.mark.django_db
def test_an_export_of_an_invalid_filter_fails_with_the_reason():
    job = ExportJob.objects.create(format="xlsx", query="status=bogus")
    tasks.build_export.apply(args=(job.pk,))
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and "bogus" in job.error


# ---------------------------------------------------------------------------
# The current-status check
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_consistency_check_finds_a_drifted_pair_and_alerts_staff(people, country):
    items = list(Recommendation.objects.filter(kind="policy")[:6])
    for n, item in enumerate(items):
        record(actor=country("KEN"), recommendation=item, status="limited", as_of=datetime.date(2015, 1, 1 + n))
        record(actor=country("KEN"), recommendation=item, status="complete", as_of=datetime.date(2019, 1, 1 + n))
    clean = services.check_current_statuses(sample=200)
    assert clean.pairs == 6 and clean.differences == []
    assert not Notification.objects.filter(kind=NotificationKind.CHECK).exists()
    # A write that bypassed the services: the table now shows the older status for one pair.
    drifted = CurrentStatus.objects.get(recommendation=items[2])
    older = ProgressUpdate.objects.get(recommendation=items[2], status="limited")
    CurrentStatus.objects.filter(pk=drifted.pk).update(update=older, status="limited")
    CurrentStatus.objects.filter(recommendation=items[4]).delete()
    check = services.check_current_statuses(sample=200)
    assert {d["recommendation_id"] for d in check.differences} == {items[2].pk, items[4].pk}
    assert ConsistencyCheck.objects.count() == 2
    assert Notification.objects.filter(kind=NotificationKind.CHECK, user=people.editor).exists()
    assert not Notification.objects.filter(kind=NotificationKind.CHECK, user=people.reporter_a).exists()


@pytest.mark.django_db
def test_consistency_check_task_emails_staff_after_commit(people, country, django_capture_on_commit_callbacks):
    item = Recommendation.objects.filter(kind="policy").first()
    record(actor=country("KEN"), recommendation=item, status="limited", as_of=datetime.date(2015, 1, 1))
    CurrentStatus.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.check_current_statuses.apply(kwargs={"sample": 50}).result == 1
    (message,) = mail.outbox
    assert message.to == ["editor@example.org"] and "1 difference" in message.subject


@override_settings(SINGLE_REVIEWER_MODE=False)
def test_settings_default_background_thresholds():
    from django.conf import settings

    assert settings.EXPORT_IN_BACKGROUND_ABOVE == 20000 and settings.CELERY_TASK_ACKS_LATE is True


@pytest.mark.django_db
def test_consistency_check_samples_large_tables(country):
    import random

    for n, item in enumerate(Recommendation.objects.filter(kind="policy")[:20]):
        record(actor=country("KEN"), recommendation=item, status="limited", as_of=datetime.date(2015, 1, 1 + n))
    check = services.check_current_statuses(sample=8, rng=random.Random(3))
    assert 0 < check.pairs <= 8 and check.differences == []


@pytest.mark.django_db
def test_old_notifications_and_digests_are_forgotten(people, settings):
    settings.NOTIFICATIONS_KEEP_DAYS = 30
    _one_verified_update_collected(people)
    services.send_digest(user_id=people.reporter_a.pk, period="D2030-01-01")
    assert tasks.prune.apply().result == 0
    rows = Notification.objects.count() + Digest.objects.count()
    assert rows >= 3  # the author's, the reviewer's colleague's notifications and a digest
    assert services.prune(now=timezone.now() + datetime.timedelta(days=31)) == rows
    assert not Notification.objects.exists() and not Digest.objects.exists()


@pytest.mark.django_db
def test_the_upload_sweep_task_deletes_abandoned_previews(people, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    batch = tracker.start_import(
        file=ContentFile(b"actor_code,recommendation_code,status,as_of\n"),
        filename="old.csv",
        user=people.reporter_a,
        organization=people.org_a,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    assert tasks.sweep_uploads.apply().result == 2  # the preview and its stored upload
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()


@pytest.mark.django_db
def test_a_background_export_speaks_the_requester_s_language(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The worker has no request: the job records the language of the page that asked, and the workbook's "about"
    sheet is written in it (the status sheet's columns stay the English contract). The same query asked in
    English is another job, in English."""
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_IN_BACKGROUND_ABOVE = 100
    query = "actor_kind=country&item=R02"
    with translation.override("ar"):
        url = reverse("recommendations:status_xlsx")
    with translation.override("en"):
        english_url = reverse("recommendations:status_xlsx")
    assert url == "/ar" + english_url
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(f"{url}?{query}")
        english = client.get(f"{english_url}?{query}")
    assert response.status_code == 302 and english.status_code == 302 and response.url != english.url
    assert sorted(ExportJob.objects.values_list("language", flat=True)) == ["ar", "en"]
    translation.activate("fr")  # the worker's own language must not matter
    try:
        for callback in callbacks:
            callback()
    finally:
        translation.deactivate()
    books = {}
    for job in ExportJob.objects.all():
        assert job.state == ExportState.READY
        path = tmp_path / "exports" / job.file
        books[job.language] = load_workbook(path, read_only=True)
    about = {lang: [row[0] for row in book["about"].values] for lang, book in books.items()}
    assert about["ar"][:2] == ["التقرير", "الإشارة المقترحة"]
    assert about["en"][:2] == ["Report", "Suggested citation"]
    assert next(books["ar"]["status"].values) == next(books["en"]["status"].values)


@pytest.mark.django_db
def test_a_failed_background_export_says_why_in_the_requester_s_language():
    from django.utils.translation import gettext_lazy

    job = ExportJob.objects.create(format="xlsx", query="item=R02", language="fr")
    with translation.override("ar"):
        exports.fail_export(job_id=job.pk, error=gettext_lazy("The export failed several times; try again later."))
    job.refresh_from_db()
    with translation.override("fr"):
        french = translation.gettext("The export failed several times; try again later.")
    assert french.startswith("L'export a échoué")
    assert job.state == ExportState.FAILED and job.error == french
