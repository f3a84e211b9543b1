"""Issue 14, items 12 and 13: then versus now on reports, over-time charts and history, and citing."""

import csv
import datetime
import io
import json
import re

import openpyxl
import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from recommendations import citing
from recommendations.models import ProgressUpdate, Status
from recommendations.reports import HISTORY_COLUMNS

from .factories import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(country, item):
    """Ghana's remittance cost falls from 8.5 % to 5.4 % (off track throughout); Kenya signs, then ratifies."""
    r17 = item("quantitative")
    assert r17.code == "R17"
    ghana, kenya, r02 = country("GHA"), country("KEN"), item("ratification")
    record(actor=ghana, recommendation=r17, value="8.5", as_of=datetime.date(2016, 6, 1))
    record(actor=ghana, recommendation=r17, value="5.4", as_of=datetime.date(2023, 6, 1))
    record(actor=kenya, recommendation=r02, status=Status.SIGNED, as_of=datetime.date(2015, 3, 1))
    record(actor=kenya, recommendation=r02, status=Status.RATIFIED, as_of=datetime.date(2020, 3, 1))
    return {"r17": r17, "r02": r02}


def text(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


# --- 12: compare with a date -----------------------------------------------------------------------------


def test_the_table_shows_the_change_since_the_compare_date(client, history):
    html = client.get("/reports/table/?item=R02&actor=KEN&compare=2016-01-01").content.decode()
    assert "Change since 1 Jan 2016" in html
    assert 'status-signed">Signed</span> → <span class="status-badge status-ratified">Party (ratified)' in html
    same = client.get("/reports/table/?item=R02&actor=KEN&compare=2021-01-01").content.decode()
    assert "No change (Party (ratified))" in same
    without = client.get("/reports/table/?item=R02&actor=KEN").content.decode()
    assert "Change since" not in without


def test_the_table_shows_the_value_change_of_a_quantitative_item(client, history):
    html = client.get("/reports/table/?item=R17&actor=GHA&compare=2017-01-01").content.decode()
    assert "Value 8.5 → 5.4 (−3.1) % of amount sent" in html
    assert "No change (Off track)" in html  # the status alone hides the fall


def test_a_status_filter_does_not_hide_the_status_on_the_compare_date(client, history):
    """status=ratified keeps Kenya's row; what it was in 2016 (signed) is looked up without that filter."""
    html = client.get("/reports/table/?item=R02&actor=KEN&status=ratified&compare=2016-01-01").content.decode()
    assert "Signed</span> → " in html


def test_the_summary_compares_counts_on_both_dates(client, history):
    response = client.get("/reports/?item=R02&actor=KEN,GHA&compare=2016-01-01")
    rows = {status: (then, now, change) for status, _, then, now, change in response.context["comparison"]}
    assert rows["signed"] == (1, 0, -1)
    assert rows["ratified"] == (0, 1, 1)
    assert rows["no_information"] == (1, 1, 0)
    html = response.content.decode()
    assert "Change since 1 January 2016" in html and "On 1 Jan 2016: Signed 1" in html


def test_compare_is_validated_like_every_filter(client, history):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.get(f"/reports/table/?compare={future}")
    assert response.status_code == 400
    assert "Compare with the status on: The date cannot be in the future" in response.content.decode()


def test_comparing_costs_the_same_queries_whatever_the_rows(client, history, country, item):
    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count("/reports/table/?item=R02&actor=KEN&compare=2016-01-01")
    for iso3 in ("GHA", "SEN", "MEX", "PHL", "UGA"):
        record(
            actor=country(iso3),
            recommendation=item("ratification"),
            status=Status.SIGNED,
            as_of=datetime.date(2010, 1, 1),
        )
    large = count("/reports/table/?item=R02&actor=KEN,GHA,SEN,MEX,PHL,UGA&compare=2016-01-01")
    assert small == large


# --- 12: over time on reports, and the history export -------------------------------------------------------


def test_the_summary_charts_the_filtered_history_and_the_values(client, history):
    html = client.get("/reports/?item=R17").content.decode()
    assert "Over time" in html
    assert "R17: median measured value: 8.5 % of amount sent at the end of 2016, 5.4 % of amount sent" in html
    kenya = client.get("/reports/?actor=KEN").content.decode()
    assert re.search(r"At the end of \d{4}: Party \(ratified\) 1\.", kenya) and "median measured value" not in kenya


def test_the_history_csv_lists_every_verified_update_with_what_came_before(client, history):
    response = client.get("/reports/history.csv?actor=GHA,KEN")
    rows = list(csv.reader(io.StringIO(text(response), newline="")))
    assert rows[0] == HISTORY_COLUMNS  # the first line stays the header: no citation inside
    body = [dict(zip(HISTORY_COLUMNS, row, strict=True)) for row in rows[1:]]
    ghana = [row for row in body if row["actor_code"] == "GHA"]
    assert [(r["as_of"], r["value"], r["previous_value"]) for r in ghana] == [
        ("2016-06-01", "8.5", ""),
        ("2023-06-01", "5.4", "8.5"),
    ]
    kenya = [row for row in body if row["actor_code"] == "KEN"]
    assert [(r["status"], r["previous_status"]) for r in kenya] == [("signed", ""), ("ratified", "signed")]
    assert {row["actor_code"] for row in body} == {"GHA", "KEN"}  # the filter applies


def test_the_history_csv_keeps_each_perspective_on_its_own_track(client, history):
    """perspective= applies to the export; the previous status is the same perspective's, never another's."""
    from recommendations.models import Actor, Perspective

    kenya, r02 = Actor.objects.get(code="KEN"), history["r02"]
    usual = ProgressUpdate.objects.get(actor=kenya, status=Status.SIGNED).perspective
    other = next(p for p in (Perspective.GOVERNMENT, Perspective.CIVIL_SOCIETY) if p != usual)
    record(actor=kenya, recommendation=r02, status=Status.ACCEDED, as_of=datetime.date(2018, 1, 1), perspective=other)
    rows = list(csv.reader(io.StringIO(text(client.get("/reports/history.csv?item=R02&actor=KEN")), newline="")))
    body = [dict(zip(HISTORY_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [(r["status"], r["previous_status"], r["perspective"]) for r in body] == [
        ("signed", "", usual),
        ("acceded", "", other),  # its track's first: not "after" the other track's "signed"
        ("ratified", "signed", usual),  # its own track's previous, not the other's "acceded"
    ]
    only = client.get(f"/reports/history.csv?item=R02&actor=KEN&perspective={usual}")
    rows = list(csv.reader(io.StringIO(text(only), newline="")))
    assert [(r[4], r[-1]) for r in rows[1:]] == [("signed", usual), ("ratified", usual)]


def test_charts_download_as_svg_and_png_with_title_date_legend_and_source(client, history):
    svg = client.get("/reports/chart.svg?actor=KEN")
    assert svg["Content-Type"].startswith("image/svg+xml")
    body = svg.content.decode()
    assert "at each status, end of each year" in body  # the title
    assert "Verified history up to" in body and "data as of" in body  # the dates
    assert ">Signed</text>" in body and ">Party (ratified)</text>" in body  # the legend
    assert "Source: http://testserver/reports/?actor=KEN" in body and "CC BY 4.0" in body
    values = client.get("/reports/chart.svg?item=R17&chart=values").content.decode()
    assert "median measured value" in values and "Median of the latest measured values" in values
    png = client.get("/reports/chart.png?item=R17&chart=values")
    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/reports/chart.svg?actor=KEN&chart=values").status_code == 400


# --- 13: citing ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/reports/?item=R02&on=2018-01-01",
        "/reports/table/?item=R02&on=2018-01-01",
        "/reports/matrix/?item=R02&on=2018-01-01",
        "/reports/map/?item=R02&on=2018-01-01",
        "/compare/?actors=KEN,GHA&on=2018-01-01",
    ],
)
def test_every_report_page_carries_a_suggested_citation(client, history, url):
    html = client.get(url).content.decode()
    cite = html.split('id="cite"', 1)[1]
    today = timezone.localdate()
    assert f"http://testserver{url.replace('&', '&amp;')}" in cite
    assert "Data as of 1 January 2018." in cite  # the data's date, not today's
    assert f"Retrieved {today:%-d %B %Y}" in cite
    assert "Summary of informal interactive hearings" in cite
    assert "CC BY 4.0" in cite
    head, _, _ = html.partition('id="cite"')
    assert "no-print" not in html.split('id="cite"', 1)[0].rsplit("<section", 1)[1]  # printed too


def test_data_as_of_is_the_latest_verified_update_not_today(history):
    ProgressUpdate.objects.update(reviewed_at=timezone.make_aware(datetime.datetime(2024, 5, 2, 12)))
    citation = citing.suggested(title="x", url="http://example.org/")
    assert citation.as_of == datetime.date(2024, 5, 2)
    assert citing.suggested(title="x", url="u", snapshot=datetime.date(2010, 1, 1)).as_of == datetime.date(2010, 1, 1)


def test_the_csv_link_has_a_citation_beside_it_and_the_csv_none_inside(client, history):
    html = client.get("/reports/table/?item=R02").content.decode()
    assert '>CSV</a> (<a href="#cite">how to cite it</a>)' in html
    first = text(client.get("/reports/status.csv?item=R02")).splitlines()[0]
    assert first.startswith("actor_code,") and "CC BY" not in text(client.get("/reports/status.csv?item=R02"))


def test_json_metadata_carries_the_citation(client, history):
    body = json.loads(text(client.get("/reports/status.json?item=R02&on=2018-01-01")))
    cite = body["citation"]
    assert cite["url"] == "http://testserver/reports/table/?item=R02&on=2018-01-01"
    assert cite["as_of"] == "2018-01-01" and cite["licence"] == "CC BY 4.0"
    assert cite["retrieved"] == timezone.localdate().isoformat()
    assert cite["text"].startswith("Open tracker of the calls to action")


def test_xlsx_cites_and_types_its_cells(client, history):
    response = client.get("/reports/status.xlsx?item=R02&item=R17&actor=KEN,GHA")
    book = openpyxl.load_workbook(io.BytesIO(text_bytes(response)))
    about = {row[0]: row[1] for row in book["about"].iter_rows(values_only=True)}
    assert about["Suggested citation"].startswith("Open tracker of the calls to action")
    assert about["Licence"].startswith("CC BY 4.0") and "Summary of informal" in about["Source document"]
    assert isinstance(about["Retrieved"], datetime.datetime)  # a date cell
    sheet = book["status"]
    header = [cell.value for cell in sheet[1]]
    assert header[header.index("status") + 1] == "status_label"  # labels beside codes
    assert header[header.index("kind") + 1] == "kind_label"
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    ghana = next(r for r in rows if r["actor_code"] == "GHA" and r["recommendation_code"] == "R17")
    assert ghana["value"] == 5.4  # a number
    assert ghana["as_of"] == datetime.datetime(2023, 6, 1)  # a date
    assert ghana["status_label"] == "Off track" and ghana["kind_label"] == "Quantitative target"
    assert isinstance(ghana["verified_at"], datetime.datetime)
    kenya = next(r for r in rows if r["actor_code"] == "KEN" and r["recommendation_code"] == "R17")
    assert kenya["as_of"] is None and kenya["value"] is None and kenya["status_label"] == "No information"


def text_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(
    ("language", "precision", "said", "not_said"),
    [
        ("en", "year", "Data as of 2017.", "1 January 2017"),
        ("en", "month", "Data as of March 2017.", "1 March 2017"),
        ("en", "day", "Data as of 1 March 2017.", "Data as of March 2017"),
        ("fr", "year", "Données en 2017.", "1er janvier 2017"),
        ("fr", "month", "Données en mars 2017.", "au mars"),
        ("fr", "day", "Données au 1er mars 2017.", "en mars 2017"),
        ("ru", "year", "Данные по состоянию на 2017 год.", "1 января"),
    ],
)
def test_a_citation_words_its_data_s_as_of_at_its_precision(language, precision, said, not_said):
    """The "Data as of" of a citation follows the rule of every as-of date (``models.as_of_phrase``): data known
    to the year read "Données en 2017", not a whole day ("au 1er janvier 2017"), in the line, on the page and in
    the JSON; a report's snapshot date and a review's day are days ("au 1er mars 2017")."""
    day = {"year": datetime.date(2017, 1, 1), "month": datetime.date(2017, 3, 1), "day": datetime.date(2017, 3, 1)}
    citation = citing.Citation(
        title="t",
        url="https://example.org/",
        retrieved=datetime.date(2024, 3, 5),
        as_of=day[precision],
        source="s",
        as_of_precision=precision,
    )
    with translation.override(language):
        assert said in citation.text and not_said not in citation.text
        assert said in citation.html
        page = Template("{% include 'recommendations/_citation.html' %}").render(Context({"citation": citation}))
    assert said.rstrip(".") in page and not_said not in page
    assert citation.as_dict()["as_of"] == {"year": "2017", "month": "2017-03", "day": "2017-03-01"}[precision]


def test_a_translated_citation_marks_only_its_english_source(client, history):
    """The suggested citation on a French page is French but for the source document's English title: that part
    is marked lang="en", not the whole citation (it was ``<cite lang="en">`` around French sentences)."""
    html = client.get("/fr/reports/?item=R02&on=2018-01-01").content.decode()
    cite = html.split('id="cite"', 1)[1].split("</section>", 1)[0]
    assert "<cite>" in cite and '<cite lang="en">' not in cite
    assert "Données au 1er janvier 2018." in cite
    assert '<span lang="en" dir="ltr">Summary of informal interactive hearings' in cite
    english = client.get("/reports/?item=R02&on=2018-01-01").content.decode()
    assert "Data as of 1 January 2018." in english.split('id="cite"', 1)[1]
