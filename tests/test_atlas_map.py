"""The world map of an item: what it colours, that it agrees with the reports, its pages and downloads."""

import datetime
import gzip
import struct

import pytest
from defusedxml import ElementTree as ET
from django.http import QueryDict

from atlas import maps, svg
from atlas.world import world
from recommendations import reports
from recommendations.filters import StatusFilter
from recommendations.models import Actor, Recommendation, Status

from .factories import record
from .test_page_weight import BUDGET, first_load_bytes

pytestmark = pytest.mark.django_db
D = datetime.date
SVG_NS = "{http://www.w3.org/2000/svg}"
MAP = "/reports/map/"


@pytest.fixture
def history(people):
    """R02 over the years: Ghana signs then ratifies, Kenya signs, Senegal is a party long ago, Mexico accedes."""
    r02 = Recommendation.objects.get(code="R02")
    for iso3, status, as_of, extra in [
        ("GHA", Status.SIGNED, D(2008, 5, 1), {}),
        ("GHA", Status.RATIFIED, D(2012, 9, 7), {}),
        ("SEN", Status.RATIFIED, D(1999, 6, 9), {"historical": True}),
        ("KEN", Status.SIGNED, D(2015, 9, 1), {}),
        ("MEX", Status.ACCEDED, D(2016, 1, 1), {}),
        ("MLT", Status.SIGNED, D(2014, 1, 1), {}),  # a small state
        ("TUV", Status.RATIFIED, D(2013, 1, 1), {}),  # not drawn by the source map
    ]:
        record(
            actor=Actor.objects.get(iso3=iso3),
            recommendation=r02,
            status=status,
            as_of=as_of,
            organization=people.org_a,
            **extra,
        )
    return r02


def parse(markup: str):
    """Parse an SVG fragment as XML (it must be well-formed)."""
    tag = markup[markup.index("<svg ") :].split(">", 1)[0]
    if "xmlns=" not in tag:
        markup = markup.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return ET.fromstring(markup)


def colours(markup: str) -> dict[str, str]:
    """Country code → the status class of its shape, from an SVG map (its inset boxes are left aside)."""
    found = {}
    for link in parse(markup).iter(f"{SVG_NS}a"):
        classes = link.get("class", "").split()
        if "atlas-box" in classes and link.get("aria-hidden"):
            continue
        code = link.get("href").rstrip("/").split("/")[-2]
        found[code] = next(c for c in classes if c.startswith("f-"))
    return found


def country_map(query: str) -> maps.WorldMap:
    return maps.build_map(StatusFilter(maps.country_query(QueryDict(query))))


def table_statuses(query: str) -> dict[str, str]:
    """Country code → status, from the table report for the same filters."""
    scope = reports.build_scope(StatusFilter(QueryDict(query + "&actor_kind=country")))
    rows, total = reports.table_page(scope, sort="actor", offset=0, limit=10_000)
    assert len(rows) == total
    return {row.actor.code: row.status for row in rows}


def test_every_country_is_a_link_to_its_history_or_in_the_inset(history):
    world_map = maps.map_for_item(history)
    markup = svg.inline_svg(world_map, link_prefix="/actors/")
    root = parse(markup)
    links = {a.get("href") for a in root.iter(f"{SVG_NS}a")}
    codes = set(Actor.objects.countries().values_list("code", flat=True))
    assert len(codes) == 195 and set(world_map.places) == codes
    assert {f"/actors/{code}/R02/" for code in codes} == links
    # Each country once in the keyboard's path: the inset's boxes of drawn countries are for the mouse only.
    focusable = [a for a in root.iter(f"{SVG_NS}a") if a.get("tabindex") != "-1"]
    assert sorted(a.get("href") for a in focusable) == sorted(links)
    # Every link says whose history it opens and what the status is.
    for link in focusable:
        title = link.find(f"{SVG_NS}title").text
        assert ": " in title and title.endswith("(R02)"), title
    titles = {a.find(f"{SVG_NS}title").text for a in focusable}
    assert "Ghana: Party (ratified), as of 7 September 2012 (R02)" in titles
    assert "Kenya: Signed, as of 1 September 2015 (R02)" in titles
    # Small states have a dot and a box; Tuvalu, not drawn by the source map, is a focusable box.
    inset = {p.code for p in world_map.small_states}
    assert {"MLT", "TUV", "VAT", "MCO"} <= inset and "KEN" not in inset
    tuvalu = next(a for a in root.iter(f"{SVG_NS}a") if a.get("href") == "/actors/TUV/R02/")
    assert tuvalu.get("tabindex") is None and tuvalu.find(f"{SVG_NS}rect") is not None
    malta = [a for a in root.iter(f"{SVG_NS}a") if a.get("href") == "/actors/MLT/R02/"]
    assert len(malta) == 2 and malta[0].find(f"{SVG_NS}circle") is not None


