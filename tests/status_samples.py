"""Statuses the export, API and open-data tests share, and the CSV export's rows as they read them."""

import csv
import datetime
import io

from django.urls import reverse

from recommendations.models import Actor, Recommendation, Status

from .factories import record

FORMULA_NAME = '=HYPERLINK("http://evil.example","click")'


def record_ratification_and_value(people, *, precision: str = "day") -> Actor:
    """Ghana ratified the ICRMW (R02, 7 September 2012, two evidence links); the Philippines' remittance cost
    is 4.25 (R17, quantitative). Both filed for org A. Returns Ghana."""
    ghana = Actor.objects.get(iso3="GHA")
    record(
        actor=ghana,
        recommendation=Recommendation.objects.get(code="R02"),
        status=Status.RATIFIED,
        as_of=datetime.date(2012, 9, 7),
        as_of_precision=precision,
        organization=people.org_a,
        evidence_urls=["https://treaties.un.org/a", "https://example.org/b"],
    )
    record(
        actor=Actor.objects.get(iso3="PHL"),
        recommendation=Recommendation.objects.get(code="R17"),
        value="4.25",
        as_of=datetime.date(2021, 1, 1),
        organization=people.org_a,
    )
    return ghana


def record_formula_named_organization(make_org, people, *, base_country: Actor) -> Actor:
    """An organization whose name is a spreadsheet formula, limited progress on R45 (2020)."""
    hostile = make_org(FORMULA_NAME, code="hostile", base_country=base_country)
    record(
        actor=hostile,
        recommendation=Recommendation.objects.get(code="R45"),
        status=Status.LIMITED,
        as_of=datetime.date(2020, 1, 1),
        organization=people.org_a,
    )
    return hostile


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def csv_rows(client, params=None) -> tuple[list[str], list[list[str]]]:
    """/reports/status.csv for these filters, streamed as UTF-8 CSV: its header and its rows."""
    response = client.get(reverse("recommendations:status_csv"), params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming  # constant memory whatever the size
    header, *rows = read_csv(b"".join(response.streaming_content).decode("utf-8"))
    return header, rows
