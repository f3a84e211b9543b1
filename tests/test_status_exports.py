"""CSV, XLSX and JSON exports: the documented columns, the same rows as the HTML table, formula-safe cells."""

import datetime
import io
import json

import openpyxl
import pytest
from django.urls import reverse

from recommendations.models import Actor, CurrentStatus, ProgressUpdate, Recommendation
from recommendations.reports import EXPORT_COLUMNS

from .factories import record
from .status_samples import csv_rows, read_csv, record_formula_named_organization, record_ratification_and_value

pytestmark = pytest.mark.django_db
COLUMNS = [
    "actor_code",
    "actor_name",
    "actor_kind",
    "country_iso3",
    "region",
    "subregion",
    "recommendation_code",
    "recommendation_title",
    "kind",
    "status",
    "as_of",
    "value",
    "unit",
    "reported_by_organization",
    "evidence_urls",
    "verified_at",
    "perspective",
]

XLSX_COLUMNS = [
    *COLUMNS[:3],
    "actor_kind_label",
    *COLUMNS[3:9],
    "kind_label",
    "status",
    "status_label",
    *COLUMNS[10:],
]


@pytest.fixture
def data(make_org, people):
    ghana = record_ratification_and_value(people)
    record_formula_named_organization(make_org, people, base_country=ghana)
    return {"ghana": ghana}


def xlsx_rows(client, params):
    response = client.get(reverse("recommendations:status_xlsx"), params)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["status"]
    values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    return values[0], values[1:], book


def json_rows(client, params):
    response = client.get(reverse("recommendations:status_json"), params)
    assert response.status_code == 200
    body = json.loads(b"".join(response.streaming_content))
    return body["columns"], [[row[c] for c in body["columns"]] for row in body["rows"]], body


def table_rows(client, params):
    rows, page = [], 1
    while True:
        response = client.get(reverse("recommendations:report_table"), {**params, "page": page})
        rows += [
            (r.actor.code, r.item.code, r.status, r.update.as_of_display() if r.update else "")
            for r in response.context["rows"]
        ]
        if page >= response.context["pages"]:
            return rows
        page += 1


@pytest.mark.parametrize(
    "params",
    [
        {"item": "R02"},
        {"item": ["R17", "R45"], "status": ["progressing", "limited"]},
        {"subregion": "Western Africa", "item": "R02", "on": "2013-01-01"},
    ],
)
def test_every_format_has_the_columns_and_the_rows_of_the_table(client, data, params):
    assert EXPORT_COLUMNS == COLUMNS
    expected = table_rows(client, params)
    for header, rows in (csv_rows(client, params), xlsx_rows(client, params)[:2], json_rows(client, params)[:2]):
        assert header in (COLUMNS, XLSX_COLUMNS)  # the spreadsheet adds each code's label beside it
        pick = [header.index(name) for name in ("actor_code", "recommendation_code", "status")]
        exported = [tuple(r[n] for n in pick) for r in rows]
        assert exported == [(a, i, s) for a, i, s, _ in expected]


def test_row_content(client, data):
    _, rows = csv_rows(client, {"item": ["R02", "R17"], "status": ["ratified", "progressing"]})
    by_code = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows}
    ghana = by_code["GHA"]
    assert ghana["actor_name"] == "Ghana" and ghana["actor_kind"] == "country" and ghana["country_iso3"] == "GHA"
    assert (ghana["region"], ghana["subregion"]) == ("Africa", "Western Africa")
    assert (ghana["recommendation_code"], ghana["kind"], ghana["status"]) == ("R02", "ratification", "ratified")
    assert ghana["as_of"] == "2012-09-07"
    assert ghana["evidence_urls"] == "https://treaties.un.org/a https://example.org/b"
    assert ghana["reported_by_organization"] == "forum-a"
    assert ghana["verified_at"].endswith("Z")
    assert ghana["perspective"] == "civil_society"  # forum-a is an NGO
    philippines = by_code["PHL"]
    assert (philippines["value"], philippines["unit"], philippines["status"]) == (
        "4.25",
        "% of amount sent",
        "progressing",
    )


def test_no_information_rows_are_exported_too(client, data):
    _, rows = csv_rows(client, {"item": "R02", "subregion": "Western Africa"})
    statuses = {r[0]: r[9] for r in rows}
    assert statuses["GHA"] == "ratified"
    assert statuses["SEN"] == "no_information"
    assert all(r[10] == "" for r in rows if r[9] == "no_information")


