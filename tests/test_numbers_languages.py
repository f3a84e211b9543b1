"""Counts as each language groups them ("17,355" in English, "17 355" with no-break spaces in French and Spanish
and Russian), shares with the language's decimal sign ("99,6 %"); the exports stay unlocalized."""

import datetime
import re

import pytest

from .factories import record

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def test_the_summary_groups_its_counts_the_language_s_way(client):
    english = client.get("/reports/").content.decode()
    assert re.search(r"\b\d{1,3}(,\d{3})+ statuses: each country", english)
    french = client.get("/fr/reports/").content.decode()
    heading = re.search(rf"\b(\d{{1,3}}({NBSP}\d{{3}})+) statuts{NBSP}: chaque pays", french)
    assert heading, "the French heading's count is not grouped"
    # The table of statuses: the count of "No information" (thousands) grouped, its share with a decimal comma.
    grouped_and_share = rf'<td class="text-end">\d{{1,3}}({NBSP}\d{{3}})+</td><td class="text-end text-nowrap">\d+,\d %'
    assert re.search(grouped_and_share, french)
    assert not re.search(r'text-nowrap">\d+\.\d %', french)


def test_the_table_and_the_item_rows_group_their_counts(client):
    french = client.get("/fr/reports/table/").content.decode()
    assert re.search(rf"<strong>\d{{1,3}}({NBSP}\d{{3}})+</strong> lignes", french)
    russian = client.get("/ru/reports/").content.decode()
    assert re.search(rf"\b\d{{1,3}}({NBSP}\d{{3}})+\b", russian)


def test_the_exports_do_not_group_numbers(client, country, item):
    record(actor=country("KEN"), recommendation=item("policy"), status="limited", as_of=datetime.date(2020, 1, 1))
    for url in ("/fr/reports/status.csv", "/fr/reports/status.json"):
        body = b"".join(client.get(url).streaming_content).decode()
        assert not re.search(rf"\d{NBSP}\d", body), url  # French text may have no-break spaces, not numbers


@pytest.mark.parametrize(
    ("page", "text"),
    [
        ("/fr/review/", "</strong> mises à jour en attente d'examen"),
        ("/fr/actors/", "</strong> résultats"),
        ("/fr/audit/", "</strong> événements"),
    ],
)
def test_the_paginated_lists_group_their_totals(client, people, page, text):
    """The review queue, the list of countries and organizations and the audit log say how many rows match: the
    total is grouped (thousands of pending updates at the benchmarks' sizes)."""
    from unittest import mock

    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root", "root@example.org", "pw-root-pw-root")
    client.force_login(admin if page == "/fr/audit/" else people.reviewer)
    with mock.patch("django.core.paginator.Paginator.count", new_callable=mock.PropertyMock, return_value=5964):
        body = client.get(page).content.decode()
    assert f"<strong>5{NBSP}964{text}" in body, page


@pytest.mark.parametrize("language", ["en", "fr", "es", "ru", "zh-hans", "ar"])
def test_count_writes_what_intcomma_writes(language):
    """``languages.numbers.count`` (code) and ``{{ n|intcomma }}`` (templates): one writing of a count; its
    shortcut below 1,000 changes nothing."""
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    from languages.numbers import count

    with translation.override(language):
        for n in [*range(-1001, 1002), 17355, 1234567]:
            assert count(n) == intcomma(n), (language, n)


def test_the_charts_write_their_counts_the_language_s_way():
    """The summary's bars (their titles and labels, which screen readers read) and the over-time chart's axis."""
    from django.utils import translation

    from recommendations import charts

    with translation.override("fr"):
        bar = str(charts.stacked_bar([("limited", "Limité", 12345), ("complete", "Complet", 7)], label="R01"))
    # With the language's colon and semicolon (a no-break space before each in French).
    assert f"<title>Limité{NBSP}: 12{NBSP}345</title>" in bar
    assert f"Limité{NBSP}: 12{NBSP}345{NBSP}; Complet{NBSP}: 7" in bar  # the bar's label, read by screen readers
    with translation.override("en"):
        assert "<title>Limited: 12,345</title>" in str(charts.stacked_bar([("limited", "Limited", 12345)], label="R01"))