def test_colours_are_the_statuses_of_the_table(history):
    assert colours(svg.inline_svg(maps.map_for_item(history), link_prefix="/actors/")) == {
        code: f"f-{status}" for code, status in table_statuses("item=R02").items()
    }


def test_a_status_change_recolours_exactly_that_country(history, people):
    before = colours(svg.inline_svg(maps.map_for_item(history), link_prefix="/actors/"))
    record(
        actor=Actor.objects.get(iso3="KEN"),
        recommendation=history,
        status=Status.RATIFIED,
        as_of=D(2020, 3, 1),
        organization=people.org_a,
    )
    after = colours(svg.inline_svg(maps.map_for_item(history), link_prefix="/actors/"))
    changed = {code for code in before if before[code] != after[code]}
    assert changed == {"KEN"}
    assert (before["KEN"], after["KEN"]) == ("f-signed", "f-ratified")


def test_maps_on_a_date_match_the_snapshot_table(history):
    for day in ("2000-01-01", "2010-01-01", "2013-06-30", "2015-12-31"):
        world_map = country_map(f"item=R02&on={day}")
        expected = table_statuses(f"item=R02&on={day}")
        assert {code: p.status for code, p in world_map.places.items()} == expected
        assert colours(svg.inline_svg(world_map, link_prefix="/actors/")) == {c: f"f-{s}" for c, s in expected.items()}
    # The history shows through: Ghana signed in 2010, a party in 2015; Kenya had no information in 2010.
    assert country_map("item=R02&on=2010-01-01").places["GHA"].status == Status.SIGNED
    assert country_map("item=R02&on=2010-01-01").places["KEN"].status == "no_information"
    assert country_map("item=R02&on=2015-12-31").places["GHA"].status == Status.RATIFIED


def test_filters_narrow_the_map_and_grey_the_rest(history):
    world_map = country_map("item=R02&region=Africa&status=signed&status=ratified")
    assert set(world_map.places) == {"GHA", "SEN", "KEN"}
    markup = svg.inline_svg(world_map, link_prefix="/actors/")
    assert set(colours(markup)) == {"GHA", "SEN", "KEN"}
    out = parse(markup).find(f".//{SVG_NS}g[@class='atlas-out']")
    assert out is not None and out.get("aria-hidden") == "true"


def test_the_svg_is_well_formed_and_light(history):
    world_map = maps.map_for_item(history)
    inline = svg.inline_svg(world_map, link_prefix="/actors/")
    standalone = svg.standalone_svg(world_map, link_prefix="https://x.org/actors/", source_url="https://x.org/map/")
    parse(inline)
    root = parse(standalone)
    assert root.tag == f"{SVG_NS}svg" and root.find(f"{SVG_NS}style").text.count(".f-") >= 10
    # Within budget: the map is a fraction of a page's 150 KB.
    assert len(gzip.compress(inline.encode())) < 40 * 1024
    assert len(gzip.compress(standalone.encode())) < 45 * 1024
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG_NS}text"))
    for words in (
        "R02 · Ratify",
        "Status on",
        "Signed: 2",
        "Party (ratified): 3",
        "Natural Earth",
        "https://x.org/map/",
    ):
        assert words in texts, words


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_downloads_render_as_svg_and_png(client, history):
    response = client.get("/reports/map.svg?item=R02&on=2013-06-30")
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert 'filename="map-R02-2013-06-30.svg"' in response["Content-Disposition"]
    root = parse(response.content.decode())
    assert "as it stood on 30 June 2013" in " ".join(t.text or "" for t in root.iter(f"{SVG_NS}text"))
    assert "http://testserver/actors/GHA/R02/" in {a.get("href") for a in root.iter(f"{SVG_NS}a")}
    response = client.get("/reports/map.png?item=R02")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    width, height = png_size(response.content)
    assert width == world().width and height > world().height
    # Bad input: a message, not a 500.
    for query in ("", "?item=R02&item=R03", "?item=R99", "?item=R02&on=2999-01-01"):
        response = client.get(f"/reports/map.png{query}")
        assert response.status_code == 400 and response.content.startswith(b"Cannot draw the map"), query