def test_formula_injection_is_neutralised_in_every_format(client, data):
    params = {"actor": "hostile"}
    _, rows = csv_rows(client, params)
    assert rows[0][1] == '\'=HYPERLINK("http://evil.example","click")'
    _, rows, book = xlsx_rows(client, params)
    cell = book["status"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
    _, rows, _ = json_rows(client, params)
    assert rows[0][1] == '=HYPERLINK("http://evil.example","click")'  # JSON is for programs: the exact value


def test_json_states_its_filters(client, data):
    _, _, body = json_rows(client, {"item": "R02", "on": "2013-01-01"})
    assert body["filters"] == ["Items: R02", "Status on date: 2013-01-01"]
    assert body["as_of"] == "2013-01-01"


def test_xlsx_has_an_about_sheet_with_the_filters(client, data):
    _, _, book = xlsx_rows(client, {"item": "R02"})
    about = {row[0]: row[1] for row in book["about"].iter_rows(values_only=True)}
    assert about["Filters"] == "Items: R02"


# Every text column of the status export and where it comes from; the kinds and statuses are choices the
# database constrains (check constraints), the dates and the value are typed columns.
FORMULA_FIELDS = {
    "actor_code": "the actor's code",
    "actor_name": "the actor's name",
    "country_iso3": "the country's ISO3 (an organization's: its base country's)",
    "region": "the country's region",
    "subregion": "the country's sub-region and intermediate region",
    "recommendation_code": "the item's code",
    "recommendation_title": "the item's title",
    "unit": "the item's unit",
    "reported_by_organization": "the reporting organization's code",
    "evidence_urls": "the update's evidence links",
}
CONSTRAINED = {"actor_kind", "kind", "status", "as_of", "value", "verified_at", "perspective"}
PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


def assert_every_cell_is_inert(rows, planted):
    from recommendations.exports import FORMULA_FIRST

    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert not cell or cell[0] not in FORMULA_FIRST | {"\n"}, repr(cell)
    for value in planted:  # the hostile text is there, guarded, not dropped
        assert any(value in cell and cell.startswith("'") for cell in cells), (repr(value), cells)


@pytest.mark.parametrize("prefix", PREFIXES, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_every_text_cell_of_csv_and_xlsx_is_formula_guarded(client, make_org, people, prefix):
    """A formula in every text field the status export reads; no cell of the CSV or the XLSX starts one."""
    assert set(EXPORT_COLUMNS) == set(FORMULA_FIELDS) | CONSTRAINED  # a new column must be planted here too

    def f(name):
        return prefix + f'HYPERLINK("//x/{name}")'

    ghana = Actor.objects.get(iso3="GHA")
    Actor.objects.filter(pk=ghana.pk).update(
        code=f("code"),
        name=f("country"),
        iso3=prefix + "GH",
        region=f("region"),
        subregion=f("subregion"),
        intermediate_region=f("intermediate"),
    )
    org = make_org(f("org"), code=f("orgcode"), base_country=ghana)
    Actor.objects.filter(pk=people.org_a.pk).update(code=f("reporter"))
    item = Recommendation.objects.get(code="R17")
    for actor in (Actor.objects.get(pk=ghana.pk), org):
        update = record(
            actor=actor,
            recommendation=item,
            value="4.25",
            as_of=datetime.date(2021, 1, 1),
            organization=Actor.objects.get(pk=people.org_a.pk),
        )
        hostile_links = [f("evidence"), "https://example.org/ok"]
        ProgressUpdate.objects.filter(pk=update.pk).update(evidence_urls=hostile_links)
        CurrentStatus.objects.filter(update=update).update(evidence_urls=hostile_links)  # the report's copy
    Recommendation.objects.filter(pk=item.pk).update(code=prefix + "CODE", title=f("title"), unit=f("unit"))
    planted = [f(name) for name in ("code", "country", "region", "intermediate", "org", "orgcode", "reporter")]
    planted += [prefix + "GH", prefix + "CODE", f("title"), f("unit"), f("evidence")]

    params = {"kind": "quantitative"}
    header, rows = csv_rows(client, params)
    assert header == COLUMNS
    assert_every_cell_is_inert(rows, planted)
    _, rows, book = xlsx_rows(client, params)
    # (XML reads a carriage return back as a line feed.)
    assert_every_cell_is_inert(rows, [value.replace("\r", "\n") for value in planted])
    for row in book["status"].iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.coordinate  # a formula cell
    _, rows, _ = json_rows(client, params)  # JSON is for programs: the exact values
    assert any(f("unit") in row for row in rows)


@pytest.mark.parametrize("prefix", PREFIXES, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_every_text_cell_of_the_item_list_export_is_formula_guarded(client, prefix):
    """The item list's CSV: code, title, quotation, section, themes, addressees and instruments."""
    from recommendations.models import Addressee, Citation, Instrument, Section, Theme

    def f(name):
        return prefix + f'HYPERLINK("//x/{name}")'

    item = Recommendation.objects.get(code="R02")
    Section.objects.filter(pk=item.section_id).update(code=f("section"))
    Citation.objects.filter(recommendation=item).update(text=f("quotation"))
    planted = [f("section"), f("quotation"), prefix + "CODE", f("title")]
    for model, related, field in [
        (Theme, item.themes, "name"),
        (Addressee, item.addressees, "name"),
        (Instrument, item.instruments, "short_name"),
    ]:
        for pk in related.values_list("pk", flat=True):  # unique names: one each
            model.objects.filter(pk=pk).update(**{field: f(f"{field}{pk}")})
            planted.append(f(f"{field}{pk}"))
    Recommendation.objects.filter(pk=item.pk).update(code=prefix + "CODE", title=f("title"))
    response = client.get(reverse("recommendations:export_csv"))
    rows = read_csv(b"".join(response.streaming_content).decode())[1:]
    assert_every_cell_is_inert(rows, planted)
