"""Filtered status lists of the API against the CSV export's cost (issue 16; docs/performance.md, "API: filtered
lists against the CSV"): what a filtered page's rounds read, and what every request builds."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.models import CurrentStatus, Kind
from recommendations.models.places import in_region

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATES = {"anon": "100000/min", "user": "100000/min"}


def _round_statements(queries) -> list[str]:
    """The page's pair queries (``reports.pages._round``), without their planner setting."""
    return [
        q["sql"].split("; ", 1)[-1] if q["sql"].startswith("SET LOCAL") else q["sql"]
        for q in queries
        if "p.actor_id IN (" in q["sql"]
    ]


def _statuses_read(sql: str) -> int:
    """The reported current statuses a page's query read (EXPLAIN ANALYZE: rows returned and filtered out, in
    every loop, of the scope's reported branch; not the "No information" pairs' probes), planned
    as a page's query is (``PAGE_RANDOM_PAGE_COST``) and with sequential scans the last resort, as on a table of
    real size: on these few thousand rows the planner would rather read the whole table once."""
    from recommendations.reports.pages import PAGE_RANDOM_PAGE_COST

    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL random_page_cost = {PAGE_RANDOM_PAGE_COST}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET random_page_cost")
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def walk(node):
        own = 0
        if node.get("Alias") == CurrentStatus._meta.db_table:  # the ORM's alias: the reported branch's scan
            own = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node["Actual Loops"]
        return own + sum(walk(child) for child in node.get("Plans", []))

    return walk(plan[0]["Plan"])


@postgresql_only
def test_a_page_of_a_regions_ratification_items_reads_those_items_statuses_not_its_organizations():
    """Africa's ratification items: the organizations based in Africa report on policy items only (a ratification
    is a country's), so nearly all the current statuses of the region's actors are of other items. The items the
    filters keep are named in each round's query: it reads their statuses (through the item's index), not every
    status of the round's actors (through the actor's), which the scope's join to the items could not tell the
    planner (at 1M benchmark updates 62,832 statuses read to keep 57)."""
    call_command("generate_benchmark_data", pairs=6000, updates=6000, organizations=800, seed=5, verbosity=0)
    with connection.cursor() as cursor:  # with statistics, as autovacuum keeps them
        cursor.execute("ANALYZE recommendations_actor, recommendations_currentstatus, recommendations_recommendation")
    query = {"region": "Africa", "kind": "ratification", "page_size": 10000}
    with CaptureQueriesContext(connection) as queries:
        body = json.loads(Client().get(reverse("api:statuses"), query).content)
    rows = body["results"]
    assert rows and {row["kind"] for row in rows} == {Kind.RATIFICATION}
    ratification = CurrentStatus.objects.filter(kind=Kind.RATIFICATION).count()
    of_region = CurrentStatus.objects.filter(in_region("region", "Africa", "actor__")).count()
    assert of_region > 5 * ratification  # the benchmark's shape: organizations, on other items, report the most
    statements = _round_statements(queries.captured_queries)
    assert statements
    for sql in statements:
        # The items' statuses (each round probes them all, keeping its own actors'), not the actors'.
        assert _statuses_read(sql) <= 2 * ratification, sql


def test_an_item_filter_no_item_meets_gives_the_csvs_empty_list(client):
    """Items chosen by two filters no item meets together (a ratification item, policy items): no page query
    at all, and the CSV's (empty) rows."""
    from .status_samples import csv_rows

    query = {"item": "R02", "kind": "policy"}
    assert csv_rows(client, query)[1] == []
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("api:statuses"), query)
    assert response.status_code == 200 and response.json()["results"] == [] and response.json()["next"] is None
    assert not _round_statements(queries.captured_queries)


