"""Atom feeds for items, actors, themes and any report filter: valid Atom (parsed back), verified updates only."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils.feedgenerator import rfc3339_date

from recommendations import services as tracker
from recommendations.models import Recommendation

from .factories import filed, record

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def parse_atom(response) -> ET.Element:
    """Parse the feed back and check what RFC 4287 requires of a feed and of each entry."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own response
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None and feed.find(f"{ATOM}{required}").text, required
    assert feed.find(f"{ATOM}link[@rel='alternate']") is not None
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    ids = []
    for entry in feed.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}") is not None and entry.find(f"{ATOM}{required}").text, required
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith("http://testserver/updates/")
        datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)  # an RFC 3339 date
        ids.append(entry.find(f"{ATOM}id").text)
    assert len(ids) == len(set(ids))
    return feed


def titles(feed):
    return [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]


@pytest.fixture
def history(people, country):
    """Kenya ratified R02 and made progress on R56; a pending and a returned update must never show."""
    r02, r56 = Recommendation.objects.get(code="R02"), Recommendation.objects.get(code="R56")
    kenya = country("KEN")
    ratified = record(actor=kenya, recommendation=r02, status="ratified", as_of=datetime.date(2012, 5, 1))
    limited = record(actor=kenya, recommendation=r56, status="limited", as_of=datetime.date(2016, 1, 1))
    ghana = record(actor=country("GHA"), recommendation=r56, status="complete", as_of=datetime.date(2019, 1, 1))
    filed(user=people.reporter_a, organization=people.org_a, iso3="KEN", status="complete")  # pending
    returned = filed(user=people.reporter_b, organization=people.org_b, iso3="KEN", status="substantial")
    tracker.return_update(update=returned, reviewer=people.reviewer, expected_version=1, reason="No source.")
    return {"ratified": ratified, "limited": limited, "ghana": ghana}


def test_item_feed_round_trip(client, history):
    feed = parse_atom(client.get("/feeds/items/R56/"))
    assert feed.find(f"{ATOM}title").text.startswith("R56 ")
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/recommendations/R56/"
    assert titles(feed) == ["R56 · Ghana: Complete", "R56 · Kenya: Limited"]  # newest verification first
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}updated").text == rfc3339_date(history["ghana"].reviewed_at)
    assert "Complete as of 1 January 2019" in entry.find(f"{ATOM}summary").text
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {"R56", "GHA"}


def test_actor_and_theme_feeds_link_back_to_their_pages(client, history):
    kenya = parse_atom(client.get("/feeds/actors/ken/"))
    assert kenya.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/actors/KEN/"
    assert titles(kenya) == ["R56 · Kenya: Limited", "R02 · Kenya: Party (ratified)"]
    theme = Recommendation.objects.get(code="R56").themes.first()
    by_theme = parse_atom(client.get(f"/feeds/themes/{theme.slug}/"))
    assert (
        by_theme.find(f"{ATOM}link[@rel='alternate']").get("href")
        == f"http://testserver/recommendations/?theme={theme.slug}"
    )
    assert "R56 · Kenya: Limited" in titles(by_theme)
    assert client.get("/feeds/items/ZZ99/").status_code == 404
    assert client.get("/feeds/actors/nobody/").status_code == 404


def test_report_filter_feed_takes_the_reports_query_string(client, history):
    everything = parse_atom(client.get("/feeds/reports/"))
    assert len(titles(everything)) == 3
    ratified = parse_atom(client.get("/feeds/reports/?status=ratified&actor_kind=country"))
    assert titles(ratified) == ["R02 · Kenya: Party (ratified)"]
    assert ratified.find(f"{ATOM}link[@rel='alternate']").get("href") == (
        "http://testserver/reports/table/?status=ratified&actor_kind=country"
    )
    assert "Status: Party (ratified)" in ratified.find(f"{ATOM}title").text
    assert titles(parse_atom(client.get("/feeds/reports/?actor=KEN,GHA&item=R56"))) == [
        "R56 · Ghana: Complete",
        "R56 · Kenya: Limited",
    ]
    assert titles(parse_atom(client.get("/feeds/reports/?updated_after=2018-01-01&item=R56"))) == [
        "R56 · Ghana: Complete"
    ]
    assert titles(parse_atom(client.get("/feeds/reports/?on=2017-01-01&item=R56"))) == ["R56 · Kenya: Limited"]
    assert titles(parse_atom(client.get("/feeds/reports/?status=no_information"))) == []


def test_a_bad_report_filter_gets_a_message_not_a_feed(client, history):
    response = client.get("/feeds/reports/?status=bogus")
    assert response.status_code == 400 and "not one of the choices" in response.content.decode()


def test_report_pages_link_their_feed(client, history):
    html = client.get("/reports/table/?item=R56&sort=status").content.decode()
    assert 'href="/feeds/reports/?item=R56" type="application/atom+xml"' in html
