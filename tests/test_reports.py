"""Status reports: every filter, "No information", as-of snapshots, the filter echo and invalid values."""

import csv
import datetime

import pytest
from django.urls import reverse

from recommendations import services
from recommendations.models import Actor, CurrentStatus, Recommendation, Status

from .factories import record

pytestmark = pytest.mark.django_db
TABLE = reverse("recommendations:report_table")
SUMMARY = reverse("recommendations:report_summary")
MATRIX = reverse("recommendations:report_matrix")
D = datetime.date


@pytest.fixture
def world(make_org, people):
    """A small history: ICRMW (R02) over the years, a policy item, organizations reporting."""
    get = Actor.objects.get
    r02, r56, r45 = (Recommendation.objects.get(code=c) for c in ("R02", "R56", "R45"))
    ngo = make_org("Kituo Cha Sheria", code="kituo", base_country=get(iso3="KEN"))
    union = make_org("Builders Union", code="builders", organization_type="trade_union", base_country=get(iso3="GHA"))
    silent = make_org("Silent NGO", code="silent")  # reports nothing: never in reports
    history = [
        # Ghana: signed 2008, party 2012 (West Africa).
        (get(iso3="GHA"), r02, Status.SIGNED, D(2008, 5, 1), {}),
        (get(iso3="GHA"), r02, Status.RATIFIED, D(2012, 9, 7), {}),
        # Senegal: party long ago (historical).
        (get(iso3="SEN"), r02, Status.RATIFIED, D(1999, 6, 9), {"historical": True}),
        # Kenya: signed 2015, no evidence link but a narrative.
        (get(iso3="KEN"), r02, Status.SIGNED, D(2015, 9, 1), {"evidence_urls": ["https://example.org/ken"]}),
        # Mexico: recruitment regulation limited 2010 → complete 2020.
        (get(iso3="MEX"), r56, Status.LIMITED, D(2010, 3, 1), {}),
        (get(iso3="MEX"), r56, Status.COMPLETE, D(2020, 3, 1), {}),
        # Organizations on financial literacy.
        (ngo, r45, Status.SUBSTANTIAL, D(2019, 1, 1), {}),
        (union, r45, Status.LIMITED, D(2021, 1, 1), {}),
    ]
    for actor, item, status, as_of, extra in history:
        record(actor=actor, recommendation=item, status=status, as_of=as_of, organization=people.org_a, **extra)
    # A pending update never counts.
    services.log_progress(
        actor=get(iso3="UGA"),
        recommendation=r02,
        status=Status.RATIFIED,
        as_of=D(2020, 1, 1),
        narrative="Pending: must not show in reports.",
        evidence_urls=["https://example.org/p"],
        organization=people.org_a,
        user=people.reporter_a,
    )
    return {"ngo": ngo, "union": union, "silent": silent}


def table(client, **params):
    """Every (actor code, item code, status) the report has for these filters.

    Read from the CSV export (one request); test_status_exports checks that
    the export and the HTML table hold the same rows, and the first test here
    reads the HTML table itself.
    """
    response = client.get(reverse("recommendations:status_csv"), params)
    assert response.status_code == 200, response.content[:2000]
    lines = b"".join(response.streaming_content).decode().splitlines()[1:]
    return [(r[0], r[6], r[9]) for r in csv.reader(lines)]


def html_table(client, **params):
    rows, page = [], 1
    while True:
        response = client.get(TABLE, {**params, "page": page})
        assert response.status_code == 200, response.content[:2000]
        rows += [(r.actor.code, r.item.code, r.status) for r in response.context["rows"]]
        if page >= response.context["pages"]:
            return rows
        page += 1


def reported(rows):
    return {(a, i, s) for a, i, s in rows if s != "no_information"}


def test_only_verified_updates_count(client, world):
    rows = html_table(client, item="R02")
    assert ("UGA", "R02", "no_information") in rows
    assert reported(rows) == {("GHA", "R02", "ratified"), ("SEN", "R02", "ratified"), ("KEN", "R02", "signed")}


def test_no_information_covers_every_other_country_on_a_country_item(client, world):
    rows = table(client, item="R02", status="no_information")
    countries = set(Actor.objects.countries().values_list("code", flat=True))
    assert {a for a, _, _ in rows} == countries - {"GHA", "SEN", "KEN"}
    assert all(s == "no_information" for _, _, s in rows)


def test_no_information_for_organizations_only_if_they_report_something(client, world):
    rows = table(client, item="R45", actor_kind="organization")
    assert set(rows) == {("kituo", "R45", "substantial"), ("builders", "R45", "limited")}
    r57 = table(client, item="R57", actor_kind="organization")  # addressed to civil society too
    assert {a for a, _, _ in r57} == {"kituo", "builders"}  # reporting organizations, not "silent"
    assert {s for _, _, s in r57} == {"no_information"}


