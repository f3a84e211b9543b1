"""The languages in Chromium: Arabic really mirrors (and fits a phone) while its charts keep their drawing, the
switcher works without JavaScript and is remembered, and the French and Arabic pages pass axe."""

import datetime

import pytest
from django.conf import settings

from recommendations.models import Actor, Recommendation, Status

from ..factories import record
from .conftest import shoot
from .test_accessibility import serious_violations
from .test_phone import OVERFLOW, PHONE_360

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARABIC_PAGES = ["/ar/", "/ar/reports/?item=R02", "/ar/reports/matrix/?actor_kind=country", "/ar/recommendations/"]


@pytest.fixture
def statuses(seeded_transactional_db):
    r02 = Recommendation.objects.get(code="R02")
    for iso3, status, year in [("GHA", Status.RATIFIED, 2012), ("SEN", Status.SIGNED, 2009)]:
        record(actor=Actor.objects.get(iso3=iso3), recommendation=r02, status=status, as_of=datetime.date(year, 6, 1))


def test_arabic_mirrors_the_page_not_the_charts_and_fits_a_phone(browser, live_server, statuses):
    context = browser.new_context(viewport=PHONE_360, base_url=live_server.url, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.viewport_name = "phone-360"
    for path in ARABIC_PAGES:
        page.goto(path, wait_until="load")
        assert page.evaluate("document.documentElement.dir") == "rtl", path
        assert page.evaluate(OVERFLOW) == [], path
        # Mirrored: the site's name starts at the right edge of the menu bar.
        brand = page.locator(".navbar-brand").bounding_box()
        assert brand["x"] + brand["width"] > PHONE_360["width"] - 40, (path, brand)
    page.goto("/ar/reports/?item=R02", wait_until="load")
    directions = page.evaluate(
        "[...document.querySelectorAll('svg.chart, svg.bar')].map(s => getComputedStyle(s).direction)"
    )
    assert directions and set(directions) == {"ltr"}
    shoot(page, "report-arabic")
    context.close()


def test_the_switcher_works_without_javascript_and_is_remembered(browser, live_server, seeded_transactional_db):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/reports/?item=R02")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Français").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/fr/reports/?item=R02"
    assert page.evaluate("document.documentElement.lang") == "fr"
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    assert cookies[settings.LANGUAGE_COOKIE_NAME] == "fr"
    page.goto("/")
    assert page.url == f"{live_server.url}/fr/"
    context.close()


def test_a_french_browser_lands_on_french_pages(browser, live_server, seeded_transactional_db):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.goto("/reports/?item=R02")
    assert page.url == f"{live_server.url}/fr/reports/?item=R02"
    context.close()


def test_no_serious_axe_violation_in_french_and_arabic(browser, live_server, statuses):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    failures = {}
    for path in ["/fr/reports/?item=R02", "/fr/reports/matrix/?actor_kind=country", *ARABIC_PAGES]:
        page.goto(path)
        serious, _ = serious_violations(page)
        if serious:
            failures[path] = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
    assert not failures, failures
    context.close()