@pytest.mark.parametrize(
    "query",
    [
        {"region": "Africa"},
        {"subregion": "Eastern Africa", "actor_kind": "organization"},
        {"region": "Africa", "on": "2020-06-30", "status": ["limited", "no_information"]},
    ],
)
def test_a_pages_rounds_name_their_actors_and_ask_the_actor_filters_nothing_more(client, make_org, query):
    """Each round names its actors, which the filters' actor conditions chose (the region's membership, over
    the actor and its base country): the pairs' query does not evaluate them again, for every actor and for each
    organization's "No information" pair (Europe's rounds at 1M benchmark updates). Same rows as the CSV."""
    import datetime

    from recommendations.models import Actor, Recommendation, Status

    from .factories import record
    from .status_samples import csv_rows
    from .test_api_read import api_rows

    kenya = Actor.objects.get(iso3="KEN")
    ngo = make_org("Kenyan migrant network", code="ken-net", base_country=kenya)
    for actor in (kenya, ngo):
        record(
            actor=actor,
            recommendation=Recommendation.objects.get(code="R45"),
            status=Status.LIMITED,
            as_of=datetime.date(2020, 1, 1),
        )
    expected = csv_rows(client, query)[1]
    assert expected
    with CaptureQueriesContext(connection) as queries:
        rows, pages = api_rows(client, query, page_size=max(3, len(expected) // 3))
    assert rows == expected and pages > 1
    statements = _round_statements(queries.captured_queries)
    assert statements
    for sql in statements:  # no region, no base country: the actors are named
        assert "region" not in sql and "base_country_id" not in sql, sql


# ---------------------------------------------------------------------------
# The filters' form class: built once, shared by no request's state
# ---------------------------------------------------------------------------


def test_the_report_filters_form_class_is_built_once_and_each_request_gets_its_own_fields():
    """django-filter built a form class (a field per filter) for every request; ``ExplainedFilterSet`` builds it
    once per FilterSet class. What a request sets on its form (choices, labels, validators, widget attributes)
    stays on its own deep copies: never on the class, never on another request's form."""
    from django.http import QueryDict

    from recommendations.filters import StatusFilter

    first, second = StatusFilter(QueryDict("region=Africa")), StatusFilter(QueryDict("region=Europe&on=2015-01-01"))
    assert type(first.form) is type(second.form)  # one class …
    shared = type(first.form).base_fields
    for name, field in first.form.fields.items():  # … whose fields no form uses as its own
        assert field is not shared[name] and field is not second.form.fields[name]
        assert field.widget is not second.form.fields[name].widget
    assert first.is_valid() and second.is_valid()
    first.form.fields["region"].choices = [("Atlantis", "Atlantis")]
    first.form.fields["on"].widget.attrs["data-x"] = "1"
    assert ("Europe", "Europe") in list(StatusFilter(QueryDict("")).form.fields["region"].choices)
    assert "data-x" not in StatusFilter(None).form.fields["on"].widget.attrs
    # Per-request additions are not piled up on the class: one future-date check and one Bootstrap class.
    for _ in range(3):
        fields = StatusFilter(None).form.fields
    assert len(fields["on"].validators) == len(shared["on"].validators) + 1
    assert fields["kind"].widget.attrs["class"] == "form-select" and not shared["on"].validators[1:]
    assert StatusFilter(QueryDict("on=2999-01-01")).errors  # the future-date check still applies


def test_a_filterset_whose_fields_depend_on_the_request_keeps_a_form_class_per_instance():
    """A filter whose queryset is computed from the request (django-filter's callable querysets), or whose label is
    derived from the model in the language active then, makes a form per request as before."""
    import django_filters

    from recommendations.filters.base import ExplainedFilterSet
    from recommendations.models import Theme

    class PerRequest(ExplainedFilterSet):
        theme = django_filters.ModelChoiceFilter(label="Theme", queryset=lambda request: Theme.objects.all())

        class Meta:
            model = Theme
            fields = ["theme"]

    class DerivedLabel(ExplainedFilterSet):
        class Meta:
            model = Theme
            fields = ["slug"]

    for filterset in (PerRequest, DerivedLabel):
        assert type(filterset(None).form) is not type(filterset(None).form)
        assert all("form-" in f.widget.attrs["class"] for f in filterset(None).form.fields.values())


def test_requests_in_threads_and_languages_get_their_own_filters():
    """Requests served at once (threads of one server process), each in its own language with its own filters:
    each one's messages, labels and values are its own."""
    from concurrent.futures import ThreadPoolExecutor

    from django.http import QueryDict
    from django.utils import translation

    from recommendations.filters import StatusFilter

    cases = [
        ("en", "region=Africa&kind=ratification", ["Kind: Ratification of an instrument", "Region (UN M49): Africa"]),
        ("fr", "region=Europe", None),
        ("en", "status=bogus", None),
        ("fr", "actor_kind=country&on=2015-01-01", None),
    ]

    def serve(case):
        language, query, _ = case
        with translation.override(language):
            filterset = StatusFilter(QueryDict(query))
            valid = filterset.is_valid()
            return (
                valid,
                filterset.describe() if valid else filterset.error_messages(),
                str(filterset.form.fields["region"].label),
            )

    expected = [serve(case) for case in cases]  # one at a time
    assert expected[0][1] == cases[0][2] and not expected[2][0]
    assert expected[0][2] == "Region (UN M49)" and expected[1][2] != expected[0][2]
    assert expected[1][0] and expected[1][1] != ["Region (UN M49): Europe"]  # in French
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            assert list(pool.map(serve, cases * 10)) == expected * 10


def test_an_empty_item_choice_is_known_empty_without_a_query():
    """No item chosen is ``queryset.none()``: the filters' words and conditions skip it without compiling its
    query (Django compiles it to learn it is empty; ~1 ms of every report request)."""
    from django.db.models.sql.compiler import SQLCompiler
    from django.http import QueryDict

    from recommendations.filters import StatusFilter

    filterset = StatusFilter(QueryDict("region=Africa&kind=ratification"))
    assert filterset.is_valid()
    original, compiled = SQLCompiler.execute_sql, []

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    SQLCompiler.execute_sql = counting
    try:
        words = filterset.describe()
        conditions = (filterset.items(), filterset.actors(), filterset.data_)
    finally:
        SQLCompiler.execute_sql = original
    assert words == ["Kind: Ratification of an instrument", "Region (UN M49): Africa"] and conditions[0]
    assert compiled == []
    assert "item" not in filterset.data_
    chosen = StatusFilter(QueryDict("item=R02&item=R45"))
    assert chosen.is_valid() and [i.code for i in chosen.data_["item"]] == ["R02", "R45"]
