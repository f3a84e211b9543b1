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
    return [q["sql"].split("; ", 1)[1] for q in queries if q["sql"].startswith("SET LOCAL random_page_cost")]


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
    planner (at 1M benchmark updates 62,832 statuses read to keep 60)."""
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
