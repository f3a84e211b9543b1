"""The heading over as-of dates is worded for their precision, as ``as_of_phrase`` words the dates themselves:
French read "Au" over a column of years ("Au 2012" is not French). ``models.as_of_heading``: "Au" over days,
"En" over months and years, "Date" over dates of several precisions; every table and label over as-of dates."""

import datetime
import re

import pytest
from django.utils import translation

from recommendations.models import DatePrecision, ProgressUpdate, as_of_heading

from .status_samples import record_ratification_and_value

pytestmark = pytest.mark.django_db

DAY, MONTH, YEAR = DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR


@pytest.mark.parametrize(
    ("language", "days", "months", "years", "mixed"),
    [
        ("en", "As of", "As of", "As of", "As of"),
        ("fr", "Au", "En", "En", "Date"),
        ("es", "A fecha de", "A", "En", "Fecha"),
        ("ru", "По состоянию на", "По состоянию на", "По состоянию на", "По состоянию на"),
        ("zh-hans", "截至", "截至", "截至", "截至"),
        ("ar", "حتى تاريخ", "حتى", "حتى عام", "التاريخ"),
    ],
)
def test_the_heading_is_worded_for_the_dates_precision(language, days, months, years, mixed):
    with translation.override(language):
        assert as_of_heading([DAY, DAY]) == days
        assert as_of_heading([MONTH]) == months
        assert as_of_heading([YEAR, YEAR]) == years
        assert as_of_heading([DAY, YEAR]) == as_of_heading([]) == mixed


def headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", html)]


def data_labels(html: str, shown: str) -> set[str]:
    """The card layout's labels (data-label) of the cells that show the date ``shown``."""
    return set(re.findall(rf'data-label="([^"]*)"[^>]*>{re.escape(shown)}<', html))


@pytest.mark.parametrize(
    ("precision", "heading", "shown"), [("year", "En", "2012"), ("month", "En", "septembre 2012"), ("day", "Au", "")]
)
def test_french_tables_head_their_dates_by_precision(client, people, precision, heading, shown):
    """Ghana's ratification of R02 known to the year: the table, the country's page, the pair's timeline, the
    update's page and the map head the date "En", not "Au"; known to the day, "Au"."""
    ghana = record_ratification_and_value(people, precision=precision)
    update = ProgressUpdate.objects.get(actor=ghana, recommendation__code="R02")
    shown = shown or "7 septembre 2012"
    wrong = "Au" if heading == "En" else "En"

    table = client.get("/fr/reports/table/?item=R02&actor=GHA").content.decode()
    assert heading in headings(table) and wrong not in headings(table)
    assert data_labels(table, shown) == {heading}

    profile = client.get("/fr/actors/GHA/").content.decode()
    assert heading in headings(profile) and wrong not in headings(profile)
    assert data_labels(profile, shown) == {heading}

    timeline = client.get("/fr/actors/GHA/R02/").content.decode()
    assert headings(timeline)[0] == heading

    with translation.override("fr"):
        detail = client.get(update.get_absolute_url()).content.decode()
    assert f'<dt class="col-sm-3">{heading}</dt>' in detail

    atlas = client.get("/fr/reports/map/?item=R02").content.decode()
    assert heading in headings(atlas) and wrong not in headings(atlas)
    assert data_labels(atlas, shown) == {heading}


def test_a_french_table_of_dates_of_several_precisions_heads_them_date(client, people, country, item):
    from .factories import record

    record_ratification_and_value(people, precision="year")
    record(
        actor=country("KEN"),
        recommendation=item("ratification"),
        status="signed",
        as_of=datetime.date(2015, 3, 4),
        organization=people.org_a,
    )
    table = client.get("/fr/reports/table/?actor=GHA,KEN&status=ratified&status=signed").content.decode()
    assert "Date" in headings(table) and "Au" not in headings(table) and "En" not in headings(table)
    assert data_labels(table, "2012") == {"En"}
    assert data_labels(table, "4 mars 2015") == {"Au"}
