"""An import is a batch: confirmed once however many times it is posted, filed by its importer, verified by a
second reviewer when it is imported "as verified", and its stored upload never outlives it.

Issue 11, items 1 (idempotent confirm under concurrency), 2 (review rules for imports), 7 (stored uploads
deleted and swept).
"""

import datetime
import io
import os
import threading
import time
from functools import partial

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recommendations import models, services
from recommendations.models import AuditAction, AuditEvent, CurrentStatus, ProgressUpdate

from .factories import EVIDENCE, NARRATIVE
from .test_imports import csv_file

COLUMNS = ["actor_code", "recommendation_code", "status", "as_of", "evidence_urls", "narrative"]
IMPORT = "recommendations:progress_import"


def content(*iso3s, org_column=None) -> bytes:
    columns = COLUMNS + (["reported_by_organization"] if org_column else [])
    extra = [org_column] if org_column else []
    rows = [[iso3, "R56", "limited", "2020-01-01", EVIDENCE[0], NARRATIVE, *extra] for iso3 in iso3s]
    return csv_file(rows, columns=columns).getvalue()


def upload(client, organization, data: bytes, filename="mine.csv", **fields):
    return client.post(
        reverse(IMPORT),
        {"step": "upload", "file": SimpleUploadedFile(filename, data), "organization": organization.pk, **fields},
    )


def confirm(client, token):
    return client.post(reverse(IMPORT), {"step": "confirm", "token": token}, follow=True)


def stored_uploads() -> list[str]:
    try:
        return default_storage.listdir("imports")[1]
    except FileNotFoundError:
        return []


# ---------------------------------------------------------------------------
# Item 1: N parallel confirms of one preview write it once
# ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_confirms_of_one_preview_write_it_exactly_once(seeded_transactional_db, people):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the race needs PostgreSQL")
    importer = Client()
    importer.force_login(people.reporter_a)
    preview = upload(importer, people.org_a, content("KEN", "MEX", "GHA", "SEN", "PHL"))
    token = preview.context["token"]
    threads_count, barrier, answers, failures = 4, threading.Barrier(4), [], []

    def post():
        browser = Client()
        browser.cookies = importer.cookies  # the same person, the same session, four tabs
        try:
            barrier.wait()
            response = confirm(browser, token)
            answers.append((response.status_code, response.content.decode()))
        except Exception as error:  # noqa: BLE001 - any failure is what this test looks for
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert ProgressUpdate.objects.count() == 5  # it wrote 10-20 before
    assert sorted(status for status, _ in answers) == [200] * threads_count
    # One confirm writes and says so; each other one says the import is done already or — if it came while
    # that confirm was still writing — shows the import's own page (its progress, then its result). Which
    # request ends on which depends on timing; that it was written once does not (the counts above and below).
    assert sum("Imported 5 updates" in html for _, html in answers) <= 1
    assert all(
        "Imported 5 updates" in html or "already imported" in html or ("Import: " in html and "Uploaded " in html)
        for _, html in answers
    )
    assert AuditEvent.objects.filter(action=AuditAction.IMPORTED).count() == 1


@pytest.mark.django_db
def test_a_second_confirm_writes_nothing_and_says_so(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.reporter_a)
    token = upload(client, people.org_a, content("KEN", "MEX")).context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        first = confirm(client, token)
    assert "Imported 2 updates (awaiting review)" in first.content.decode()
    again = confirm(client, token)
    assert "already imported" in again.content.decode() and "Nothing was written again" in again.content.decode()
    assert ProgressUpdate.objects.count() == 2
    batch = models.ImportBatch.objects.get(pk=token)
    assert (batch.state, batch.created, batch.created_by) == ("confirmed", 2, people.reporter_a)
    with pytest.raises(services.ImportAlreadyDone):
        services.confirm_import(batch_id=batch.pk, user=people.reporter_a)


@pytest.mark.django_db
def test_only_the_importer_confirms_their_preview(client, people):
    client.force_login(people.reporter_a)
    token = upload(client, people.org_a, content("KEN")).context["token"]
    client.force_login(people.reporter_b)
    response = confirm(client, token)
    assert "Only the person who uploaded" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


