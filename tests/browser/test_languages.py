"""The languages in Chromium: Arabic really mirrors (and fits a phone) while its charts keep their drawing, the
switcher works without JavaScript and is remembered, and the French and Arabic pages pass axe."""

import datetime

import pytest
from django.conf import settings

from languages.names import actor_name
from recommendations.models import Actor, ProgressUpdate, Recommendation, Status

from ..factories import record
from .conftest import shoot
from .test_accessibility import MATRIX_FOR_AXE, serious_violations
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
    # The source's English words read left to right inside the Arabic page (their quotation marks and full stop
    # where English puts them), while the page around them stays right to left.
    page.goto("/ar/recommendations/R02/", wait_until="load")
    quotes = page.evaluate(
        "[...document.querySelectorAll('blockquote [lang=en]')].map(q => getComputedStyle(q).direction)"
    )
    assert quotes and set(quotes) == {"ltr"}
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
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
    # A sub-region's matrix (MATRIX_FOR_AXE: the whole country matrix costs axe a minute a language).
    arabic = [f"/ar{MATRIX_FOR_AXE}" if "/matrix/" in path else path for path in ARABIC_PAGES]
    for path in ["/fr/reports/?item=R02", f"/fr{MATRIX_FOR_AXE}", *arabic]:
        page.goto(path)
        serious, _ = serious_violations(page)
        if serious:
            failures[path] = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
    assert not failures, failures
    context.close()


def _axe(page, failures):
    serious, _ = serious_violations(page)
    if serious:
        failures[page.url] = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]


def _in_language(page, live_server, language):
    """The page is in the language and its address still carries the language's prefix."""
    assert page.url.startswith(f"{live_server.url}/{language}/"), page.url
    assert page.evaluate("document.documentElement.lang") == language, page.url
    assert page.evaluate("document.documentElement.dir") == ("rtl" if language == "ar" else "ltr"), page.url


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_reporter_logs_progress_in_the_language(browser, live_server, seeded_transactional_db, people, language):
    """Log in, open an item, both steps of logging progress, the confirmation and My updates: every page stays
    in the language (its /fr/ or /ar/ address) and has no serious or critical axe violation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.viewport_name = "desktop"
    failures = {}
    page.goto(f"/{language}/accounts/login/")
    _in_language(page, live_server, language)
    _axe(page, failures)
    page.locator("#id_username").fill("reporter_a")
    page.locator("#id_password").fill("pw-reporter_a")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    _in_language(page, live_server, language)

    page.goto(f"/{language}/recommendations/R02/")
    _axe(page, failures)
    page.locator("main a[href*='/progress/new/?item=R02']").click()
    page.wait_for_load_state()
    _in_language(page, live_server, language)
    _axe(page, failures)
    page.locator("#id_actor").fill("Kenya (KEN)")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    _in_language(page, live_server, language)
    _axe(page, failures)
    page.locator("#id_status").select_option("ratified")
    page.locator("#id_as_of").fill("2019-03-14")
    page.locator("#id_narrative").fill("Kenya deposited its instrument of ratification with the Secretary-General.")
    page.locator("#id_evidence_urls").fill("https://treaties.un.org/kenya-icrmw")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state()
    _in_language(page, live_server, language)
    _axe(page, failures)
    update = ProgressUpdate.objects.get(actor__code="KEN", recommendation__code="R02")
    assert update.state == "pending"
    page.goto(f"/{language}/my/updates/")
    _in_language(page, live_server, language)
    kenya = actor_name(Actor.objects.get(code="KEN"), language)
    assert kenya != "Kenya" or language == "fr"
    assert page.get_by_role("row").filter(has_text=kenya).count() == 1
    _axe(page, failures)
    shoot(page, f"log-progress-{language}")
    assert not failures, failures
    context.close()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_reader_reads_a_report_in_the_language(browser, live_server, statuses, language):
    """Summary → table → filtered → next page, by the page's own links and form: the language stays and axe
    finds nothing serious or critical on any of them."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.viewport_name = "desktop"
    failures = {}
    page.goto(f"/{language}/reports/?item=R02")
    _in_language(page, live_server, language)
    _axe(page, failures)
    page.locator("main nav a.nav-link[href*='/reports/table/']").click()
    page.wait_for_load_state()
    _in_language(page, live_server, language)
    assert "/reports/table/" in page.url and "item=R02" in page.url
    _axe(page, failures)
    page.locator("details.filter-form > summary").click()
    kind = page.locator("form [name=actor_kind]")
    if kind.first.evaluate("e => e.tagName") == "SELECT":
        kind.first.select_option("country")
    else:
        page.locator("form input[name=actor_kind][value=country]").check()
    page.locator("main form[method=get] button[type=submit]").first.click()
    page.wait_for_load_state()
    _in_language(page, live_server, language)
    assert "actor_kind=country" in page.url
    _axe(page, failures)
    page.locator("main a[rel=next]").first.click()
    page.wait_for_load_state()
    _in_language(page, live_server, language)
    assert "page=2" in page.url and "actor_kind=country" in page.url
    assert page.locator("main [aria-current=page]").filter(has_text="2").count() >= 1
    _axe(page, failures)
    shoot(page, f"report-table-{language}")
    assert not failures, failures
    context.close()


