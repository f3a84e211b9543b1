"""Countries and organizations compared: cells equal the table report, differences, filters, CSV, region."""

import csv
import datetime
import io
import re
from html import escape, unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.http import QueryDict

from atlas import compare
from recommendations import reports
from recommendations.filters import StatusFilter
from recommendations.models import Actor, Recommendation, Status

from .factories import record

pytestmark = pytest.mark.django_db
D = datetime.date
COMPARE = "/compare/"


@pytest.fixture
def progress(people, make_org):
    """Kenya, Uganda and an NGO based in Kenya, on a treaty, policy items and over time."""
    get = Actor.objects.get
    ngo = make_org("Kituo Cha Sheria", code="kituo", base_country=get(iso3="KEN"))
    items = {code: Recommendation.objects.get(code=code) for code in ("R02", "R56", "R45", "R17")}
    for actor, code, extra, as_of in [
        (get(iso3="KEN"), "R02", {"status": Status.SIGNED}, D(2010, 1, 1)),
        (get(iso3="KEN"), "R02", {"status": Status.RATIFIED}, D(2016, 1, 1)),
        (get(iso3="UGA"), "R02", {"status": Status.ACCEDED}, D(1995, 1, 1)),
        (get(iso3="KEN"), "R56", {"status": Status.LIMITED}, D(2012, 1, 1)),
        (get(iso3="UGA"), "R56", {"status": Status.COMPLETE}, D(2019, 1, 1)),
        (get(iso3="KEN"), "R17", {"value": "4.2"}, D(2021, 1, 1)),
        (ngo, "R45", {"status": Status.SUBSTANTIAL}, D(2019, 1, 1)),
        (ngo, "R56", {"status": Status.LIMITED}, D(2020, 1, 1)),
    ]:
        record(
            actor=actor,
            recommendation=items[code],
            as_of=as_of,
            organization=people.org_a,
            historical=as_of.year < 2006,
            **extra,
        )
    return ngo


def comparison(query: str) -> compare.Comparison:
    data = QueryDict(query)
    codes = compare.parse_codes(data.getlist("actors"))
    return compare.build(StatusFilter(compare.status_query(data, codes)))


def table_rows(query: str) -> set[tuple[str, str, str]]:
    scope = reports.build_scope(StatusFilter(QueryDict(query)))
    rows, total = reports.table_page(scope, sort="item", offset=0, limit=10_000)
    assert len(rows) == total
    return {(row.actor.code, row.item.code, row.status) for row in rows}


def cells(result: compare.Comparison) -> set[tuple[str, str, str]]:
    return {(actor.code, row.item.code, cell.status) for row in result.rows for actor, cell in row.pairs if cell}


@pytest.mark.parametrize(
    ("query", "table_query"),
    [
        ("actors=KEN,UGA", "actor=KEN,UGA"),
        ("actors=KEN,UGA,kituo", "actor=KEN,UGA,kituo"),
        ("actors=KEN&actors=UGA&actors=kituo&kind=policy", "actor=KEN,UGA,kituo&kind=policy"),
        ("actors=KEN,kituo&theme=recruitment", "actor=KEN,kituo&theme=recruitment"),
        ("actors=KEN,UGA,kituo&on=2013-01-01", "actor=KEN,UGA,kituo&on=2013-01-01"),
    ],
)
def test_cells_equal_the_table_reports_rows(progress, query, table_query):
    result = comparison(query)
    assert cells(result) == table_rows(table_query)
    # One row per item in the source's order, one column per actor in the order asked for.
    positions = [row.item.position for row in result.rows]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert [a.code for a in result.actors] == compare.parse_codes(QueryDict(query).getlist("actors"))


def test_differences_are_marked_and_a_party_is_a_party(progress):
    result = comparison("actors=KEN,UGA,kituo")
    rows = {row.item.code: row for row in result.rows}
    assert not rows["R02"].differs  # ratified vs acceded: both parties; the NGO does not ratify
    assert rows["R02"].cells[2] is None
    assert rows["R56"].differs  # limited, complete, limited
    assert not rows["R62"].differs  # no information for all
    assert rows["R17"].differs  # Kenya progressing, Uganda no information, NGO not concerned
    assert {row.item.code for row in result.rows if row.differs} == {"R56", "R17"} and result.differing == 2
    on_2013 = {row.item.code: row for row in comparison("actors=KEN,UGA&on=2013-01-01").rows}
    assert on_2013["R02"].differs  # Kenya had only signed then
    assert [c.status for c in on_2013["R02"].cells] == [Status.SIGNED, Status.ACCEDED]


def test_the_page_groups_by_theme_links_each_cell_and_highlights(client, progress):
    response = client.get(f"{COMPARE}?actors=KEN,UGA,kituo")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kenya, Uganda and Kituo Cha Sheria compared" in html
    assert 'href="/actors/KEN/R02/"><span class="visually-hidden">Kenya: </span>Party (ratified)</a>' in html
    assert 'href="/actors/kituo/R45/"><span class="visually-hidden">Kituo Cha Sheria: </span>Substantial</a>' in html
    assert '<tr class="differs">' in html and '<span class="differs-mark">differs</span>' in html
    themes = {theme.name for row in comparison("actors=KEN,UGA,kituo").rows for theme in row.item.themes.all()}
    for theme in themes:
        assert f">{theme}</h2>" in html.replace("&amp;", "&"), theme
    # Only the differences.
    only = client.get(f"{COMPARE}?actors=KEN,UGA,kituo&differences=1").content.decode()
    shown = re.findall(r'<tr( class="differs")?>\s*<th scope="row"', only)
    assert shown and all(shown)  # every row shown is one where they differ, under each of its themes
    assert len(shown) == html.count('<tr class="differs">')
    # The region's countries to tick: Kenya's (Eastern Africa), the chosen ones ticked.
    assert 'value="UGA" id="peer-UGA" checked' in html and 'value="ETH" id="peer-ETH">' in html