def test_the_digest_groups_its_counts():
    """A reviewer's digest on a large site: "5 964 en attente d'examen" in its subject, as in its body."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string
    from django.utils import translation

    from alerts.content import DigestContent

    body = DigestContent(queue={"total": 5964, "ages": [("x", 1500)], "oldest": [], "url": "/r/"}, due_total=1200)
    context = {
        "body": body,
        "user": SimpleNamespace(get_full_name=lambda: "Ana", username="ana"),
        **dict.fromkeys(("notifications_url", "settings_url", "unsubscribe_url"), "/u/"),
    }
    with translation.override("fr"):
        assert f"5{NBSP}964" in body.subject() and f"1{NBSP}200" in body.subject()
        text = render_to_string("alerts/email/digest.txt", context)
        html = render_to_string("alerts/email/digest.html", context)
    for rendered in (text, html):
        assert f"5{NBSP}964" in rendered and f"1{NBSP}500" in rendered


def test_an_item_page_groups_its_counts(client):
    """An item's progress section: how many countries and organizations it concerns and how many at each status
    (thousands of organizations at the benchmarks' sizes)."""
    from unittest import mock

    from recommendations import reports

    real = reports.summary

    def bigger(scope):
        found = real(scope)
        found.total, found.by_status = 12000, [("no_information", "Aucune information", 11805), *found.by_status]
        return found

    with mock.patch("recommendations.reports.summary", bigger):
        body = client.get("/fr/recommendations/R02/").content.decode()
    assert f"Statut des 12{NBSP}000 pays et organisations" in body
    assert f'<td class="text-end">11{NBSP}805</td>' in body


def test_measured_values_and_their_dates_in_the_page_s_language(client, country, item):
    """R17's measured values: the table and the map (its titles and the table beside it) wrote the export's text,
    "4.2 % of amount sent, as of 2021-01-01", on every page; now the language's decimal sign, the item's unit in
    the page's language and the as-of date as every other page writes it. The CSV keeps "4.2" and ISO dates."""
    from languages.numbers import measured
    from recommendations.models import Recommendation

    r17 = Recommendation.objects.get(code="R17")
    record(actor=country("PHL"), recommendation=r17, value="4.2", as_of=datetime.date(2021, 1, 1))
    table = client.get("/fr/reports/table/?item=R17&actor=PHL").content.decode()
    assert ">4,2 % du montant envoyé<" in table
    world = client.get("/fr/reports/map/?item=R17").content.decode()
    assert "4,2 % du montant envoyé, au 1er janvier 2021" in world  # the country's title on the map
    assert ">1er janvier 2021<" in world  # the table beside the map
    assert "of amount sent" not in world and "2021-01-01" not in world
    csv = b"".join(client.get("/fr/reports/status.csv?item=R17").streaming_content).decode()
    assert ",4.2," in csv and "2021-01-01" in csv
    record(actor=country("MEX"), recommendation=r17, value="5.15", as_of=datetime.date(2020, 3, 1))
    compared = client.get("/fr/compare/?actors=PHL,MEX").content.decode()
    assert "4,2 % du montant envoyé" in compared and "5,15 % du montant envoyé" in compared  # the comparison's cells
    assert "of amount sent" not in compared  # it wrote the export's English unit, "4,2 % of amount sent"
    from django.utils import translation

    for language, expected in [("en", "9.6"), ("fr", "9,6"), ("ru", "9,6"), ("zh-hans", "9.6")]:
        with translation.override(language):
            assert measured("9.6") == expected


def test_the_values_chart_and_the_value_bounds_write_the_language_s_decimal_sign(client, country, people):
    """The values chart (on the summary and downloaded), its axis, and the form's and the rule's bounds wrote
    "8.5" on a French page; pages write measured values with the language's decimal sign."""
    from recommendations.models import Recommendation
    from recommendations.services import validate_progress

    r17 = Recommendation.objects.get(code="R17")
    Recommendation.objects.filter(pk=r17.pk).update(value_min="0.5", value_max="99.5")
    r17.refresh_from_db()
    record(actor=country("GHA"), recommendation=r17, value="8.5", as_of=datetime.date(2016, 6, 1))
    page = client.get("/fr/reports/?item=R17").content.decode()
    (chart,) = [svg for svg in page.split('class="chart"')[1:] if "du montant envoyé" in svg.split("</svg>", 1)[0]]
    chart = chart.split("</svg>", 1)[0]
    assert "8,5 % du montant envoyé" in chart and ">8,5</text>" in chart  # a point's and the axis's labels
    assert "8.5" not in "".join(re.findall(r">([^<]*)<", chart))  # no text written the English way
    download = client.get("/fr/reports/chart.svg?item=R17&chart=values").content.decode()
    assert "8,5 % du montant envoyé" in download
    assert ">8.5</text>" in client.get("/reports/?item=R17").content.decode()  # English keeps its point
    client.force_login(people.reporter_a)
    form = client.get("/fr/progress/new/?item=R17&actor=GHA").content.decode()
    assert "Entre 0,5 et 99,5." in form
    from django.utils import translation

    with translation.override("fr"), pytest.raises(Exception) as refused:
        validate_progress(
            recommendation=r17,
            actor=country("GHA"),
            status="",
            value=__import__("decimal").Decimal("120"),
            as_of=datetime.date(2020, 1, 1),
            as_of_precision="day",
            narrative="x" * 60,
            evidence_urls=["https://example.org/"],
        )
    assert "entre 0,5 et 99,5" in str(refused.value)
    # A status the value contradicts: the value in the rule's message is written the same way ("7,25", not
    # "7.2500", the Decimal as the database holds it).
    with translation.override("fr"), pytest.raises(Exception) as contradicted:
        validate_progress(
            recommendation=r17,
            actor=country("GHA"),
            status="target_met",
            value=__import__("decimal").Decimal("7.2500"),
            as_of=datetime.date(2020, 1, 1),
            as_of_precision="day",
            narrative="x" * 60,
            evidence_urls=["https://example.org/"],
        )
    assert "7,25 % du montant envoyé" in str(contradicted.value)


@pytest.mark.parametrize(
    ("values", "axis"),
    [([1234.5, 2000], ["0", "1000", "2000"]), ([0.25, 8.5], ["0", "4,25", "8,5"])],
)
def test_the_values_chart_axis_writes_its_numbers_out(values, axis):
    """Three significant digits with the language's decimal sign, and no "2e+03" from 1,000 up."""
    from django.utils import translation

    from recommendations import charts

    with translation.override("fr"):
        svg = charts.values_over_time([2020, 2021], values, label="R", unit="u")
    assert re.findall(r'class="axis">([^<]*)<', svg)[:3] == axis
