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
        ("ru", "5 марта 2024 года|05.03.2024|5 марта 2024 года, 14:07"),
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
    [("", "Hearings held on 15 September 2006"), ("/ru", "2006 года."), ("/zh-hans", "2006年9月15日")],
)
def test_the_source_page_writes_its_dates_in_the_reader_s_order(client, prefix, expected):
    document = SourceDocument.objects.get()
    document.event_date = datetime.date(2006, 9, 15)
    document.save(update_fields=["event_date"])
    page = client.get(f"{prefix}/source/").content.decode()
    assert expected in page
    if prefix == "/ru":
        assert "15 сентября 2006 года." in page  # "Hearings held on …." ended "2006 г.." (two dots)
        assert "г.." not in page


@pytest.mark.parametrize(
    ("language", "day", "month", "year"),
    [
        ("en", "26 September 2023", "September 2023", "2023"),
        ("fr", "26 septembre 2023", "septembre 2023", "2023"),
        ("es", "26 de septiembre de 2023", "septiembre de 2023", "2023"),
        ("ar", "26 سبتمبر، 2023", "سبتمبر 2023", "2023"),
        ("zh-hans", "2023年9月26日", "2023年9月", "2023年"),
        ("ru", "26 сентября 2023 года", "сентябрь 2023 года", "2023 год"),
    ],
)
def test_an_as_of_date_is_written_in_the_reader_s_language(language, day, month, year):
    """``as_of_display`` (home page, tables, timelines, emails) used the C library's English month names on every
    page ("au 26 September 2023" in French), and wrote a year alone as the bare number in every language: Russian
    read "по состоянию на 2023" (a missing "год"), Chinese "截至2023" (a missing 年, which its months have)."""
    from recommendations.models import DatePrecision, format_as_of

    with translation.override(language):
        assert format_as_of(datetime.date(2023, 9, 26), DatePrecision.DAY) == day
        assert format_as_of(datetime.date(2023, 9, 1), DatePrecision.MONTH) == month
        assert format_as_of(datetime.date(2023, 1, 1), DatePrecision.YEAR) == year


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "expected", "not_expected"),
    [
        ("/ru", "по состоянию на 2012 год", "по состоянию на 2012<"),
        ("/zh-hans", "截至2012年", "截至2012<"),
        ("", "as of 2012", "2012 год"),
    ],
)
def test_a_year_only_date_reads_as_a_year_on_the_timeline(client, people, prefix, expected, not_expected):
    """A status known only to the year (Ghana ratified in 2012), as the timeline's "Current status: … as of …"
    writes it: the year goes through ``languages.dates.year_only`` in every language."""
    from .status_samples import record_ratification_and_value

    record_ratification_and_value(people, precision="year")
    page = client.get(f"{prefix}/actors/GHA/R02/").content.decode()
    assert expected in page
    assert not_expected not in page


@pytest.mark.django_db
def test_the_home_page_s_dates_follow_the_language(client, country, item):
    from .factories import record

    record(actor=country("KEN"), recommendation=item("policy"), status="limited", as_of=datetime.date(2023, 9, 26))
    french = client.get("/fr/").content.decode()
    assert "26 septembre 2023" in french  # the latest verified status and the recently verified list
    assert "September" not in french


def test_a_citation_s_dates_follow_the_language():
    from recommendations.citing import Citation

    citation = Citation(
        title="t",
        url="https://example.org/",
        retrieved=datetime.date(2024, 3, 5),
        as_of=datetime.date(2024, 2, 1),
        source="s",
    )
    with translation.override("fr"):
        assert "1er février 2024" in citation.text and "5 mars 2024" in citation.text
    with translation.override("en"):
        assert "1 February 2024" in citation.text and "5 March 2024" in citation.text


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar", "ru", "zh-hans"])
def test_a_date_inside_a_sentence_neither_ends_in_a_dot_nor_starts_its_month_in_capitals(language):
    """Sentences put their own full stop after a date ("Hearings held on %(date)s."): Django's Russian dates ended
    in "г." ("…2024 г.."), and its month-precision dates read "Март 2017 г." in the middle of a sentence (the
    standalone, capitalised month name); Russian writes "5 марта 2024 года", "март 2017 года"."""
    from languages.dates import long_date, long_date_and_time, month_and_year

    with translation.override(language):
        for text in (
            long_date(datetime.date(2017, 3, 5)),
            month_and_year(datetime.date(2017, 3, 1)),
            long_date_and_time(datetime.datetime(2017, 3, 5, 14, 7)),
        ):
            assert not text.endswith("."), text
        month = month_and_year(datetime.date(2017, 3, 1))
        assert month[0] == month[0].lower() or language == "en", month  # "mars 2017", "март 2017 года"


