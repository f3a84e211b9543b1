"""A downloaded map or chart (an SVG file, read on its own, outside the page) says which language it is written in,
and a map in another language marks an item title still in English (WCAG 3.1.1 and 3.1.2 for the file itself)."""

import datetime

import pytest
from defusedxml import ElementTree as ET

from recommendations.models import Actor, Recommendation, Status

from .factories import record

pytestmark = pytest.mark.django_db
SVG_NS = "{http://www.w3.org/2000/svg}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def ratified(people):
    """One verified step of R02, so its chart has a history to draw."""
    ghana, r02 = Actor.objects.get(iso3="GHA"), Recommendation.objects.get(code="R02")
    record(
        actor=ghana,
        recommendation=r02,
        status=Status.RATIFIED,
        as_of=datetime.date(2012, 9, 7),
        organization=people.org_a,
    )


@pytest.mark.parametrize(("prefix", "language"), [("", "en"), ("/fr", "fr"), ("/zh-hans", "zh-hans"), ("/ar", "ar")])
def test_a_downloaded_map_and_chart_say_their_language(client, ratified, prefix, language):
    for address in (f"{prefix}/reports/map.svg?item=R02", f"{prefix}/reports/chart.svg?item=R02"):
        response = client.get(address)
        assert response.status_code == 200, address
        root = ET.fromstring(response.content)
        assert (root.get("lang"), root.get(XML_LANG)) == (language, language), address


def map_title_languages(client, prefix: str) -> set:
    root = ET.fromstring(client.get(f"{prefix}/reports/map.svg?item=R02").content)
    title = [text for text in root.iter(f"{SVG_NS}text") if text.get("font-weight") == "bold"]
    assert title and title[0].text.startswith("R02 · ")
    return {text.get("lang") for text in title}


def test_an_untranslated_item_title_on_a_map_in_another_language_is_marked_english(client):
    assert map_title_languages(client, "/fr") == {"en"}
    assert map_title_languages(client, "") == {None}  # an English map: the whole file is English already
    Recommendation.objects.filter(code="R02").update(title_fr="Ratifier la Convention sur les travailleurs migrants")
    assert map_title_languages(client, "/fr") == {None}  # translated: in the file's own language
    assert map_title_languages(client, "/es") == {"en"}