def test_csv_export(client, progress):
    response = client.get("/compare.csv?actors=KEN,UGA&kind=ratification")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="compare-KEN-UGA.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "recommendation_code",
        "recommendation_title",
        "kind",
        "themes",
        "KEN_status",
        "KEN_status_label",
        "KEN_as_of",
        "UGA_status",
        "UGA_status_label",
        "UGA_as_of",
        "differs",
    ]
    r02 = next(r for r in rows if r[0] == "R02")
    assert r02[4:] == ["ratified", "Party (ratified)", "2016-01-01", "acceded", "Party (acceded)", "1995-01-01", "no"]
    assert {r[2] for r in rows[1:]} == {"ratification"}
    assert len(rows) - 1 == len(comparison("actors=KEN,UGA&kind=ratification").rows)
    response = client.get("/compare.csv?actors=KEN,UGA&on=2013-01-01")
    assert 'filename="compare-2013-01-01-KEN-UGA.csv"' in response["Content-Disposition"]
    assert client.get("/compare.csv").status_code == 400


def test_csv_export_is_the_same_file_in_every_language(client, progress):
    """Codes, not the page language's labels: /fr/compare.csv is byte for byte /compare.csv."""
    english = b"".join(client.get("/compare.csv?actors=KEN,UGA,TZA").streaming_content)
    for prefix in ("fr", "es", "ru", "zh-hans", "ar"):
        assert b"".join(client.get(f"/{prefix}/compare.csv?actors=KEN,UGA,TZA").streaming_content) == english, prefix
    rows = list(csv.reader(io.StringIO(english.decode())))
    codes = {cell for row in rows[1:] for cell in row[4:-1:3]}
    assert "no_information" in codes and all(code == code.lower() and " " not in code for code in codes)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("actors=KEN", "Choose at least 2"),
        ("actors=KEN,ken", "Choose at least 2"),
        ("actors=KEN,UGA,TZA,RWA,BDI,ETH,SOM", "Compare at most 6"),
        ("actors=KEN,XXX", "Unknown code(s): XXX"),
        ("actors=KEN,UGA&on=2999-01-01", "cannot be in the future"),
        ("actors=KEN,UGA&kind=nonsense", "is not one of the choices"),
    ],
)
def test_bad_input_gets_a_message(client, query, message):
    response = client.get(f"{COMPARE}?{query}")
    assert response.status_code == 400 and message in response.content.decode()
    assert client.get(f"/compare.csv?{query}").status_code == 400


def test_without_actors_the_page_explains(client):
    response = client.get(COMPARE)
    assert response.status_code == 200 and "Type the codes of two to six" in response.content.decode()


def test_compare_with_region_picks_the_country_and_its_nearest_neighbours(client):
    response = client.get("/compare/region/KEN/")
    assert response.status_code == 302
    codes = parse_qs(urlparse(response["Location"]).query)["actors"][0].split(",")
    assert codes[0] == "KEN" and set(codes[1:]) == {"UGA", "TZA", "ETH", "SOM", "SSD"}
    assert set(Actor.objects.filter(code__in=codes).values_list("intermediate_region", flat=True)) == {"Eastern Africa"}
    # A European country: its sub-region (no intermediate region), at most six in all.
    codes = parse_qs(urlparse(client.get("/compare/region/FRA/")["Location"]).query)["actors"][0].split(",")
    assert codes[0] == "FRA" and len(codes) == 6
    assert set(Actor.objects.filter(code__in=codes).values_list("subregion", flat=True)) == {"Western Europe"}
    assert {"BEL", "DEU", "CHE", "LUX", "MCO"} <= set(codes)
    assert client.get("/compare/region/nowhere/").status_code == 404


def test_country_page_links_to_the_region_comparison(client, make_org):
    html = client.get("/actors/KEN/").content.decode()
    assert 'href="/compare/region/KEN/">Compare with Eastern Africa</a>' in html
    make_org("An NGO", code="an-ngo")
    assert "/compare/region/" not in client.get("/actors/an-ngo/").content.decode()


def test_the_heading_and_the_citation_name_the_countries_in_the_pages_language(client, progress):
    html = unescape(client.get(f"/fr{COMPARE}?actors=KEN,UGA,TZA").content.decode())
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    assert "Ouganda" in heading and "République-Unie de Tanzanie" in heading, heading
    assert "Uganda" not in heading and "United Republic" not in heading
    # The suggested citation's title, and everything else on the page: no English name left.
    assert "Comparaison\xa0: Kenya, Ouganda, République-Unie de Tanzanie." in html, re.findall(
        "Comparaison.{0,80}", html
    )
    assert "Uganda" not in html and "United Republic of Tanzania" not in html


def test_an_untranslated_theme_heading_is_marked_english_as_on_every_page(client, progress):
    from recommendations.models import Theme

    themes = {t for row in comparison("actors=KEN,UGA").rows for t in row.item.themes.all()}
    untranslated, translated = sorted(themes, key=lambda t: t.pk)[:2]
    Theme.objects.filter(pk=untranslated.pk).update(name_fr="")
    Theme.objects.filter(pk=translated.pk).update(name_fr="Thème traduit")
    html = client.get(f"/fr{COMPARE}?actors=KEN,UGA").content.decode()
    headings = re.findall(r'<h2 class="h5 mt-3" id="theme-\d+">(.*?)</h2>', html)
    assert f'<span lang="en">{escape(untranslated.name_en)}</span>' in " ".join(headings), headings
    assert "Thème traduit" in headings
    assert any("not-translated" in h for h in headings)
