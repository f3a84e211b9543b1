"""The main journeys, in a real browser, at desktop and phone sizes."""

import csv
import io

import pytest

from recommendations.models import ProgressUpdate, Recommendation

from .conftest import log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def open_menu(page):
    """On a phone the navigation is collapsed behind the menu button."""
    toggle = page.get_by_role("button", name="Toggle navigation")
    if toggle.is_visible():
        toggle.click()


def test_newcomer_finds_the_remittance_item_and_reads_its_text(page):
    page.goto("/")
    shoot(page, "home")
    page.get_by_role("link", name=f"Browse all {Recommendation.objects.count()} items").click()
    page.get_by_label("Search").fill("remittances")
    page.get_by_label("Kind").select_option("quantitative")
    page.get_by_role("button", name="Apply filters").click()
    assert "Kind: Quantitative target" in page.get_by_role("status").first.inner_text()
    shoot(page, "list-filtered")
    page.get_by_role("link", name="Lower the cost of transferring remittances").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("R17")
    quote = page.locator("blockquote").filter(has_text="exceeded 20 per cent").inner_text()
    assert "the cost of remitting money exceeded 20 per cent" in quote
    assert "Paragraph 32" in quote
    shoot(page, "item-R17")
    page.locator("blockquote").filter(has_text="exceeded 20 per cent").get_by_role("link", name="32").click()
    assert page.url.endswith("/source/#p32")


def test_reporter_files_reviewer_verifies_and_every_report_shows_it(page, people):
    # A reporter files a ratification update with an evidence link and a file.
    log_in(page, "reporter_a", "pw-reporter_a")
    page.goto("/recommendations/R02/")
    page.get_by_role("link", name="Log progress on R02").click()
    page.get_by_label("Country or organization").fill("Kenya (KEN)")
    page.get_by_role("button", name="Next: the update").click()
    page.get_by_label("Status").select_option("ratified")
    page.get_by_label("As of").fill("2019-03-14")
    page.get_by_label("What happened").fill(
        "Kenya deposited its instrument of ratification with the Secretary-General."
    )
    page.get_by_label("Evidence links").fill("https://treaties.un.org/kenya-icrmw")
    page.get_by_label("Evidence file (instead of, or as well as, links)").set_input_files(
        files=[{"name": "instrument.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    shoot(page, "log-progress-filled")
    page.get_by_role("button", name="Submit for review").click()
    assert "awaits review" in page.get_by_role("status").first.inner_text()
    open_menu(page)
    page.get_by_role("link", name="My updates").click()
    row = page.get_by_role("row").filter(has_text="Kenya")
    assert "Awaiting review" in row.inner_text()
    shoot(page, "my-updates")
    update = ProgressUpdate.objects.get(actor__code="KEN", recommendation__code="R02")
    assert update.evidence_file and update.state == "pending"

    # A reviewer verifies it from the queue.
    page.context.clear_cookies()
    log_in(page, "reviewer", "pw-reviewer")
    page.goto("/review/")
    shoot(page, "review-queue")
    page.get_by_role("link", name=f"Review update {update.pk}").click()
    page.get_by_role("button", name="Verify").click()
    assert "Verified" in page.get_by_role("status").first.inner_text()

    # The item report, the matrix and the country profile show it; the CSV has it.
    page.goto("/recommendations/R02/")
    assert "Party (ratified)" in page.locator("#progress-heading").locator("..").inner_text()
    page.goto("/reports/matrix/?item=R02&actor_kind=country")
    assert page.get_by_role("link", name="Party (ratified)").count() == 1
    shoot(page, "matrix")
    page.goto("/actors/KEN/")
    assert (
        "Party (ratified)"
        in page.get_by_role("row").filter(has_text="Ratify the Migrant Workers Convention").first.inner_text()
    )
    page.goto("/reports/table/?item=R02&status=ratified")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert [(r["actor_code"], r["status"], r["as_of"]) for r in rows] == [("KEN", "ratified", "2019-03-14")]
    assert rows[0]["evidence_urls"] == "https://treaties.un.org/kenya-icrmw"


def test_form_errors_keep_what_was_typed_next_to_each_field(page, people):
    log_in(page, "reporter_a", "pw-reporter_a")
    page.goto("/progress/new/?item=R56&actor=MEX")
    page.get_by_label("Status").select_option("limited")
    page.get_by_label("As of").fill("2999-01-01")
    page.get_by_label("What happened").fill("Too short")
    page.get_by_label("Evidence links").fill("not a link")
    page.get_by_role("button", name="Submit for review").click()
    assert "The update was not saved" in page.get_by_role("alert").first.inner_text()
    # Each message sits with its field (Bootstrap's invalid-feedback after the input) …
    for label, message in [
        ("As of", "cannot be in the future"),
        ("What happened", "at least 20 characters"),
        ("Evidence links", "is not a web address"),
    ]:
        field = page.get_by_label(label)
        assert "is-invalid" in field.get_attribute("class")
        described = page.locator(f"#{field.get_attribute('id')}").locator("xpath=..").inner_text()
        assert message in described, (label, described)
    # … and what was typed is still there.
    assert page.get_by_label("What happened").input_value() == "Too short"
    assert page.get_by_label("Evidence links").input_value() == "not a link"
    assert page.get_by_label("Status").input_value() == "limited"
    shoot(page, "form-errors")
    assert not ProgressUpdate.objects.exists()
