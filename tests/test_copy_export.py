"""The full CSV export through PostgreSQL's COPY equals the Python path, cell for cell, hostile values included."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.urls import reverse

from recommendations import reports
from recommendations.exports import guard_row, stream_copy_csv, stream_csv
from recommendations.filters import StatusFilter
from recommendations.models import Actor, CurrentStatus, DatePrecision, ProgressUpdate, Recommendation, Status
from recommendations.reports import export as report_export

from .factories import record

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")

HOSTILE = [
    '=HYPERLINK("//x/a")',
    "+1+2",
    "-3",
    "@SUM(A1)",
    "\tTab first",
    "\rCR first",
    'comma, "quotes" and\nnew line',
    "carriage\rreturn inside",
    "trailing space ",
    "Ünïcödé — ‘quotes’ «»",
    "back\\slash",
]


def parsed(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def both_paths(scope):
    python = stream_csv("x.csv", reports.EXPORT_COLUMNS, reports.iter_export_rows(scope))
    copied = stream_copy_csv("x.csv", reports.EXPORT_COLUMNS, reports.export_copy_statements(scope))
    return parsed(python), parsed(copied)


def plant(make_org, people):
    """Hostile text in every text field an export row reads, and every shape of as-of, value, link and date."""
    ghana = Actor.objects.get(iso3="GHA")
    item = Recommendation.objects.get(code="R17")
    policy = Recommendation.objects.filter(kind="policy").order_by("position").first()
    for n, text in enumerate(HOSTILE):
        org = make_org(text, code=f"{text}-{n}", base_country=ghana)
        for target, extra in ((item, {"value": f"{n}.{n}50"}), (policy, {"status": Status.LIMITED})):
            update = record(
                actor=org,
                recommendation=target,
                as_of=datetime.date(2020, 1 + n % 12, 1 + n),
                as_of_precision=[DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR][n % 3],
                organization=people.org_a,
                **extra,
            )
            links = [text, "https://example.org/ok", 'https://example.org/"q"'][: 1 + n % 3]
            ProgressUpdate.objects.filter(pk=update.pk).update(evidence_urls=links if n % 4 else [])
            CurrentStatus.objects.filter(update=update).update(evidence_urls=links if n % 4 else [])
    Actor.objects.filter(pk=people.org_a.pk).update(code="=reporter")
    Actor.objects.filter(pk=ghana.pk).update(region="-region", subregion="@sub", intermediate_region="")
    Recommendation.objects.filter(pk=item.pk).update(title="=title, with\r\nbreaks", unit="+unit")
    record(actor=ghana, recommendation=item, value="12.0000", as_of=datetime.date(2021, 1, 1))


@postgresql_only
@pytest.mark.parametrize(
    "query", ["", "kind=quantitative", "on=2020-06-30", "status=no_information&actor_kind=country"]
)
def test_copy_writes_the_cells_the_python_path_writes(make_org, people, query):
    from django.http import QueryDict

    plant(make_org, people)
    scope = reports.build_scope(StatusFilter(QueryDict(query)))
    python, copied = both_paths(scope)
    assert copied == python
    assert len(python) > 1
    cells = [cell for row in python[1:] for cell in row]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells) or query.startswith("status")


@postgresql_only
def test_the_status_csv_streams_from_copy_on_postgresql(client, make_org, people):
    plant(make_org, people)
    response = client.get(reverse("recommendations:status_csv"))
    body = b"".join(response.streaming_content)
    assert body.split(b"\n", 1)[0] == ",".join(reports.EXPORT_COLUMNS).encode()  # COPY's LF line ends
    python, _ = both_paths(reports.build_scope(StatusFilter(None)))
    assert list(csv.reader(io.StringIO(body.decode(), newline=""))) == python


@postgresql_only
def test_an_abandoned_download_cancels_the_copy_and_leaves_the_connection_usable(seeded_transactional_db):
    import threading

    from recommendations.exports import copy_csv_chunks

    sql, params = reports.export_copy_sql(reports.build_scope(StatusFilter(None)))
    body, order = sql.rsplit(" ORDER BY ", 1)  # many more rows than the queue holds
    chunks = copy_csv_chunks(f"{body} CROSS JOIN generate_series(1, 100) ORDER BY {order}", params)
    first = next(chunks)
    assert first.count(b"\n") >= 1
    chunks.close()  # what the server does when the reader goes away
    assert not any(t.name == "csv-copy" for t in threading.enumerate())
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM recommendations_actor")
        assert cursor.fetchone()[0] > 0


@postgresql_only
def test_a_download_read_to_the_end_cancels_nothing_however_late_its_thread_returns(monkeypatch):
    """The COPY's thread may still be alive after its last chunk (descheduled on a busy machine before it
    returns): a download read to the end is not abandoned, so nothing is cancelled and the caller's
    transaction stays usable. (Taken for abandoned, it was marked for rollback: the API test comparing the
    CSV with the API's pages failed once on PostgreSQL under load, its queries after the CSV refused.)"""
    import queue
    import time

    from recommendations import exports

    class LateQueue(queue.Queue):
        def put(self, item, *args, **kwargs):
            super().put(item, *args, **kwargs)
            if item is exports._DONE:
                time.sleep(0.3)  # the thread's last word given, its return delayed

    monkeypatch.setattr(exports.queue, "Queue", LateQueue)
    sql, params = reports.export_copy_sql(reports.build_scope(StatusFilter(None)))
    assert b"".join(exports.copy_csv_chunks(sql, params)).count(b"\n") > 0
    assert connection.in_atomic_block and not connection.needs_rollback
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM recommendations_actor")
        assert cursor.fetchone()[0] > 0


def test_sqlite_keeps_the_python_path(client):
    if connection.vendor == "postgresql":
        pytest.skip("the fallback is for SQLite")
    response = client.get(reverse("recommendations:status_csv"))
    assert b"".join(response.streaming_content).startswith(",".join(reports.EXPORT_COLUMNS).encode() + b"\r\n")


def sorted_rows(scope) -> list[list]:
    """The export's rows from one statement sorting them all (``export_rows_sql``): the definition."""
    sql, params = reports.export_rows_sql(scope)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [report_export._export_values(row) for row in cursor.fetchall()]


def test_the_export_in_actor_batches_gives_the_rows_of_one_sorted_statement(make_org, people, monkeypatch):
    """A large scope is exported in batches of consecutive actors (the first rows leave before the whole
    scope is read): the same rows in the same order as one statement sorting them all, both paths. (COPY
    reads the whole export in one statement instead, below: turned off here to compare the batches.)"""
    plant(make_org, people)
    scope = reports.build_scope(StatusFilter(None))
    whole = sorted_rows(scope)
    monkeypatch.setattr(report_export, "_is_whole", lambda scope: False)
    monkeypatch.setattr(report_export, "EXPORT_BATCHED_FROM", 0)
    monkeypatch.setattr(report_export, "EXPORT_FIRST_BATCH", 3)
    monkeypatch.setattr(report_export, "EXPORT_BATCH_ACTORS", 40)
    assert len(list(reports.export_statements(scope))) > 3
    assert list(reports.iter_export_rows(scope)) == whole
    if connection.vendor == "postgresql":
        python, copied = both_paths(scope)
        assert copied == python
        assert len(copied) == len(whole) + 1


@postgresql_only
def test_the_whole_export_is_one_statement_streaming_in_order(make_org, people, monkeypatch):
    """COPY reads every pair today in export order with one statement (actors in order × items, with the
    actor's current statuses), its cells shaped where they come from: the cells and the order of the
    Python path (the batches, each sorting its rows: test above), sorting only each actor's rows by
    integer ranks, so the first rows leave before the last are read. An organization reporting nothing
    has no row."""
    plant(make_org, people)
    silent = make_org("Silent organization", code="silent")
    # Two links in one status (the one-link fast path is not the only one), and a link-less one.
    two_links = CurrentStatus.objects.exclude(evidence_urls=[]).order_by("pk").first()
    two_links.evidence_urls = ["=https://example.org/a", 'https://example.org/"b", c']
    two_links.save(update_fields=["evidence_urls"])
    monkeypatch.setattr(report_export, "EXPORT_BATCHED_FROM", 0)  # large or small, the same statement
    scope = reports.build_scope(StatusFilter(None))
    sql, params = report_export.whole_export_copy_sql(scope)
    assert list(reports.export_copy_statements(scope)) == [(sql, params)]
    whole = sorted_rows(scope)
    assert {row[9] for row in whole} > {"no_information", "limited"}
    assert not any(row[0] == silent.code for row in whole)
    assert any(row[14] == '=https://example.org/a https://example.org/"b", c' for row in whole)
    python, copied = both_paths(scope)
    assert copied == python and copied[1:] == [guard_row(row) for row in whole]
    with connection.cursor() as cursor:
        # With statistics, as autovacuum keeps them: without, the planner guesses 200 actors and sorts all rows.
        cursor.execute("ANALYZE recommendations_actor, recommendations_currentstatus, recommendations_recommendation")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0][0]["Plan"]
    assert plan["Node Type"] == "Incremental Sort"  # each actor's rows only: the actors arrive in order
    assert plan["Presorted Key"] == ["x.rank"]  # the actors' rank by (name, id): integers, not names