# ---------------------------------------------------------------------------
# Item 2: an import obeys the review rules
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reviewer_imports_only_for_their_own_organizations(client, people):
    client.force_login(people.reviewer)  # a member of forum-a only
    response = upload(
        client, people.org_a, content("KEN", org_column="watch-b"), verified="on", source="UN Treaty Collection"
    )
    plan = response.context["plan"]
    assert [(r.row, r.column) for r in plan.rejected] == [(2, "reported_by_organization")]
    assert "organization you belong to" in plan.rejected[0].reason
    assert not plan.can_commit


@pytest.mark.django_db
def test_an_import_as_verified_waits_for_a_second_reviewer(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.reviewer)
    data = content("KEN", "MEX")
    preview = upload(client, people.org_a, data, verified="on", source="Official gazettes, 2020")
    token = preview.context["token"]
    assert "second reviewer" in preview.content.decode()
    sent = confirm(client, token)
    assert "sent to a second reviewer" in sent.content.decode()
    assert not CurrentStatus.objects.exists()  # nothing counts yet: it was verified by its importer before
    assert not ProgressUpdate.objects.exists()
    batch = models.ImportBatch.objects.get(pk=token)
    assert batch.state == "awaiting_review"

    # The importer cannot confirm it from the queue either.
    review_url = reverse("recommendations:import_review", args=[token])
    own = client.post(review_url, {"decision": "confirm"}, follow=True)
    assert "A second reviewer must" in own.content.decode()
    assert not ProgressUpdate.objects.exists()

    # A second reviewer finds it in the queue, previews it and confirms it.
    client.force_login(people.reviewer2)
    queue = client.get(reverse("recommendations:review_queue"))
    assert review_url in queue.content.decode() and "mine.csv" in queue.content.decode()
    page = client.get(review_url)
    assert page.status_code == 200 and "Kenya" in page.content.decode()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(review_url, {"decision": "confirm"}, follow=True)
    assert "Imported 2 updates (verified)" in done.content.decode()
    updates = list(ProgressUpdate.objects.all())
    assert {(u.state, u.created_by, u.reviewed_by, u.reported_by_organization) for u in updates} == {
        ("verified", people.reviewer, people.reviewer2, people.org_a)
    }
    assert all(before <= u.reviewed_at <= timezone.now() for u in updates)
    assert CurrentStatus.objects.count() == 2
    # Each update's history says who filed it and who verified it, as a single update's does.
    history = list(updates[0].history.order_by("history_date").values_list("history_user__username", "state"))
    assert history == [("reviewer", "pending"), ("reviewer2", "verified")]
    event = AuditEvent.objects.get(action=AuditAction.IMPORTED)
    assert event.user == people.reviewer2 and "reviewer" in event.detail and "Official gazettes" in event.detail
    assert stored_uploads() == []


@pytest.mark.django_db
def test_a_second_reviewer_can_return_an_import_as_one(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.reviewer)
    token = upload(client, people.org_a, content("KEN"), verified="on", source="Gazette").context["token"]
    confirm(client, token)
    client.force_login(people.reviewer2)
    url = reverse("recommendations:import_review", args=[token])
    refused = client.post(url, {"decision": "return", "reason": " "}, follow=True)
    assert "Say why" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "return", "reason": "The gazette link is for another law."})
    batch = models.ImportBatch.objects.get(pk=token)
    assert (batch.state, batch.reviewed_by, batch.review_note) == (
        "returned",
        people.reviewer2,
        "The gazette link is for another law.",
    )
    assert not ProgressUpdate.objects.exists() and stored_uploads() == []
    assert AuditEvent.objects.get(action=AuditAction.IMPORT_RETURNED).user == people.reviewer2
    # The importer sees why on the import page.
    client.force_login(people.reviewer)
    assert "The gazette link is for another law." in client.get(reverse(IMPORT)).content.decode()
    # And it cannot be confirmed any more.
    client.force_login(people.reviewer2)
    assert "was returned" in client.post(url, {"decision": "confirm"}, follow=True).content.decode()