@pytest.mark.parametrize(
    ("language", "day", "month", "year"),
    [
        ("en", "as of 26 September 2023", "as of September 2023", "as of 2023"),
        ("fr", "au 26 septembre 2023", "en septembre 2023", "en 2023"),
        ("es", "a fecha de 26 de septiembre de 2023", "a septiembre de 2023", "en 2023"),
        (
            "ru",
            "по состоянию на 26 сентября 2023 года",
            "по состоянию на сентябрь 2023 года",
            "по состоянию на 2023 год",
        ),
        ("zh-hans", "截至2023年9月26日", "截至2023年9月", "截至2023年"),
        ("ar", "حتى 26 سبتمبر، 2023", "حتى سبتمبر 2023", "حتى عام 2023"),
    ],
)
def test_as_of_is_worded_for_the_date_s_precision(language, day, month, year):
    """ "as of %(as_of)s" was one msgid whatever the date's precision: French read "au 26 septembre 2023" (right)
    but also "au septembre 2023" and "au 2023" (French writes "en septembre 2023", "en 2023"). ``as_of_phrase``
    words "as of" and the date together, one catalog entry per precision."""
    from recommendations.models import DatePrecision, as_of_phrase

    with translation.override(language):
        assert as_of_phrase(datetime.date(2023, 9, 26), DatePrecision.DAY) == day
        assert as_of_phrase(datetime.date(2023, 9, 1), DatePrecision.MONTH) == month
        assert as_of_phrase(datetime.date(2023, 1, 1), DatePrecision.YEAR) == year


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("precision", "expected"),
    [("day", "au 7 septembre 2012"), ("month", "en septembre 2012"), ("year", "en 2012")],
)
def test_a_french_timeline_says_as_of_by_the_date_s_precision(client, people, precision, expected):
    """The timeline's "Current status: Ratifié au …": "au 7 septembre 2012", but "en septembre 2012" and "en 2012"
    for a status known only to the month or the year ("au septembre 2012", "au 2012" are not French)."""
    from .status_samples import record_ratification_and_value

    record_ratification_and_value(people, precision=precision)
    page = client.get("/fr/actors/GHA/R02/").content.decode()
    assert expected in page
    assert "au septembre 2012" not in page and "au 2012" not in page


@pytest.mark.django_db
def test_the_french_home_page_says_as_of_by_the_date_s_precision(client, people, country, item):
    """The recently verified list: "en septembre 2023, communiqué par …" (a month), not "au septembre 2023"."""
    from .factories import record

    record(
        actor=country("KEN"),
        recommendation=item("policy"),
        status="limited",
        as_of=datetime.date(2023, 9, 1),
        as_of_precision="month",
        organization=people.org_a,
    )
    page = client.get("/fr/").content.decode()
    assert "en septembre 2023, communiqué par" in page
    assert "au septembre" not in page


def test_french_writes_the_first_of_the_month_as_an_ordinal():
    """French writes "1er janvier 2018" (premier), not "1 janvier 2018" (Django's "j F Y"); other days and other
    languages keep the number. Templates write dates through the same function (``|long_date``)."""
    from languages.dates import long_date, long_date_and_time

    with translation.override("fr"):
        assert long_date(datetime.date(2018, 1, 1)) == "1er janvier 2018"
        assert long_date(datetime.date(2018, 1, 2)) == "2 janvier 2018"
        assert long_date(datetime.date(2018, 1, 11)) == "11 janvier 2018"
        assert long_date_and_time(datetime.datetime(2018, 3, 1, 14, 7)) == "1er mars 2018 14:07"
        assert Template("{% load names %}{{ d|long_date }}").render(Context({"d": datetime.date(2018, 1, 1)})) == (
            "1er janvier 2018"
        )
    for language, expected in (("en", "1 January 2018"), ("es", "1 de enero de 2018"), ("ru", "1 января 2018 года")):
        with translation.override(language):
            assert long_date(datetime.date(2018, 1, 1)) == expected


@pytest.mark.django_db
def test_a_french_page_writes_the_first_of_the_month_as_an_ordinal(client):
    """The source page's dates were written by Django's |date:"DATE_FORMAT" ("1 septembre 2006")."""
    document = SourceDocument.objects.get()
    document.event_date = datetime.date(2006, 9, 1)
    document.save(update_fields=["event_date"])
    page = client.get("/fr/source/").content.decode()
    assert "1er septembre 2006" in page
    assert ">1 septembre" not in page and " 1 septembre" not in page
