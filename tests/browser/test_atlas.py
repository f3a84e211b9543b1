"""The world map and the comparison in a real browser: axe, the keyboard, printing on A4, screenshots."""

import datetime
import json

import pytest

from recommendations.models import Actor, Recommendation, Status

from ..factories import record
from .conftest import ARTIFACTS, DESKTOP_ONLY, shoot
from .test_accessibility import assert_focus_visible, axe_on_pages, focused, some_progress  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/reports/map/?item=R02",
    "/reports/map/?item=R02&on=2014-01-01&region=Africa",
    "/reports/map/",
    "/reports/map/?item=R17",
    "/reports/?item=R02",
    "/compare/?actors=KEN,UGA,TZA",
    "/compare/?actors=KEN,UGA,TZA&differences=1&kind=ratification",
    "/compare/?actors=KEN",
]


@pytest.fixture
def more_progress(request, people):
    """The accessibility tests' progress, plus Uganda (a party) and Malta (a small state, signed)."""
    request.getfixturevalue("some_progress")
    for iso3, status, year in [("UGA", Status.ACCEDED, 1995), ("MLT", Status.SIGNED, 2014)]:
        record(
            actor=Actor.objects.get(iso3=iso3),
            recommendation=Recommendation.objects.get(code="R02"),
            status=status,
            as_of=datetime.date(year, 6, 1),
            organization=people.org_a,
            historical=year < 2006,
        )


def test_no_serious_or_critical_axe_violation_on_map_and_compare_pages(page, more_progress):
    summary, failures = {}, {}
    for path, everything in axe_on_pages(page, PAGES).items():
        serious = [v for v in everything if v["impact"] in ("serious", "critical")]
        summary[f"{path} ({page.viewport_name})"] = sorted({f"{v['id']} ({v['impact']})" for v in everything})
        if serious:
            failures[path] = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-atlas-{page.viewport_name}.json").write_text(json.dumps(summary, indent=1))
    assert not failures, json.dumps(failures, indent=1)
    page.goto("/reports/map/?item=R02")
    shoot(page, "map-icrmw")
    page.goto("/compare/?actors=KEN,UGA,TZA")
    shoot(page, "compare")


@DESKTOP_ONLY  # keyboard use is checked at desktop size
def test_every_country_on_the_map_is_reached_by_the_keyboard(page, more_progress):
    page.goto("/reports/map/?item=R02")
    # The map's links in tab order: every country once, each named by its title.
    names = page.evaluate(
        "() => [...document.querySelectorAll('svg.atlas-map a')].filter(a => a.tabIndex >= 0)"
        ".map(a => a.querySelector('title').textContent)"
    )
    assert len(names) == 195 and len(set(names)) == 195
    page.locator("svg.atlas-map a").first.focus()
    page.keyboard.press("Shift+Tab")
    for expected in names[:3]:
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["tag"] == "a"  # an SVG element's tag name is lower case
        assert page.evaluate("() => document.activeElement.querySelector('title').textContent") == expected
        assert_focus_visible(state)
    page.keyboard.press("Enter")
    page.wait_for_url("**/actors/*/R02/")
    # The skip link jumps past the 195 country links.
    page.goto("/reports/map/?item=R02")
    page.get_by_text("Skip the map's links").focus()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "after-map"


@DESKTOP_ONLY  # printing is checked once
def test_the_map_prints_on_a4(page, more_progress):
    # A4 portrait with 12 mm margins is 186 × 273 mm of content: 703 × 1031 CSS pixels.
    page.set_viewport_size({"width": 703, "height": 1031})
    page.emulate_media(media="print")
    page.goto("/reports/map/?item=R02")
    box = page.locator("svg.atlas-map").bounding_box()
    assert 600 <= box["width"] <= 703 and box["height"] <= 1031
    assert page.locator("details.filter-form").is_hidden()
    # Colours are kept when printing (browsers drop backgrounds and fills by default).
    adjust = page.evaluate("() => getComputedStyle(document.querySelector('svg.atlas-map a path')).printColorAdjust")
    assert adjust == "exact"
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    (ARTIFACTS / "map-icrmw-a4.pdf").write_bytes(pdf)


@DESKTOP_ONLY  # downloads are checked once
def test_downloads_from_the_page(page, more_progress):
    page.goto("/reports/map/?item=R02")
    with page.expect_download() as info:
        page.get_by_role("link", name="PNG").click()
    download = info.value
    assert download.suggested_filename.startswith("map-R02-") and download.suggested_filename.endswith(".png")
    with page.expect_download() as info:
        page.get_by_role("link", name="SVG").click()
    assert info.value.suggested_filename.endswith(".svg")