@pytest.mark.django_db
def test_single_reviewer_mode_lets_the_importer_confirm(client, people, settings):
    settings.SINGLE_REVIEWER_MODE = True
    client.force_login(people.reviewer)
    token = upload(client, people.org_a, content("KEN"), verified="on", source="Gazette").context["token"]
    done = confirm(client, token)
    assert "Imported 1 updates (verified)" in done.content.decode()
    update = ProgressUpdate.objects.get()
    assert (update.state, update.created_by, update.reviewed_by) == ("verified", people.reviewer, people.reviewer)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, organization, verified, source, refusal",
    [
        ("reporter_a", "org_a", True, "me", services.PermissionDenied),
        ("reviewer", "org_a", True, " ", "Cite the source"),
        ("reporter_a", "org_b", False, "", "organization you belong to"),
    ],
)
def test_who_may_start_an_import_and_how(people, who, organization, verified, source, refusal):
    start = partial(
        services.start_import,
        file=ContentFile(content("KEN")),
        filename="mine.csv",
        organization=getattr(people, organization),
        user=getattr(people, who),
        verified=verified,
        source=source,
    )
    if isinstance(refusal, str):
        with pytest.raises(services.ValidationError, match=refusal):
            start()
    else:
        with pytest.raises(refusal):
            start()
    assert not models.ImportBatch.objects.exists() and stored_uploads() == []


@pytest.mark.django_db
def test_the_icrmw_baseline_is_an_explicit_system_action(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_icrmw_baseline", stdout=io.StringIO())
    event = AuditEvent.objects.get(action=AuditAction.IMPORTED)
    assert event.user is None and event.username == ""
    assert event.detail.startswith("System action (load_icrmw_baseline")
    assert not ProgressUpdate.objects.exclude(state="verified").exists()
    assert not ProgressUpdate.objects.filter(created_by__isnull=False).exists()
    assert stored_uploads() == []


# ---------------------------------------------------------------------------
# Item 7: stored uploads are deleted, and abandoned ones swept
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rejected_preview_leaves_no_stored_upload(client, people):
    client.force_login(people.reporter_a)
    bad = csv_file([["KEN", "R99", "limited", "2020-01-01", EVIDENCE[0], NARRATIVE]], columns=COLUMNS).getvalue()
    response = upload(client, people.org_a, bad)
    assert "Unknown item code" in response.content.decode()
    assert stored_uploads() == []
    unreadable = upload(client, people.org_a, b"\xff\xfe\x00bad")
    assert "not UTF-8" in unreadable.content.decode()
    assert stored_uploads() == []


@pytest.mark.django_db
def test_a_confirmed_or_discarded_preview_leaves_no_stored_upload(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.reporter_a)
    token = upload(client, people.org_a, content("KEN")).context["token"]
    assert len(stored_uploads()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, token)
    assert stored_uploads() == []
    token = upload(client, people.org_a, content("MEX")).context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(IMPORT), {"step": "discard", "token": token})
    assert stored_uploads() == [] and models.ImportBatch.objects.get(pk=token).state == "discarded"


@pytest.mark.django_db
def test_sweep_imports_deletes_old_uploads_and_abandoned_previews(client, people):
    client.force_login(people.reporter_a)
    old = upload(client, people.org_a, content("KEN")).context["token"]
    fresh = upload(client, people.org_a, content("MEX")).context["token"]
    client.force_login(people.reviewer)
    waiting = upload(client, people.org_a, content("GHA"), verified="on", source="Gazette").context["token"]
    confirm(client, waiting)
    stray = default_storage.save("imports/left-by-an-older-version.csv", ContentFile(b"x"))
    two_days_ago = timezone.now() - datetime.timedelta(hours=48)
    models.ImportBatch.objects.filter(pk__in=[old, waiting]).update(created_at=two_days_ago)
    for name in [stray, models.ImportBatch.objects.get(pk=old).file, models.ImportBatch.objects.get(pk=waiting).file]:
        os.utime(default_storage.path(name), (time.time() - 48 * 3600,) * 2)

    out = io.StringIO()
    call_command("sweep_imports", "--older-than", "72", stdout=out)
    assert len(stored_uploads()) == 4 and "0 uploads" in out.getvalue()
    call_command("sweep_imports", stdout=out)  # a day by default
    assert "2 uploads" in out.getvalue() and "1 abandoned" in out.getvalue()
    remaining = set(stored_uploads())
    assert remaining == {
        os.path.basename(models.ImportBatch.objects.get(pk=fresh).file),
        os.path.basename(models.ImportBatch.objects.get(pk=waiting).file),  # a reviewer still has to decide
    }
    assert not models.ImportBatch.objects.filter(pk=old).exists()
