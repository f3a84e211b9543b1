"""Issue 14, phones (request level): the country page, filters as ticks, the matrix per item, the favicon."""

import datetime
import re
from pathlib import Path

import pytest

from recommendations.models import Status

from .factories import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def ghana(country, item):
    gha = country("GHA")
    record(actor=gha, recommendation=item("ratification"), status=Status.RATIFIED, as_of=datetime.date(2012, 6, 1))
    return gha


def test_a_country_page_lists_each_item_once_known_statuses_first(client, ghana, item):
    html = client.get("/actors/GHA/").content.decode()
    rows = re.findall(r'data-item-row="([^"]+)"', html)
    assert len(rows) == len(set(rows)) > 80  # every item once, whatever its number of themes
    assert rows[0] == item("ratification").code  # the known status comes first
    known, _, folded = html.partition('<details class="mb-4 no-information-list">')
    assert "data-known-status" in known and "status-ratified" in known
    assert "No information</span> on" in folded and "data-known-status" not in folded  # collapsed by default
    assert '<details class="mb-4 no-information-list" open' not in html
    assert 'class="theme-label"' in html  # themes as labels, not as repeated sections
    assert "table-cards" in known  # rows become cards on narrow screens (tracker.css)


def test_status_and_item_filters_are_lists_of_ticks_with_the_same_parameters(client, ghana, item):
    html = client.get("/reports/").content.decode()
    assert "Hold Ctrl" not in html
    assert re.search(r'<input type="checkbox" name="status" value="ratified"', html)
    assert re.search(r'<input type="checkbox" name="item" value="R02"', html)
    assert '<select name="status"' not in html and 'multiple id="id_item"' not in html
    code = item("ratification").code
    ticked = client.get(f"/reports/table/?status=ratified&status=signed&item={code}").content.decode()
    assert re.search(r'name="status" value="ratified"[^>]*checked', ticked)
    assert "Ghana" in ticked and "Status: Party (ratified) or Signed" in ticked


def test_the_matrix_has_a_per_item_layout_for_phones(client, ghana, item):
    code = item("ratification").code
    html = client.get(f"/reports/matrix/?actor_kind=country&item={code}&layout=items").content.decode()
    assert 'class="cell-flow' in html and "matrix-wrap" not in html
    assert re.search(rf'href="/actors/GHA/{code}/" title="Ghana: Party \(ratified\)"[^>]*>GHA Pr</a>', html)
    grid = client.get(f"/reports/matrix/?actor_kind=country&item={code}").content.decode()
    assert "matrix-wrap" in grid and "layout=items" in grid
    bad = client.get("/reports/matrix/?layout=sideways")
    assert "is not a layout of the matrix" in bad.content.decode()


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"
    assert 'rel="icon"' in client.get("/").content.decode()


def test_the_menu_folds_before_the_first_paint(client):
    html = client.get("/").content.decode()
    head = html.split("</head>")[0]
    assert re.search(r'<script src="/static/tracker/head\.js"></script>', head)  # blocking, not deferred
    assert "<script>" not in html  # no inline script (CSP)
    from django.contrib.staticfiles import finders

    css = Path(finders.find("tracker/tracker.css")).read_text()
    assert ".js .navbar-collapse:not(.show)" in css
