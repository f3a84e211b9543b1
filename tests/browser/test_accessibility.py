"""Accessibility in a real browser: axe-core on every page, the keyboard alone, visible focus, a skip link."""

import datetime
import json
import re

import pytest

from recommendations.models import Actor, Recommendation, Status

from ..factories import record
from .conftest import ARTIFACTS, DESKTOP_ONLY, log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MATRIX_FOR_AXE = "/reports/matrix/?actor_kind=country&subregion=Western+Africa"
PUBLIC = [
    "/",
    "/recommendations/",
    "/recommendations/?theme=remittances&kind=policy",
    "/recommendations/R02/",
    "/recommendations/R17/",
    "/source/",
    "/actors/",
    "/actors/GHA/",
    "/actors/GHA/R02/",
    "/reports/",
    "/reports/?item=R02&on=2015-01-01",
    # axe checks each element against each rule: the whole country matrix (195 rows, 2 MB of HTML) took 63 s
    # a check, a sub-region's (16 rows, Ghana's and Senegal's statuses among them) takes 5 s, from the same
    # templates. tests/browser/test_phone.py still lays out the whole matrix.
    MATRIX_FOR_AXE,
    "/reports/table/?item=R02",
    "/reports/table/?item=R02&sort=shoe-size&page=0",  # notices above the figures
    "/reports/?updated_after=2020-01-01&updated_before=2010-01-01&on=2999-01-01",  # refused: errors beside fields
    "/accounts/login/",
    "/accounts/password_reset/",
    "/statuses/",
    "/take-part/",
    "/actors/senegal/",  # a 404: the site's layout with a search
]
REPORTER = [
    "/progress/new/",
    "/progress/new/?item=R02&actor=KEN",
    "/progress/new/?item=R17&actor=PHL",
    "/my/updates/",
    "/alerts/",
    "/alerts/following/",
    "/alerts/settings/",
]
REVIEWER = ["/review/"]
STAFF = ["/audit/"]


@pytest.fixture
def some_progress(people):
    for iso3, status, year in [
        ("GHA", Status.RATIFIED, 2012),
        ("SEN", Status.RATIFIED, 1999),
        ("KEN", Status.SIGNED, 2015),
    ]:
        record(
            actor=Actor.objects.get(iso3=iso3),
            recommendation=Recommendation.objects.get(code="R02"),
            status=status,
            as_of=datetime.date(year, 6, 1),
            organization=people.org_a,
            historical=year < 2006,
        )
    record(
        actor=Actor.objects.get(iso3="PHL"),
        recommendation=Recommendation.objects.get(code="R17"),
        value="4.2",
        as_of=datetime.date(2021, 1, 1),
        organization=people.org_a,
    )


def serious_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    return found, results.response["violations"]


# What axe_playwright_python's Axe().run passes to axe.run by default.
AXE_OPTIONS = {"resultTypes": ["violations"]}
TABS = 2  # axe is the slow part (seconds a page) and runs in the browser: two tabs keep two cores busy


def axe_on_pages(page, paths) -> dict[str, list]:
    """axe's violations on each page, as ``serious_violations`` finds them, with axe running in two tabs
    of the page's context (same viewport, same login) at once. Each tab loads and checks its own page."""
    from axe_playwright_python.base import AXE_SCRIPT

    tabs = [page] + [page.context.new_page() for _ in range(TABS - 1)]
    results = {}
    try:
        for start in range(0, len(paths), TABS):
            batch = list(zip(tabs, paths[start : start + TABS], strict=False))
            for tab, path in batch:
                tab.goto(path)
                tab.evaluate(AXE_SCRIPT)
                tab.evaluate("options => { window.__axeRun = axe.run(options); }", AXE_OPTIONS)
            for tab, path in batch:
                results[path] = tab.evaluate("() => window.__axeRun")["violations"]
    finally:
        for tab in tabs[1:]:
            tab.close()
    return results


def check_pages(page, paths, who, summary):
    failures = {}
    for path, everything in axe_on_pages(page, paths).items():
        serious = [v for v in everything if v["impact"] in ("serious", "critical")]
        summary[f"{who} {path} ({page.viewport_name})"] = {
            "serious_or_critical": [v["id"] for v in serious],
            "other": sorted({f"{v['id']} ({v['impact']})" for v in everything if v not in serious}),
        }
        if serious:
            failures[path] = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
    return failures


def test_no_serious_or_critical_axe_violation_on_any_page(page, people, some_progress):
    summary = {}
    failures = check_pages(page, PUBLIC, "anonymous", summary)
    log_in(page, "reporter_a", "pw-reporter_a")
    failures |= check_pages(page, REPORTER, "reporter", summary)
    page.context.clear_cookies()
    log_in(page, "reviewer", "pw-reviewer")
    failures |= check_pages(page, REVIEWER, "reviewer", summary)
    page.context.clear_cookies()
    log_in(page, "editor", "pw-editor")
    failures |= check_pages(page, STAFF, "editor", summary)
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / f"axe-{page.viewport_name}.json"
    out.write_text(json.dumps(summary, indent=1))
    assert not failures, json.dumps(failures, indent=1)