@pytest.mark.parametrize(
    "params, expected",
    [
        (
            {"item": ["R02", "R56"]},
            {
                ("GHA", "R02", "ratified"),
                ("SEN", "R02", "ratified"),
                ("KEN", "R02", "signed"),
                ("MEX", "R56", "complete"),
            },
        ),
        ({"theme": "recruitment"}, {("MEX", "R56", "complete")}),
        (
            {"section": "IV.B"},
            {("MEX", "R56", "complete"), ("kituo", "R45", "substantial"), ("builders", "R45", "limited")},
        ),
        ({"kind": "ratification"}, {("GHA", "R02", "ratified"), ("SEN", "R02", "ratified"), ("KEN", "R02", "signed")}),
        ({"instrument": "ICRMW"}, {("GHA", "R02", "ratified"), ("SEN", "R02", "ratified"), ("KEN", "R02", "signed")}),
        (
            {"addressee": "civil-society", "actor_kind": "organization"},
            {("kituo", "R45", "substantial"), ("builders", "R45", "limited")},
        ),
        ({"actor": "gha, Kituo"}, {("GHA", "R02", "ratified"), ("kituo", "R45", "substantial")}),
        ({"region": "Americas"}, {("MEX", "R56", "complete")}),
        # West Africa is a UN M49 intermediate region; an organization counts where it is based.
        (
            {"subregion": "Western Africa"},
            {("GHA", "R02", "ratified"), ("SEN", "R02", "ratified"), ("builders", "R45", "limited")},
        ),
        ({"organization_type": "trade_union"}, {("builders", "R45", "limited")}),
        (
            {"status": ["ratified", "complete"]},
            {("GHA", "R02", "ratified"), ("SEN", "R02", "ratified"), ("MEX", "R56", "complete")},
        ),
        (
            {"updated_after": "2015-01-01", "updated_before": "2019-12-31"},
            {("KEN", "R02", "signed"), ("kituo", "R45", "substantial")},
        ),
    ],
)
def test_each_filter(client, world, params, expected):
    assert reported(table(client, **params)) == expected


def test_date_and_evidence_filters_leave_out_no_information(client, world):
    rows = table(client, item="R02", updated_after="2000-01-01")
    assert set(rows) == {("GHA", "R02", "ratified"), ("KEN", "R02", "signed")}
    CurrentStatus.objects.filter(actor__iso3="KEN").update(has_evidence=False)
    assert set(table(client, item="R02", evidence="no")) == {("KEN", "R02", "signed")}
    assert {a for a, _, _ in table(client, item="R02", evidence="yes")} == {"GHA", "SEN"}


@pytest.mark.parametrize(
    "on, expected",
    [
        ("2007-01-01", {("SEN", "R02", "ratified"), ("MEX", "R56", "__none__")}),
        ("2010-06-01", {("SEN", "R02", "ratified"), ("GHA", "R02", "signed"), ("MEX", "R56", "limited")}),
        ("2013-01-01", {("SEN", "R02", "ratified"), ("GHA", "R02", "ratified"), ("MEX", "R56", "limited")}),
        (
            "2021-01-01",
            {
                ("SEN", "R02", "ratified"),
                ("GHA", "R02", "ratified"),
                ("KEN", "R02", "signed"),
                ("MEX", "R56", "complete"),
            },
        ),
    ],
)
def test_as_of_snapshot_replays_history(client, world, on, expected):
    rows = reported(table(client, item=["R02", "R56"], on=on))
    assert rows == {row for row in expected if row[2] != "__none__"}
    if ("MEX", "R56", "__none__") in expected:
        assert ("MEX", "R56", "no_information") in table(client, item="R56", on=on)


def test_snapshot_status_filter_applies_to_the_status_on_that_date(client, world):
    # Ghana was "signed" in 2010: a filter on "ratified" must not find its later ratification.
    rows = reported(table(client, item="R02", on="2010-06-01", status="ratified"))
    assert rows == {("SEN", "R02", "ratified")}


def test_summary_counts_match_the_table(client, world):
    response = client.get(SUMMARY, {"item": "R02"})
    summary = response.context["summary"]
    counts = {status: n for status, _, n in summary.by_status}
    assert counts == {"ratified": 2, "signed": 1, "no_information": 192}
    assert summary.parties == 2
    (row,) = summary.by_item
    assert row["item"].code == "R02" and row["total"] == 195
    regions = {r["name"]: {s: n for s, _, n in r["counts"]} for r in summary.by_region}
    assert regions["Africa"]["ratified"] == 2
    themes = {t["name"] for t in summary.by_theme}
    assert themes == {"Human rights instruments"}