@postgresql_only
def test_a_batch_reads_the_no_information_pairs_of_its_own_actors_only(make_org, people):
    """Each "No information" branch of a batch names the batch's actors on its own scan of the actors, not
    only inside its universe subquery: else the planner may cross every actor with the items and probe the
    subquery per pair (3.3 of 3.5 s of a 1,280-actor batch at 10M benchmark updates, every actor read)."""
    plant(make_org, people)
    batch = list(Actor.objects.order_by("name", "pk").values_list("pk", flat=True)[:5])
    sql, params = report_export.export_rows_sql(reports.build_scope(StatusFilter(None), actor_ids=batch))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0][0]["Plan"]

    def scans(node):
        yield node
        for child in node.get("Plans", []):
            yield from scans(child)

    # The branches' own actors (``a`` in each branch: a_1, a_2 in the plan; the rows' actor is ``a``).
    branch_actors = [
        node
        for node in scans(plan)
        if node.get("Relation Name") == Actor._meta.db_table and re.fullmatch(r"a_\d+", node.get("Alias", ""))
    ]
    assert len(branch_actors) == 2  # countries', organizations'
    for node in branch_actors:
        conditions = " ".join(node.get(key, "") for key in ("Index Cond", "Recheck Cond", "Filter"))
        assert "ANY" in conditions, node
