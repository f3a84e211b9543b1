"""Public pages name a person by their display name or their organization, never by username or email address."""

import io

import pytest
from django.contrib.auth.models import Group, User

from recommendations import services
from recommendations.models import Membership, ProgressUpdate

from .factories import filed
from .routes import paths

pytestmark = pytest.mark.django_db

REPORTER_ADDRESS = "rep7@ngo.example"
REVIEWER_ADDRESS = "rev3@ngo.example"
# Filtered views of the same data, beside every bare URL the URLconf has.
FILTERED = [
    "/reports/?item=R56",
    "/reports/table/?item=R56&actor=MEX",
    "/reports/matrix/?item=R56",
    "/reports/status.csv?item=R56",
    "/reports/status.xlsx?item=R56",
    "/reports/status.json?item=R56",
    "/recommendations/?q=R56",
    "/actors/?kind=organization",
]


def person(address, group, organization):
    """An account as an invitation creates it: the address is the username, no display name yet."""
    user = User.objects.create_user(address, email=address, password="pw-" + address)
    user.groups.add(Group.objects.get(name=group))
    Membership.objects.create(user=user, organization=organization)
    return user


@pytest.fixture
def verified_by_addresses(make_org):
    """An update filed and verified by two people known only by their email addresses."""
    reporting = make_org("Kituo cha Sheria (test)", code="kituo-test")
    reviewing = make_org("Rights Review Network", code="review-net")
    reporter = person(REPORTER_ADDRESS, "Reporter", reporting)
    reviewer = person(REVIEWER_ADDRESS, "Reviewer", reviewing)
    update = filed(user=reporter, organization=reporting, code="R56", iso3="MEX")
    services.verify_update(update=update, reviewer=reviewer, expected_version=None)
    return update, reporter, reviewer, reviewing


def text_of(response) -> str:
    """What a reader of the response sees: the page, or every cell of a spreadsheet."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(("image/png", "image/x-icon")):
        return ""  # a drawn chart's words are its SVG's, read at the .svg address; the icon has none
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)
    return content.decode()


def leaks(text: str) -> list[str]:
    return [needle for needle in (REPORTER_ADDRESS, REVIEWER_ADDRESS, "rep7@", "rev3@") if needle in text]


def test_no_public_page_shows_a_username_or_email_address(client, verified_by_addresses):
    update, reporter, _, reviewing = verified_by_addresses
    samples = {"code": ["MEX", "kituo-test", "review-net"], "item_code": ["R56"], "pk": [update.pk]}
    # (The unfiltered spreadsheet is the filtered one's columns over more rows: slow to build and read.)
    walked = paths(lambda name, param: samples.get(param, []))
    urls = [path for name, path in walked if name != "recommendations:status_xlsx"] + FILTERED
    assert f"/updates/{update.pk}/" in urls and "/actors/MEX/R56/" in urls  # the walk found the pages naming people
    shown = 0
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        shown += 1
        assert not leaks(text_of(response)), url
    assert shown > 20
    # The verification is attributed to the reviewer's organization.
    page = client.get(update.get_absolute_url()).content.decode()
    assert f"Verified</span> by {reviewing.name} on" in page


def test_a_display_name_is_shown_unless_it_is_an_address(client, verified_by_addresses):
    update, _, reviewer, reviewing = verified_by_addresses
    reviewer.first_name, reviewer.last_name = "Amina", "Diallo"
    reviewer.save()
    assert "Verified</span> by Amina Diallo on" in client.get(update.get_absolute_url()).content.decode()
    reviewer.first_name, reviewer.last_name = REVIEWER_ADDRESS, ""
    reviewer.save()
    page = client.get(update.get_absolute_url()).content.decode()
    assert not leaks(page)
    assert f"by {reviewing.name} on" in page


def test_the_reporter_sees_their_updates_history_without_the_reviewers_address(client, verified_by_addresses):
    update, reporter, _, reviewing = verified_by_addresses
    client.force_login(reporter)
    page = client.get(update.get_absolute_url()).content.decode()
    assert "History of this update" in page
    assert REVIEWER_ADDRESS not in page and "rev3@" not in page
    assert reviewing.name in page
    assert ProgressUpdate.objects.get(pk=update.pk).reviewed_by == verified_by_addresses[2]
