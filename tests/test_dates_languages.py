"""Dates in each language's own order (Django's locale formats through the named formats), while English keeps
the tracker's "5 March 2024" (tracker/formats/en/formats.py)."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from recommendations.models import SourceDocument

DATES = '{{ d|date:"DATE_FORMAT" }}|{{ d|date:"SHORT_DATE_FORMAT" }}|{{ t|date:"DATETIME_FORMAT" }}'


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "5 March 2024|5 Mar 2024|5 Mar 2024, 14:07"),
        ("fr", "5 mars 2024|05/03/2024|5 mars 2024 14:07"),
        ("ru", "5 марта 2024 г.|05.03.2024|5 марта 2024 г. 14:07"),
        ("zh-hans", "2024年3月5日|2024年3月5日|2024年3月5日 14:07"),
        ("ar", "5 مارس، 2024|05\u200f/03\u200f/2024|5 مارس، 2024، 14:07"),
    ],
)
def test_dates_follow_the_language(language, expected):
    with translation.override(language):
        rendered = Template(DATES).render(
            Context({"d": datetime.date(2024, 3, 5), "t": datetime.datetime(2024, 3, 5, 14, 7)})
        )
    assert rendered == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("", "Hearings held on 15 September 2006"), ("/ru", "2006 г."), ("/zh-hans", "2006年9月15日")],
)
def test_the_source_page_writes_its_dates_in_the_reader_s_order(client, prefix, expected):
    document = SourceDocument.objects.get()
    document.event_date = datetime.date(2006, 9, 15)
    document.save(update_fields=["event_date"])
    page = client.get(f"{prefix}/source/").content.decode()
    assert expected in page
    if prefix == "/ru":
        assert "15 сентября 2006 г." in page
