"""The CSV export of the item list: columns, filters, formula-injection guard."""

import csv
import io

import pytest
from django.urls import reverse

from recommendations.exports import spreadsheet_safe
from recommendations.models import Recommendation

pytestmark = pytest.mark.django_db
EXPORT = reverse("recommendations:export_csv")
COLUMNS = [
    "code",
    "title",
    "text",
    "paragraphs",
    "section",
    "themes",
    "kind",
    "addressees",
    "instruments",
    "context_paragraphs",
    "title_is_editorial",
    "editorial_split",
    "editorial_note",
    "sdg_targets",
]


def read(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body))), body.splitlines()[0]


def test_export_has_the_documented_columns_and_every_item(client):
    rows, header = read(client.get(EXPORT))
    assert header.split(",") == COLUMNS
    assert [r["code"] for r in rows] == list(Recommendation.objects.values_list("code", flat=True))


def test_export_row_content(client):
    rows, _ = read(client.get(EXPORT, {"q": "R02"}))
    (row,) = rows
    item = Recommendation.objects.get(code="R02")
    quotes = [c.text for c in item.citations.order_by("position")]
    assert row["text"].split("\n\n") == quotes
    assert row["paragraphs"] == "; ".join(str(c.paragraph.number) for c in item.citations.order_by("position"))
    assert row["section"] == "III.E"
    assert row["kind"] == "ratification"
    assert row["instruments"] == "ICRMW"
    assert row["addressees"] == "All Member States"
    assert row["themes"] == "Human rights instruments"


def test_export_uses_the_same_filters_as_the_list(client):
    rows, _ = read(client.get(EXPORT, {"theme": "remittances"}))
    expected = Recommendation.objects.filter(themes__slug="remittances").values_list("code", flat=True)
    assert sorted(r["code"] for r in rows) == sorted(expected)


def test_export_with_invalid_filter_is_a_clear_400(client):
    response = client.get(EXPORT, {"kind": "nope"})
    assert response.status_code == 400
    assert "“nope” is not one of the choices" in response.content.decode()


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Plain text", "Plain text"),
        (None, ""),
        (3, "3"),
    ],
)
def test_spreadsheet_formulas_are_neutralised(value, expected):
    assert spreadsheet_safe(value) == expected


def test_export_neutralises_a_hostile_title(client):
    Recommendation.objects.filter(code="R02").update(title="=cmd|' /C calc'!A0")
    rows, _ = read(client.get(EXPORT, {"q": "R02"}))
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0"
