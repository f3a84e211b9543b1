"""The hidden-nothing phone check (issue 14): every main page at 360 × 740 in Chromium.

- nothing sticks out to the right (the page does not scroll sideways, and no table is cut off inside a
  scrolling box, except the matrix, whose grid scrolls by design and has a phone layout of its own);
- the page does not jump while it loads: the cumulative layout shift (PerformanceObserver) stays below 0.1;
- a country page shows its first known status within the first two screens.
"""

import datetime
import json
import time

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from recommendations.models import Actor, Recommendation, Status

from ..factories import record
from .conftest import CHROMIUM, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_360 = {"width": 360, "height": 740}
MAIN_PAGES = [
    "/",
    "/recommendations/",
    "/recommendations/R02/",
    "/recommendations/R17/",
    "/actors/",
    "/actors/GHA/",
    "/actors/forum-a/",
    "/reports/",
    "/reports/table/",
    "/reports/matrix/?actor_kind=country",
    "/reports/matrix/?actor_kind=country&layout=items",
    "/reports/map/?item=R02",
    "/compare/?actors=GHA,SEN,KEN",
    "/accounts/login/",
]
LOGGED_IN_PAGES = ["/progress/new/", "/progress/new/?item=R02&actor=KEN"]

# Layout shifts, read from the first paint on (buffered), ignoring those a tap caused.
CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) { if (!entry.hadRecentInput) { window.__cls += entry.value; } }
}).observe({type: "layout-shift", buffered: true});
"""
# Elements wider than the page, or tables cut off inside a box that scrolls sideways.
OVERFLOW = """
() => {
  const doc = document.documentElement;
  const found = [];
  if (doc.scrollWidth > doc.clientWidth + 1) { found.push(`page ${doc.scrollWidth}px wide`); }
  for (const box of document.querySelectorAll("main *")) {
    if (box.closest(".matrix-wrap, .visually-hidden, .visually-hidden-focusable")) { continue; }
    const style = getComputedStyle(box);
    if (["auto", "scroll", "hidden"].includes(style.overflowX) && box.scrollWidth > box.clientWidth + 1
        && box.clientWidth > 0 && box.tagName !== "svg") {
      found.push(`${box.tagName.toLowerCase()}.${box.className} cuts off ${box.scrollWidth - box.clientWidth}px`);
    }
  }
  return found;
}
"""


def late(route):
    time.sleep(0.6)  # the browser goes on parsing and painting meanwhile
    route.continue_()


@pytest.fixture
def phone(browser, live_server, seeded_transactional_db):
    context = browser.new_context(
        viewport=PHONE_360, base_url=live_server.url, is_mobile=True, has_touch=True, device_scale_factor=1
    )
    context.set_default_timeout(20_000)
    context.add_init_script(CLS_OBSERVER)
    # On a slow connection tracker.js (deferred) arrives after the first paint: make it late here too, so a
    # page that only settles its layout once the script has run shows its shift.
    context.route("**/tracker/tracker*.js", late)
    page = context.new_page()
    page.viewport_name = "phone360"
    page.live_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def progress(people):
    r02 = Recommendation.objects.get(code="R02")
    for iso3, status, year in [("GHA", Status.RATIFIED, 2012), ("SEN", Status.RATIFIED, 1999)]:
        day = datetime.date(year, 6, 1)
        record(actor=Actor.objects.get(iso3=iso3), recommendation=r02, status=status, as_of=day, historical=year < 2006)
    record(
        actor=Actor.objects.get(iso3="GHA"),
        recommendation=Recommendation.objects.get(code="R17"),
        value="5.4",
        as_of=datetime.date(2021, 1, 1),
        organization=people.org_a,
    )
    record(
        actor=people.org_a,
        recommendation=Recommendation.objects.get(code="R56"),
        status=Status.LIMITED,
        as_of=datetime.date(2020, 1, 1),
    )
    return people


def log_in_as(page, user):
    """A session for ``user``, set as the browser's cookie (no login form: its labels are another test's)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the one that checks passwords
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": page.live_url}
    page.context.add_cookies([cookie])


def check(page, path) -> dict:
    page.goto(path, wait_until="load")
    page.wait_for_timeout(300)  # let tracker.js (deferred) run and any late shift be recorded
    return {"overflow": page.evaluate(OVERFLOW), "cls": page.evaluate("window.__cls")}


def test_no_page_overflows_or_shifts_at_360_px(phone, progress):
    assert CHROMIUM
    results = {path: check(phone, path) for path in MAIN_PAGES}
    log_in_as(phone, progress.reporter_a)
    results |= {path: check(phone, path) for path in LOGGED_IN_PAGES}
    assert "Log progress" in phone.content()  # really logged in
    overflowing = {path: r["overflow"] for path, r in results.items() if r["overflow"]}
    shifting = {path: round(r["cls"], 3) for path, r in results.items() if r["cls"] >= 0.1}
    assert not overflowing, json.dumps(overflowing, indent=1)
    assert not shifting, shifting


def test_the_menu_is_folded_from_the_first_paint_and_opens(phone):
    phone.goto("/actors/")
    menu = phone.locator("#main-nav")
    assert not menu.is_visible()
    phone.get_by_role("button", name="Toggle navigation").click()
    assert menu.is_visible() and phone.get_by_role("link", name="Reports").is_visible()


def test_without_javascript_the_menu_is_open(browser, live_server, seeded_transactional_db):
    context = browser.new_context(viewport=PHONE_360, base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/actors/")
    assert page.get_by_role("link", name="Reports").is_visible()
    assert not page.get_by_role("button", name="Toggle navigation").is_visible()
    context.close()


def test_a_country_page_shows_its_first_known_status_within_two_screens(phone, progress):
    phone.goto("/actors/GHA/")
    shoot(phone, "country-page", full_page=True)
    first = phone.locator("main .status-badge:not(.status-no_information)").first
    top = first.evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    assert top < 2 * PHONE_360["height"], top
    # Each item once, and "No information" folded away.
    codes = phone.locator("[data-item-row]").evaluate_all("rows => rows.map(r => r.dataset.itemRow)")
    assert len(codes) == len(set(codes)) > 80
    assert not phone.locator("[data-item-row='R03']").is_visible()
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height < 6 * PHONE_360["height"], height