def admin_pages() -> list[str]:
    """The admin's list page and change page of every registered model, and its add page where there is no
    row to change or the add form differs (the users'; fields that become read-only once saved). Otherwise an
    add page is its change page's form, blank: the same labels, widgets and help, so axe finds the same there
    (checking every add page cost a third more: 78 pages at two sizes on each database)."""
    from django.contrib import admin
    from django.urls import reverse

    paths = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        paths.append(reverse(f"{name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            paths.append(reverse(f"{name}_change", args=[first.pk]))
        own_add_form = hasattr(model_admin, "add_form") or (
            type(model_admin).get_readonly_fields is not admin.ModelAdmin.get_readonly_fields
        )
        if (first is None or own_add_form) and model_admin.has_add_permission(type("R", (), {"user": _Superuser()})()):
            paths.append(reverse(f"{name}_add"))
    return paths


class _Superuser:
    is_active = is_staff = is_superuser = True

    def has_perm(self, *args):
        return True


def test_no_serious_or_critical_axe_violation_in_the_admin(page, people, some_progress):
    """The editors' screens: every registered model's list, add and change page, as a superuser."""
    from django.contrib.auth.models import User

    User.objects.create_superuser("axe-admin", "axe-admin@example.org", "pw-axe-admin-2024")
    paths = admin_pages()
    actor = Actor.objects.order_by("pk").first()
    assert f"/admin/recommendations/actor/{actor.pk}/change/" in paths and "/admin/recommendations/actor/" in paths
    assert len(paths) > 30
    log_in(page, "axe-admin", "pw-axe-admin-2024")
    summary = {}
    failures = check_pages(page, paths, "superuser", summary)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-admin-{page.viewport_name}.json").write_text(json.dumps(summary, indent=1))
    assert not failures, json.dumps(failures, indent=1)
    # The two defects the outside review named, by what a screen reader hears.
    page.goto("/admin/recommendations/actor/add/")
    assert page.get_by_role("combobox", name=re.compile("^Base country")).count() == 1
    page.goto("/admin/recommendations/actor/")
    assert page.get_by_role("link", name="(none)").count() == 2  # blank region and sub-region


def focused(page):
    return page.evaluate(
        "() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return {tag: e.tagName, id: e.id, name: e.name || '', text: (e.innerText || '').slice(0, 40),"
        " outline: s.outlineStyle + ' ' + s.outlineWidth, shadow: s.boxShadow}; }"
    )


def assert_focus_visible(state):
    visible = (state["outline"].split()[0] not in ("none", "") and state["outline"].split()[1] != "0px") or (
        state["shadow"] not in ("none", "")
    )
    assert visible, state


def tab_to(page, predicate, limit=60):
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        if predicate(state):
            assert_focus_visible(state)
            return state
    raise AssertionError("never reached the element with the keyboard")


def test_skip_link_is_first_and_moves_focus_to_the_content(page):
    page.goto("/recommendations/")
    page.keyboard.press("Tab")
    state = focused(page)
    assert state["text"] == "Skip to main content"
    assert_focus_visible(state)
    assert page.get_by_text("Skip to main content").is_visible()  # visible when focused
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"


@DESKTOP_ONLY  # keyboard-only use is checked at desktop size
def test_log_progress_with_the_keyboard_alone(page, people):
    log_in(page, "reporter_a", "pw-reporter_a")
    page.goto("/progress/new/")
    tab_to(page, lambda s: s["name"] == "item")
    page.keyboard.type("R02")
    tab_to(page, lambda s: s["name"] == "actor")
    page.keyboard.type("KEN")
    page.keyboard.press("Enter")
    page.wait_for_url("**/progress/new/?item=R02&actor=KEN")
    tab_to(page, lambda s: s["name"] == "status")
    page.keyboard.press("ArrowDown")  # the first status on the scale
    page.keyboard.press("ArrowDown")  # the second: Signed
    assert page.get_by_label("Status").input_value() == "signed"
    tab_to(page, lambda s: s["name"] == "as_of")
    page.keyboard.type("03142019")  # a date field takes digits from the keyboard
    tab_to(page, lambda s: s["name"] == "narrative")
    page.keyboard.type("Kenya signed the Convention at the treaty event in New York.")
    tab_to(page, lambda s: s["name"] == "evidence_urls")
    page.keyboard.type("https://treaties.un.org/kenya")
    state = tab_to(page, lambda s: s["tag"] == "BUTTON" and "Submit for review" in s["text"])
    assert state
    page.keyboard.press("Enter")
    page.wait_for_url("**/updates/*/")
    assert "awaits review" in page.get_by_role("status").first.inner_text()
    shoot(page, "keyboard-filed", full_page=False)


def test_colour_is_never_the_only_carrier_of_status(page, some_progress):
    page.goto("/reports/matrix/?item=R02&actor_kind=country")
    cell = page.get_by_role("link", name="Party (ratified)").first
    assert cell.inner_text().strip() == "Pr" and cell.get_attribute("title") == "Party (ratified)"
    page.goto("/recommendations/R02/")
    assert page.locator(".status-badge", has_text="Party (ratified)").count() >= 1
    legend = page.locator(".legend").first.inner_text()
    assert "Party (ratified)" in legend


@DESKTOP_ONLY  # the page is the same few lines of HTML at any size: one run guards the harness
def test_the_axe_check_itself_catches_violations(page):
    """Guard against a silent harness: axe must flag a page that is obviously broken."""
    page.goto("/")
    page.set_content("<html><body><img src='x.png'><input type='text'><a href='#'></a></body></html>")
    serious, everything = serious_violations(page)
    assert {"image-alt", "label"} <= {v["id"] for v in serious}, everything
    # And the two tabs of check_pages: each flags its own broken page.
    broken = "data:text/html,<html><body><img src='x.png'><input type='text'></body></html>"
    labelled = "data:text/html,<html lang='en'><title>t</title><body><main><h1>Fine</h1></main></body></html>"
    found = axe_on_pages(page, [broken, labelled, broken + "<a href='#'></a>"])
    assert [{"image-alt", "label"} <= {v["id"] for v in found[path]} for path in found] == [True, False, True]
