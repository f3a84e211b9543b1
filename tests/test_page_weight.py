"""Pages are light: the first load (HTML, CSS and JavaScript, compressed) stays within 150 KB."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders

from recommendations.models import Status

pytestmark = pytest.mark.django_db
BUDGET = 150 * 1024


def first_load_bytes(client, url) -> tuple[int, dict]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content
    sizes = {"html": len(gzip.compress(html))}
    for path in re.findall(rb'(?:href|src)="/static/([^"]+)"', html):
        name = path.decode()
        with open(finders.find(name), "rb") as handle:
            sizes[name] = len(gzip.compress(handle.read()))
    return sum(sizes.values()), sizes


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/recommendations/",
        "/recommendations/R02/",
        "/source/",
        "/actors/",
        "/actors/KEN/",
        "/reports/",
        "/reports/matrix/?actor_kind=country",
        "/reports/table/",
    ],
)
def test_first_load_is_within_150_kb_compressed(client, url, item, country):
    import datetime

    from .factories import record

    for iso3 in ("KEN", "GHA", "MEX"):
        record(
            actor=country(iso3),
            recommendation=item("ratification"),
            status=Status.RATIFIED,
            as_of=datetime.date(2015, 1, 1),
        )
    total, sizes = first_load_bytes(client, url)
    assert total <= BUDGET, (url, total, sizes)


def test_no_page_loads_bootstraps_javascript(client):
    html = client.get("/").content.decode()
    assert "bootstrap.bundle" not in html and "tracker/tracker.js" in html