def test_png_shows_the_status_colours(history):
    """The PNG is drawn with the palette: Ghana's pixel is the party green of tracker.css, the ocean white."""
    from io import BytesIO

    from PIL import Image

    world_map = maps.map_for_item(history)
    image = Image.open(BytesIO(svg.png(svg.standalone_svg(world_map, link_prefix="/", source_url="x")))).convert("RGB")
    standalone = svg.standalone_svg(world_map, link_prefix="/", source_url="x")
    top = float(standalone.split('<g transform="translate(0 ', 1)[1].split(")", 1)[0])
    x, y = world().shapes["BRA"].centre
    assert image.getpixel((round(x), round(y + top))) == (255, 255, 255)  # no information: white
    x, y = world().shapes["MEX"].centre
    assert image.getpixel((round(x), round(y + top))) == (0, 0x7A, 0x5A)  # acceded: #007a5a
    assert image.getpixel((5, round(top + 600))) == (255, 255, 255)


def test_the_map_page(client, history):
    response = client.get(f"{MAP}?item=R02")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="atlas-map"' in html and "Skip the map" in html
    # The legend: colour, pattern and letter, with counts; the table beside it; the credit.
    assert 'fill="url(#atlas-p-signed)"' in html and '<span class="atlas-letter" aria-hidden="true">S</span>' in html
    assert "Signed: <strong>2</strong>" in html
    assert "The 195 countries on this map" in html and html.count('<span class="status-badge status-') >= 195
    assert "Natural Earth (public domain)" in html and "Tuvalu" in html
    assert 'href="/reports/map.svg?item=R02"' in html and 'href="/reports/map.png?item=R02"' in html
    assert 'aria-current="page" href="/reports/map/?item=R02">Map</a>' in html


def test_the_map_page_asks_for_one_item(client):
    response = client.get(MAP)
    assert response.status_code == 200 and "Choose one…" in response.content.decode()
    response = client.get(f"{MAP}?item=R02&item=R03")
    assert response.status_code == 400
    assert "A map shows one item at a time; you chose 2 (R02, R03)" in response.content.decode()
    response = client.get(f"{MAP}?item=R02&actor_kind=organization")
    assert response.status_code == 400 and "organizations are listed in the table report" in response.content.decode()
    response = client.get(f"{MAP}?item=R02&on=2999-01-01")
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    response = client.get(f"{MAP}?item=R45")  # addressed to organizations only: nothing to map, said plainly
    assert response.status_code == 200 and "No country matches these filters for R45" in response.content.decode()
    assert '<svg class="atlas-map"' not in response.content.decode()


def test_item_page_and_one_item_summary_show_the_map(client, history):
    html = client.get("/recommendations/R02/").content.decode()
    assert '<svg class="atlas-map"' in html and 'href="/reports/map/?item=R02"' in html
    html = client.get("/reports/?item=R02").content.decode()
    assert '<svg class="atlas-map"' in html
    for query in ("", "?item=R02&item=R03", "?item=R02&actor_kind=organization"):
        assert '<svg class="atlas-map"' not in client.get(f"/reports/{query}").content.decode(), query


@pytest.mark.parametrize(
    "url",
    [
        "/reports/map/?item=R02",
        "/reports/map/?item=R02&on=2013-06-30",
        "/recommendations/R02/",
        "/reports/?item=R02",
        "/compare/?actors=KEN,UGA,TZA,RWA,BDI,ETH",
    ],
)
def test_map_and_compare_pages_stay_within_the_first_load_budget(served, history, url):
    total, sizes = first_load_bytes(served, url)
    assert total <= BUDGET, (url, total, sizes)


def test_map_and_compare_query_counts_do_not_grow_with_data(client):
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages = [
        "/reports/map/?item=R02",
        "/reports/map/?item=R56&on=2015-06-30&region=Africa",
        "/reports/map.svg?item=R56",
        "/compare/?actors=KEN,UGA,synthetic-org-00001",
        "/compare/?actors=KEN,UGA,TZA&kind=policy&on=2012-01-01",
        "/compare.csv?actors=KEN,UGA,TZA",
    ]

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, url
        return len(captured.captured_queries)

    call_command("generate_benchmark_data", updates=300, organizations=10, seed=3, verbosity=0)
    small = {url: count(url) for url in pages}
    call_command("generate_benchmark_data", updates=3000, organizations=60, seed=4, verbosity=0)
    large = {url: count(url) for url in pages}
    assert large == small and max(small.values()) <= 15, (small, large)
