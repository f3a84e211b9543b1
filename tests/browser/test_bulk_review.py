"""Bulk review in a real browser, with the keyboard alone: select 25 updates, verify them in one action, confirm.

Every page on the way passes axe (no serious or critical violation).
"""

import pytest

from recommendations.models import Actor, ProgressUpdate

from ..factories import filed
from .conftest import DESKTOP_ONLY, shoot
from .test_import_pages import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def active(page, script):
    return page.evaluate(f"(() => {{ const e = document.activeElement; return {script}; }})()")


def tab_to(page, test: str, limit: int = 200):
    """Press Tab until the focused element passes ``test`` (a JS expression over ``e``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if active(page, test):
            return
    raise AssertionError(f"Tab never reached {test}")


def submit(page):
    """Enter on the focused button, and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


@DESKTOP_ONLY  # one keyboard flow is enough (the desktop layout)
def test_a_reviewer_verifies_25_updates_in_one_action_with_the_keyboard_only(page, people):
    for actor in Actor.objects.countries().order_by("code")[:25]:
        filed(user=people.reporter_a, organization=people.org_a, iso3=actor.code)
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    tab_to(page, "e.name === 'username'")
    page.keyboard.type("reviewer")
    page.keyboard.press("Tab")
    page.keyboard.type("pw-reviewer")
    submit(page)

    page.goto("/review/")
    assert_accessible(page)
    selected = 0
    while selected < 25:
        tab_to(page, "e.name === 'update' && !e.checked")
        page.keyboard.press("Space")
        assert active(page, "e.checked")
        selected += 1
    shoot(page, "bulk-review-queue", full_page=False)
    tab_to(page, "e.textContent.startsWith('Review the selected updates')")
    submit(page)

    assert page.get_by_role("heading", name="Verify 25 updates?").is_visible()
    assert_accessible(page)
    shoot(page, "bulk-review-confirm", full_page=False)
    tab_to(page, "e.textContent.startsWith('Confirm: verify 25 updates')")
    submit(page)

    assert page.get_by_role("heading", name="Bulk review: verify 25 updates").is_visible()
    assert "25 verified, 0 refused" in page.locator("main").inner_text()
    assert_accessible(page)
    shoot(page, "bulk-review-result")
    assert ProgressUpdate.objects.filter(state="verified", reviewed_by=people.reviewer).count() == 25
