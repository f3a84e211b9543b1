"""The import in a real browser: upload, preview, confirm; an import as verified through a second reviewer.

Every page on the way passes axe (no serious or critical violation).
"""

import pytest
from playwright.sync_api import expect

from recommendations.models import ProgressUpdate

from ..factories import EVIDENCE, NARRATIVE
from .conftest import log_in, shoot
from .test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CSV = (
    "actor_code,recommendation_code,status,as_of,evidence_urls,narrative\n"
    f"KEN,R56,limited,2020-01-01,{EVIDENCE[0]},{NARRATIVE}\n"
    f"MEX,R56,limited,2021-03,{EVIDENCE[0]},{NARRATIVE}\n"
).encode()


def assert_accessible(page):
    serious, _ = serious_violations(page)
    assert not serious, [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]


def upload(page, **fields):
    page.goto("/progress/import/")
    assert_accessible(page)
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(
        {"name": "updates.csv", "mimeType": "text/csv", "buffer": CSV}
    )
    for label, value in fields.items():
        if value is True:
            page.get_by_label(label).check()
        else:
            page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Preview the import").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Import preview: updates.csv").is_visible()
    assert_accessible(page)


def test_a_reporter_previews_and_confirms_an_import(page, people):
    log_in(page, "reporter_a", "pw-reporter_a")
    upload(page)
    shoot(page, "import-preview-ok")
    page.get_by_role("button", name="Import 2 updates").click()
    page.wait_for_load_state()
    assert "Imported 2 updates (awaiting review)" in page.content()
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a, state="pending").count() == 2


def test_an_import_as_verified_is_confirmed_by_a_second_reviewer(page, people):
    log_in(page, "reviewer", "pw-reviewer")
    upload(
        page,
        **{
            "Import them as verified: they count once a second reviewer confirms the import": True,
            "Source that vouches for them": "Official gazettes, 2020–2021",
        },
    )
    page.get_by_role("button", name="Send 2 updates to a second reviewer").click()
    page.wait_for_load_state()
    assert "sent to a second reviewer" in page.content()
    assert not ProgressUpdate.objects.exists()

    page.context.clear_cookies()
    log_in(page, "reviewer2", "pw-reviewer2")
    page.goto("/review/")
    assert_accessible(page)
    page.get_by_role("link", name="Review the import updates.csv").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Import to verify: updates.csv").is_visible()
    assert_accessible(page)
    shoot(page, "import-review")
    page.get_by_role("button", name="Confirm and verify 2 updates").click()
    page.wait_for_load_state()
    assert "Imported 2 updates (verified)" in page.content()
    assert set(ProgressUpdate.objects.values_list("state", "reviewed_by__username")) == {("verified", "reviewer2")}


def test_an_import_in_progress_updates_live_with_javascript_and_ends_on_its_result(page, people):
    """The bar fills from the job's JSON without a reload, the live region says the figure, and the
    finished import reloads once into its result; the page and My imports pass axe."""
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from import_jobs.models import ImportJob
    from recommendations import services

    batch = services.start_import(
        file=ContentFile(CSV), filename="updates.csv", organization=people.org_a, user=people.reporter_a
    )
    services.preview_import(batch_id=batch.pk)
    now = timezone.now()
    job = ImportJob.objects.create(
        batch=batch,
        phase="confirm",
        state="running",
        requested_by=people.reporter_a,
        rows_done=1,
        rows_total=4,
        queued_at=now,
        started_at=now - datetime.timedelta(seconds=2),
        heartbeat_at=now,
    )
    log_in(page, "reporter_a", "pw-reporter_a")
    page.goto(f"/progress/imports/{batch.pk}/")
    status = page.get_by_role("status")
    assert "1 of 4 rows (25%)" in status.inner_text()
    assert page.locator("noscript").count() == 1  # the refresh is only for pages without JavaScript
    assert_accessible(page)
    shoot(page, "import-progress")
    page.evaluate("window.__same_page = true")
    ImportJob.objects.filter(pk=job.pk).update(rows_done=3, heartbeat_at=timezone.now())
    expect(status).to_contain_text("3 of 4 rows (75%)", timeout=10_000)
    assert page.evaluate("document.querySelector('progress').value") == 3
    assert page.evaluate("window.__same_page") is True  # updated in place, not reloaded
    services.confirm_import(batch_id=batch.pk, user=people.reporter_a)
    ImportJob.objects.filter(pk=job.pk).update(state="done", rows_done=4, finished_at=timezone.now())
    expect(page.locator("#result-heading")).to_be_visible(timeout=10_000)
    assert "2 updates created" in page.get_by_role("region", name="Result: Imported").inner_text()
    assert_accessible(page)
    page.goto("/progress/imports/")
    assert page.get_by_role("link", name="updates.csv").is_visible()
    assert_accessible(page)