def test_matrix_cells_link_to_timelines_and_sort_by_progress(client, world):
    response = client.get(MATRIX, {"item": ["R02", "R56"], "actor_kind": "country", "sort": "progress"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/actors/GHA/R02/"' in html
    assert 'aria-label="Party (ratified)"' in html and 'title="Party (ratified)"' in html
    first_three = [actor.code for actor, _ in response.context["grid"].actors[:3]]
    assert set(first_three) == {"GHA", "SEN", "MEX"}  # 50 % progress each, ahead of the rest
    by_name = client.get(MATRIX, {"item": "R02", "actor_kind": "country", "sort": "actor"}).context["grid"]
    names = [actor.name for actor, _ in by_name.actors]
    assert names == sorted(names)


def test_filter_echo_in_words_and_url_reproduces_the_report(client, world):
    params = {"item": "R02", "subregion": "Western Africa", "status": ["ratified", "acceded"], "on": "2013-01-01"}
    response = client.get(SUMMARY, params)
    text = response.content.decode()
    assert "Items: R02" in text
    assert "Sub-region (UN M49): Western Africa" in text
    assert "Status: Party (ratified) or Party (acceded)" in text
    assert "as they stood on <strong>1 January 2013</strong>" in text
    again = client.get(response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"])
    assert again.context["summary"].by_status == response.context["summary"].by_status


@pytest.mark.parametrize(
    "params, message",
    [
        ({"status": "ratifyed"}, "Status: “ratifyed” is not one of the choices."),
        ({"item": "R999"}, "Items: “R999” is not one of the choices."),
        ({"on": "2013-02-30"}, "Status on date: Enter a valid date."),
        ({"on": "2999-01-01"}, "cannot be in the future"),
        ({"actor": "KEN, XXX"}, "Unknown code(s): XXX"),
        ({"region": "Atlantis"}, "Region (UN M49): “Atlantis” is not one of the choices."),
        ({"updated_after": "yesterday"}, "Enter a valid date"),
    ],
)
def test_invalid_filter_is_a_clear_message_not_wrong_numbers(client, world, params, message):
    for url in (SUMMARY, TABLE, MATRIX):
        response = client.get(url, params)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not response.context.get("summary") and not response.context.get("rows")
    export = client.get(reverse("recommendations:status_csv"), params)
    assert export.status_code == 400 and message in export.content.decode()


def test_invalid_sort_and_page_get_messages(client, world):
    response = client.get(TABLE, {"item": "R02", "sort": "shoe-size"})
    assert "is not a way to sort" in response.content.decode()
    response = client.get(TABLE, {"item": "R02", "page": "99"})
    assert "There is no page 99" in response.content.decode()


def test_item_page_shows_the_item_report_and_history_chart(client, world):
    response = client.get(reverse("recommendations:detail", args=["R02"]))
    assert response.status_code == 200
    html = response.content.decode()
    counts = {status: n for status, _, n in response.context["summary"].by_status}
    assert counts == {"ratified": 2, "signed": 1, "no_information": 192}
    history = response.context["history"]
    assert history["years"][0] == 1999
    ratified = dict(zip(history["years"], history["series"]["ratified"], strict=True))
    assert (ratified[1999], ratified[2011], ratified[2012]) == (1, 1, 2)  # Ghana became a party in 2012
    assert '<svg class="chart" role="img"' in html
    assert "The numbers behind the chart" in html
    who = {s: [code for code, _ in actors] for s, _, _, actors in response.context["actors_by_status"]}
    assert who["ratified"] == ["GHA", "SEN"]


def test_actor_profile_lists_known_statuses_with_their_themes_and_a_chart(client, world):
    response = client.get(reverse("recommendations:actor", args=["MEX"]))
    known = {item.code: (item, current) for item, current in response.context["known"]}
    item, current = known["R56"]
    assert current.status == Status.COMPLETE
    assert "Recruitment and codes of conduct" in {theme.name for theme in item.themes.all()}
    history = response.context["history"]
    assert dict(zip(history["years"], history["series"]["limited"], strict=True))[2015] == 1
    assert dict(zip(history["years"], history["series"]["complete"], strict=True))[2020] == 1


def test_home_page_headline_figures_and_recent_updates(client, world):
    response = client.get(reverse("recommendations:home"))
    figures = response.context["figures"]
    assert figures["verified_updates"] == 8
    assert figures["actors_reporting"] == 6
    assert len(response.context["recent"]) == 8
    assert "Recently verified" in response.content.decode()


@pytest.mark.parametrize("sort", ["actor", "-actor", "region", "status", "-as_of", "item"])
def test_table_pages_concatenate_to_the_full_sorted_list(client, world, sort):
    from django.http import QueryDict

    from recommendations import reports
    from recommendations.filters import StatusFilter

    params = {"item": ["R02", "R45"], "sort": sort}
    pages = []
    page = 1
    while True:
        response = client.get(TABLE, {**params, "page": page})
        pages += [(r.actor.code, r.item.code) for r in response.context["rows"]]
        if page >= response.context["pages"]:
            break
        page += 1
    scope = reports.build_scope(StatusFilter(QueryDict("item=R02&item=R45")))
    full = scope.run("a.code, r.code", f"ORDER BY {reports.TABLE_SORTS[sort]}")
    assert pages == [tuple(row) for row in full]
    assert len(pages) == response.context["count"] == 195 + 2


def test_item_page_lists_names_per_status_but_cuts_long_lists(world):
    from django.http import QueryDict

    from recommendations import reports
    from recommendations.filters import StatusFilter

    scope = reports.build_scope(StatusFilter(QueryDict("item=R02")))
    groups = {status: (total, names) for status, _, total, names in reports.actors_by_status(scope, per_status=2)}
    assert groups["ratified"] == (2, [("GHA", "Ghana"), ("SEN", "Senegal")])
    total, names = groups["no_information"]
    assert total == 192 and len(names) == 2


@pytest.mark.parametrize(
    "query",
    [
        *("", "on=2013-01-01", "region=Africa", "subregion=Western Africa&on=2020-06-30"),
        "status=signed&status=limited",
        "item=R45&on=2020-06-30",  # one item: the join, not the lookup
    ],
)
def test_the_summary_counts_are_the_pairs_counted_one_by_one(world, make_org, people, query):
    """``status_counts`` (by item, place and status; "No information" by arithmetic, and on PostgreSQL each
    actor's place looked up by number rather than joined per pair) equals the scope's pairs listed one by one,
    each counted where ``place_expression`` puts its actor — an organization without a base country included."""
    from collections import Counter

    from django.http import QueryDict

    from recommendations import reports
    from recommendations.filters import StatusFilter

    nowhere = make_org("Nowhere NGO", code="nowhere")
    record(
        actor=nowhere,
        recommendation=Recommendation.objects.get(code="R45"),
        status=Status.LIMITED,
        as_of=D(2012, 1, 1),
        organization=people.org_a,
    )
    filterset = StatusFilter(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    scope = reports.build_scope(filterset)
    level = reports.region_level(filterset)
    places = dict(Actor.objects.annotate(place=reports.REGION_LEVELS[level][2]).values_list("pk", "place"))
    expected = Counter(
        (item_id, places[actor_id], status)
        for actor_id, item_id, status in scope.run("p.actor_id, p.recommendation_id, p.status")
    )
    counted = reports.status_counts(scope, by_region=True, level=level)
    assert +counted == expected
    assert sum(counted.values()) == reports.count_pairs(scope)
    assert ("", "limited") in {(where, status) for _, where, status in expected} or "region" in query  # covered


def test_the_counts_by_place_are_hashed_not_sorted_and_only_that_statement(world):
    """PostgreSQL: the all-items counts by place run with ``enable_sort`` off (their groups are a few thousand
    whatever the pairs; at 10M benchmark updates the planner's estimate followed the intervals and it sorted the
    held pairs on disk, 355 ms against 110 ms at 1M); the connection's own setting is untouched."""
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from recommendations import reports
    from recommendations.filters import StatusFilter

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")

    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_sort")
            return cursor.fetchone()[0]

    before = setting()
    filterset = StatusFilter(QueryDict("on=2020-06-30"))
    assert filterset.is_valid(), filterset.errors
    with CaptureQueriesContext(connection) as captured:
        counted = reports.status_counts(reports.build_scope(filterset), by_region=True, level="region")
    assert counted
    by_place = [q["sql"] for q in captured.captured_queries if "WITH places AS MATERIALIZED" in q["sql"]]
    assert len(by_place) == 1 and by_place[0].startswith("SET LOCAL enable_sort = off; ")
    assert setting() == before == "on"


def test_a_stacked_bar_escapes_its_words_and_splits_the_width():
    """``charts.stacked_bar`` (written without format_html per part): each part's words escaped, its width its
    share of the total, the parts side by side."""
    from recommendations import charts

    svg = str(charts.stacked_bar([("limited", "<b>R&D</b>", 1), ("complete", "Done", 3)], label="R1 <x>"))
    assert "<title>&lt;b&gt;R&amp;D&lt;/b&gt;: 1</title>" in svg and "<b>" not in svg
    assert 'class="f-limited" x="0.000%" y="0" width="25.000%" height="18"' in svg
    assert 'class="f-complete" x="25.000%" y="0" width="75.000%" height="18"' in svg
    assert 'aria-label="R1 &lt;x&gt;: &lt;b&gt;R&amp;D&lt;/b&gt;: 1; Done: 3"' in svg
    assert charts.stacked_bar([], label="none") == ""