def test_the_not_yet_translated_mark_is_small_inside_a_title_on_screen_and_in_print(
    browser, live_server, seeded_transactional_db
):
    """The mark after an untranslated title was heading-sized (Bootstrap's .badge is .75em of the <h1>): now a
    small note (tracker.css, .75rem; 8pt in print), its words still part of the heading screen readers read."""
    from django.db.models import Q

    item = Recommendation.objects.filter(Q(title_fr="") | Q(title_fr__isnull=True)).order_by("position").first()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.viewport_name = "desktop"
    page.goto(f"/fr/recommendations/{item.code}/", wait_until="load")
    sizes = (
        "[...document.querySelectorAll('h1, h1 .not-translated')].map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    heading, mark = page.evaluate(sizes)
    assert heading >= 24 and mark <= 12.5, (heading, mark)
    assert "pas encore traduit" in page.get_by_role("heading", level=1).inner_text()
    shoot(page, "not-translated-french", full_page=False)
    page.emulate_media(media="print")
    heading, mark = page.evaluate(sizes)
    assert mark <= 11, (heading, mark)  # 8pt
    context.close()


@pytest.mark.parametrize("language", ["ru", "fr", "es", "ar"])
def test_a_reporter_s_menu_stays_inside_the_page_in_every_language(
    browser, live_server, seeded_transactional_db, people, language
):
    """Logged in, the menu has a second list (log progress, my updates, my imports, alerts, log out). At 1280 px
    its Russian "Внести сведения о ходе выполнения" ran past the page's right edge (the French and English lists
    split over two lines beside the main links): the list now wraps under the main links, inside the container."""
    from .conftest import log_in

    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    log_in(page, "reporter_a", "pw-reporter_a")
    page.goto(f"/{language}/alerts/", wait_until="load")
    container = page.locator(".navbar > .container").bounding_box()
    links = page.locator("#main-nav .nav-link")
    assert links.count() >= 8
    for n in range(links.count()):
        box = links.nth(n).bounding_box()
        assert container["x"] - 1 <= box["x"] and box["x"] + box["width"] <= container["x"] + container["width"] + 1, (
            links.nth(n).inner_text(),
            box,
            container,
        )
    # Each of the two lists keeps its links on one line.
    for menu in page.locator("#main-nav > ul").all():
        tops = {round(link.bounding_box()["y"]) for link in menu.locator(".nav-link").all()}
        assert len(tops) == 1, (menu.inner_text(), tops)
    context.close()


def test_the_official_links_read_from_the_right_on_an_arabic_page(browser, live_server, seeded_transactional_db):
    """The source's "English · Français · Español · Русский · 中文 · العربية" links on the Arabic home page: only
    "English" was isolated (lang="en"), so "Français · Español" and their dots joined one left-to-right run and
    the line read "English · · Español · Français" from the right. Each link now reads in the page's order."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.goto("/ar/", wait_until="load")
    boxes = [link.bounding_box() for link in page.locator(".official-links a").all()]
    assert len(boxes) == 6
    for before, after in zip(boxes, boxes[1:], strict=False):
        if abs(before["y"] - after["y"]) < 2:  # on the same line, the next link is to the left
            assert after["x"] + after["width"] <= before["x"], (before, after)
    context.close()
