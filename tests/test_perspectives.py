"""Who says so: every update's perspective — its default rule, the form, the review, imports, exports, the API."""

import csv
import datetime
import importlib
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from recommendations import imports, services
from recommendations.models import (
    Actor,
    AuditEvent,
    CurrentStatus,
    OrganizationType,
    Perspective,
    ProgressUpdate,
    Recommendation,
    ReviewState,
    Status,
    StatusInterval,
)

from .factories import EVIDENCE, NARRATIVE, filed, log_form_data, record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "organization_type, code, expected",
    [
        (OrganizationType.NGO, "some-ngo", Perspective.CIVIL_SOCIETY),
        (OrganizationType.TRADE_UNION, "a-union", Perspective.CIVIL_SOCIETY),
        (OrganizationType.INTERNATIONAL, "an-agency", Perspective.UN_MECHANISM),
        (OrganizationType.ACADEMIC, "a-university", Perspective.INDEPENDENT_DATA),
        (OrganizationType.FINANCIAL_INSTITUTION, "a-bank", Perspective.INDEPENDENT_DATA),
        (OrganizationType.INTERNATIONAL, "un-treaty-collection", Perspective.UN_TREATY_DEPOSITARY),
    ],
)
def test_the_default_follows_the_organization(make_org, organization_type, code, expected):
    organization = make_org(code=code, organization_type=organization_type)
    assert services.default_perspective(organization) == expected
    # The migration's copy of the rule gives the same answer.
    migration = importlib.import_module("recommendations.migrations.0015_perspectives")
    assert migration.default_perspective(organization) == expected


def test_no_organization_is_civil_society():
    assert services.default_perspective(None) == Perspective.CIVIL_SOCIETY


def test_log_progress_stores_the_stated_perspective_or_the_default(people):
    default = filed(user=people.reporter_a, organization=people.org_a)
    stated = filed(user=people.reporter_a, organization=people.org_a, perspective=Perspective.GOVERNMENT)
    assert default.perspective == Perspective.CIVIL_SOCIETY
    assert stated.perspective == Perspective.GOVERNMENT
    with pytest.raises(ValidationError) as refused:
        filed(user=people.reporter_a, organization=people.org_a, perspective="rumour")
    assert "perspective" in refused.value.message_dict
    assert ProgressUpdate.objects.count() == 2


def test_the_form_offers_the_perspective_with_the_organizations_default(reporter, people):
    page = reporter.get(reverse("recommendations:progress_new"), {"item": "R56", "actor": "MEX"})
    html = page.content.decode()
    assert "Who says so (perspective)" in html and "Government self-report" in html
    assert page.context["form"].initial["perspective"] == Perspective.CIVIL_SOCIETY
    data = log_form_data(reporter, "R56", "MEX", perspective=Perspective.GOVERNMENT)
    answer = reporter.post(reverse("recommendations:progress_new") + "?item=R56&actor=MEX", data)
    assert answer.status_code == 302
    assert ProgressUpdate.objects.get().perspective == Perspective.GOVERNMENT


def test_the_form_refuses_an_unknown_perspective(reporter):
    data = log_form_data(reporter, "R56", "MEX", perspective="rumour")
    page = reporter.post(reverse("recommendations:progress_new") + "?item=R56&actor=MEX", data)
    assert page.status_code == 200 and "perspective" in page.context["form"].errors
    assert not ProgressUpdate.objects.exists()


def test_a_reviewer_corrects_the_perspective_when_verifying(client, people):
    update = filed(user=people.reporter_a, organization=people.org_a)
    client.force_login(people.reviewer)
    page = client.get(update.get_absolute_url()).content.decode()
    assert 'name="perspective"' in page
    client.post(
        reverse("recommendations:update_review", args=[update.pk]),
        {"decision": "verify", "version": update.version, "perspective": Perspective.GOVERNMENT},
    )
    update.refresh_from_db()
    assert update.state == ReviewState.VERIFIED and update.perspective == Perspective.GOVERNMENT
    assert CurrentStatus.objects.get().perspective == Perspective.GOVERNMENT
    assert StatusInterval.objects.get().perspective == Perspective.GOVERNMENT
    event = AuditEvent.objects.filter(object_id=str(update.pk)).latest("pk")
    assert "perspective corrected from civil_society to government" in event.detail
    assert "perspective corrected" in update.history.latest().history_change_reason


def test_verifying_without_a_perspective_keeps_it(people):
    update = filed(user=people.reporter_a, organization=people.org_a, perspective=Perspective.UN_MECHANISM)
    services.verify_update(update=update, reviewer=people.reviewer, expected_version=None)
    update.refresh_from_db()
    assert update.perspective == Perspective.UN_MECHANISM


# --- Imports and exports --------------------------------------------------------------------------------


def _plan(rows, columns, people):
    out = io.StringIO()
    csv.writer(out).writerows([columns, *rows])
    handle = io.BytesIO(out.getvalue().encode())
    return imports.plan(
        imports.read_rows(handle, "u.csv"), filename="u.csv", user=people.reporter_a, organization=people.org_a
    )


COLUMNS = ["actor_code", "recommendation_code", "status", "as_of", "evidence_urls", "narrative", "perspective"]


def test_the_import_reads_the_perspective_column(people):
    plan = _plan(
        [
            ["KEN", "R56", "limited", "2020-01-01", EVIDENCE[0], NARRATIVE, "government"],
            ["MEX", "R56", "limited", "2020-01-01", EVIDENCE[0], NARRATIVE, Perspective.UN_MECHANISM.label],
            ["PHL", "R56", "limited", "2020-01-01", EVIDENCE[0], NARRATIVE, ""],
            ["GHA", "R56", "limited", "2020-01-01", EVIDENCE[0], NARRATIVE, "the minister"],
        ],
        COLUMNS,
        people,
    )  # fmt: skip
    assert [row.perspective for row in plan.create] == ["government", "un_mechanism", "civil_society"]
    assert [(r.row, r.column) for r in plan.rejected] == [(5, "perspective")]
    assert "Unknown perspective “the minister”" in plan.rejected[0].reason


def test_an_import_without_the_column_takes_the_default(people):
    plan = _plan([["KEN", "R56", "limited", "2020-01-01", EVIDENCE[0], NARRATIVE]], COLUMNS[:-1], people)
    assert [row.perspective for row in plan.create] == ["civil_society"]


def test_the_same_row_from_another_perspective_is_a_new_update(people):
    record(
        actor=Actor.objects.get(iso3="KEN"),
        recommendation=Recommendation.objects.get(code="R56"),
        status=Status.LIMITED,
        as_of=datetime.date(2020, 1, 1),
        organization=people.org_a,
        perspective=Perspective.GOVERNMENT,
    )
    rows = [
        ["KEN", "R56", "limited", "2020-01-01", EVIDENCE[0], NARRATIVE, "government"],
        ["KEN", "R56", "limited", "2020-01-01", EVIDENCE[0], NARRATIVE, "civil_society"],
    ]
    plan = _plan(rows, COLUMNS, people)
    assert plan.unchanged == [2] and [row.row for row in plan.create] == [3]


def _export(client, query="item=R56&actor_kind=country"):
    body = b"".join(client.get(reverse("recommendations:status_csv") + "?" + query).streaming_content)
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_every_export_carries_the_perspective(client, people):
    record(
        actor=Actor.objects.get(iso3="KEN"),
        recommendation=Recommendation.objects.get(code="R56"),
        status=Status.LIMITED,
        as_of=datetime.date(2020, 1, 1),
        organization=people.org_a,
        perspective=Perspective.GOVERNMENT,
    )
    rows = {row["actor_code"]: row for row in _export(client)}
    assert rows["KEN"]["perspective"] == "government" and rows["MEX"]["perspective"] == ""
    answer = client.get(reverse("recommendations:status_json") + "?item=R56&actor=KEN")
    data = json.loads(b"".join(answer.streaming_content))
    assert [row["perspective"] for row in data["rows"]] == ["government"]


def test_export_then_import_keeps_the_perspective(client, people):
    """The round trip: a file exported from one tracker, imported into another, exports the same."""
    for iso3, perspective in (("KEN", Perspective.GOVERNMENT), ("MEX", Perspective.INDEPENDENT_DATA)):
        record(
            actor=Actor.objects.get(iso3=iso3),
            recommendation=Recommendation.objects.get(code="R56"),
            status=Status.LIMITED,
            as_of=datetime.date(2020, 1, 1),
            organization=people.org_a,
            perspective=perspective,
        )
    before = _export(client)
    ProgressUpdate.objects.all().update(state=ReviewState.WITHDRAWN)
    services.rebuild_current_statuses()
    out = io.StringIO()
    writer = csv.DictWriter(out, [*before[0].keys(), "narrative"])
    writer.writeheader()
    writer.writerows({**row, "narrative": NARRATIVE} for row in before)
    batch = services.start_import(
        file=ContentFile(out.getvalue().encode()),
        filename="round.csv",
        organization=people.org_a,
        system=services.SystemActor("round-trip test"),
        verified=True,
        source="test",
    )
    plan = services.preview_import(batch_id=batch.pk)
    assert not plan.rejected and len(plan.create) == 2
    services.confirm_import(batch_id=batch.pk, system=services.SystemActor("round-trip test"))
    after = _export(client)
    assert [(r["actor_code"], r["perspective"]) for r in after] == [(r["actor_code"], r["perspective"]) for r in before]


def test_the_icrmw_baseline_is_the_treaty_depositarys(client):
    from django.core.management import call_command

    call_command("load_icrmw_baseline", verbosity=0)
    perspectives = set(ProgressUpdate.objects.values_list("perspective", flat=True))
    assert perspectives == {Perspective.UN_TREATY_DEPOSITARY}


def test_the_open_data_updates_resource_has_the_perspective(people, tmp_path):
    from opendata.package import build_package

    record(
        actor=Actor.objects.get(iso3="KEN"),
        recommendation=Recommendation.objects.get(code="R56"),
        status=Status.LIMITED,
        as_of=datetime.date(2020, 1, 1),
        organization=people.org_a,
        perspective=Perspective.UN_MECHANISM,
    )
    release = build_package(tmp_path)
    rows = list(csv.DictReader(io.StringIO((release / "verified_updates.csv").read_text())))
    assert [row["perspective"] for row in rows] == ["un_mechanism"]
    schema = json.loads((release / "datapackage.json").read_text())
    fields = {resource["name"]: [f["name"] for f in resource["schema"]["fields"]] for resource in schema["resources"]}
    assert "perspective" in fields["verified_updates"] and "perspective" in fields["statuses"]


def test_the_migration_gives_every_existing_update_a_perspective(seeded_transactional_db):
    """Migration 0015 on a database of 0014: no update lost, each with the perspective of its organization."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    before, after = [("recommendations", "0014_interval_snapshot_index")], [("recommendations", "0015_perspectives")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        names = ("Actor", "ProgressUpdate", "Recommendation", "CurrentStatus")
        OldActor, OldUpdate, OldItem, OldCurrent = (old.get_model("recommendations", name) for name in names)
        ngo = OldActor.objects.create(kind="organization", code="an-ngo", name="An NGO", organization_type="ngo")
        untc = OldActor.objects.create(
            kind="organization", code="un-treaty-collection", name="UNTC", organization_type="international"
        )
        ken = OldActor.objects.get(iso3="KEN")
        made = {}
        cases = (("R02", "ratified", untc), ("R56", "limited", ngo), ("R57", "limited", None))
        for code, status, organization in cases:
            item = OldItem.objects.get(code=code)
            made[code] = OldUpdate.objects.create(
                actor=ken, recommendation=item, kind=item.kind, actor_kind="country", status=status,
                as_of=datetime.date(2020, 1, 1), created_at=timezone.now(), state="verified",
                reported_by_organization=organization, narrative=NARRATIVE, evidence_urls=EVIDENCE,
            )  # fmt: skip
            OldCurrent.objects.create(
                actor=ken, recommendation=item, update=made[code], kind=item.kind, actor_kind="country",
                status=status, as_of=datetime.date(2020, 1, 1),
            )  # fmt: skip
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    try:
        perspectives = dict(ProgressUpdate.objects.values_list("recommendation__code", "perspective"))
        assert perspectives == {"R02": "un_treaty_depositary", "R56": "civil_society", "R57": "civil_society"}
        assert dict(CurrentStatus.objects.values_list("recommendation__code", "perspective")) == perspectives
        assert dict(StatusInterval.objects.values_list("recommendation__code", "perspective")) == perspectives
    finally:  # the later migrations too (the per-perspective tables): the tests after this one need them
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


# --- Phase B: each perspective's maintained status, and the consolidated one ------------------------------


@pytest.fixture
def disagreeing(people):
    """Kenya on R56: the government says complete (2021), civil society says limited (2022); Mexico: civil
    society only (substantial, 2020; limited on 2019 before that)."""
    r56 = Recommendation.objects.get(code="R56")
    kenya, mexico = Actor.objects.get(iso3="KEN"), Actor.objects.get(iso3="MEX")
    made = {}
    for key, actor, status, day, perspective in (
        ("ken-gov", kenya, Status.COMPLETE, datetime.date(2021, 1, 1), Perspective.GOVERNMENT),
        ("ken-cso", kenya, Status.LIMITED, datetime.date(2022, 1, 1), Perspective.CIVIL_SOCIETY),
        ("mex-old", mexico, Status.LIMITED, datetime.date(2019, 1, 1), Perspective.CIVIL_SOCIETY),
        ("mex-cso", mexico, Status.SUBSTANTIAL, datetime.date(2020, 1, 1), Perspective.CIVIL_SOCIETY),
    ):
        made[key] = record(
            actor=actor,
            recommendation=r56,
            status=status,
            as_of=day,
            organization=people.org_a,
            perspective=perspective,
        )
    return made


def _statuses(client, query):
    return {row["actor_code"]: row["status"] for row in _export(client, "item=R56&actor=KEN,MEX&" + query)}


def test_each_perspective_keeps_its_own_status(client, disagreeing):
    from recommendations.models import PerspectiveStatus

    assert _statuses(client, "") == {"KEN": "limited", "MEX": "substantial"}  # consolidated: the latest of any
    assert _statuses(client, "perspective=government") == {"KEN": "complete", "MEX": "no_information"}
    assert _statuses(client, "perspective=civil_society") == {"KEN": "limited", "MEX": "substantial"}
    assert PerspectiveStatus.objects.filter(actor__iso3="KEN").count() == 2


def test_on_a_date_each_perspective_reads_its_own_intervals(client, disagreeing):
    assert _statuses(client, "on=2021-06-30") == {"KEN": "complete", "MEX": "substantial"}
    assert _statuses(client, "on=2021-06-30&perspective=civil_society") == {
        "KEN": "no_information",
        "MEX": "substantial",
    }
    assert _statuses(client, "on=2019-06-30&perspective=civil_society") == {"KEN": "no_information", "MEX": "limited"}


def test_withdrawing_falls_back_within_the_perspective(client, disagreeing, people):
    services.withdraw_update(update=disagreeing["ken-cso"], user=people.reviewer, expected_version=None, reason="wrong")
    assert _statuses(client, "perspective=civil_society")["KEN"] == "no_information"
    assert _statuses(client, "")["KEN"] == "complete"  # the government's is now the latest of any perspective


def test_report_pages_state_the_rule_and_refuse_a_bad_perspective(client, disagreeing):
    page = client.get(reverse("recommendations:report_summary") + "?item=R56").content.decode()
    assert "latest verified update from any perspective" in page
    page = client.get(reverse("recommendations:report_table") + "?item=R56&perspective=government")
    text = page.content.decode()
    assert "Government self-report" in text and "only: each status is the latest" in text
    bad = client.get(reverse("recommendations:report_table") + "?perspective=rumour")
    assert bad.status_code == 400
    assert "rumour" in bad.content.decode() and "Perspective" in bad.content.decode()
    csv_answer = client.get(reverse("recommendations:status_csv") + "?perspective=rumour")
    assert csv_answer.status_code == 400


def test_the_api_status_list_takes_the_perspective(client, disagreeing):
    answer = client.get("/api/v1/statuses/?item=R56&actor=KEN&perspective=government")
    assert answer.status_code == 200, answer.content
    assert [row["status"] for row in answer.json()["results"]] == ["complete"]
    assert client.get("/api/v1/statuses/?perspective=rumour").status_code == 400


# --- Phase C: disagreement flagged, perspectives as parallel tracks -----------------------------------------


def test_the_disagreement_filter_and_the_summary_count(client, disagreeing):
    # Kenya: government complete, civil society limited — they disagree; Mexico: one perspective only.
    assert _statuses(client, "disagree=yes") == {"KEN": "limited"}
    assert _statuses(client, "disagree=yes&perspective=government") == {"KEN": "complete"}
    # On a date before civil society assessed Kenya, nobody disagreed.
    assert _statuses(client, "disagree=yes&on=2021-06-30") == {}
    page = client.get(reverse("recommendations:report_summary") + "?item=R56")
    assert page.context["disagreements"] == 1
    assert "Statuses on which the perspectives disagree" in page.content.decode()
    bad = client.get(reverse("recommendations:report_table") + "?disagree=maybe")
    assert bad.status_code == 400 and "maybe" in bad.content.decode()


def test_the_disagreement_on_a_date_is_the_definition_on_every_day(people):
    """``disagreement_sql`` on a date (PostgreSQL: the pairs whose perspective intervals held then, read through
    the interval tree of migration 0025, differ) flags exactly the pairs ``statuses_disagree`` finds among
    ``PerspectiveInterval.objects.on(day)``: random back-dated sequences over three perspectives, probed on
    every day around each as-of date (tree nodes, interval ends, open intervals)."""
    import random

    from django.db import connection

    from recommendations.models import PerspectiveInterval
    from recommendations.reports.scope import INTERVAL_TREE_EPOCH, disagreement_sql

    rng = random.Random(21)
    r56 = Recommendation.objects.get(code="R56")
    actors = [Actor.objects.get(iso3=code) for code in ("KEN", "MEX", "PHL")]
    perspectives = [Perspective.GOVERNMENT, Perspective.CIVIL_SOCIETY, Perspective.INDEPENDENT_DATA]
    # Day 40960 (2012-02-21) is a high node of the tree; the others straddle it and each other.
    numbers = [40958, 40959, 40960, 40961, 40962, 40990, 41000, 41024, 41025, 41100]
    for _ in range(24):
        record(
            actor=rng.choice(actors),
            recommendation=r56,
            status=rng.choice(r56.scale),
            as_of=INTERVAL_TREE_EPOCH + datetime.timedelta(days=rng.choice(numbers)),
            organization=people.org_a,
            perspective=rng.choice(perspectives),
            historical=True,
        )
    table = StatusInterval._meta.db_table
    days = sorted({INTERVAL_TREE_EPOCH + datetime.timedelta(days=n + k) for n in numbers for k in (-1, 0, 1)})
    flagged_days = 0
    for day in days:
        condition, params = disagreement_sql("x", day)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT x.actor_id, x.recommendation_id FROM {table} x "  # noqa: S608 - the test's own SQL
                f"WHERE x.valid_from <= %s AND (x.valid_to IS NULL OR x.valid_to > %s) AND {condition}",
                [day, day, *params],
            )
            found = set(cursor.fetchall())
        held = {}
        for interval in PerspectiveInterval.objects.on(day):
            held.setdefault((interval.actor_id, interval.recommendation_id), []).append(interval.status)
        expected = {pair for pair, statuses in held.items() if services.statuses_disagree(statuses)}
        assert found == expected, day
        flagged_days += bool(expected)
    assert flagged_days  # the sequence does make perspectives disagree


def test_the_disagreeing_rows_on_a_date_are_the_definitions(people):
    """The rows of ``disagree=yes&on=DAY`` and the summary's count on a date (PostgreSQL: from the pairs that
    disagree, each probing its own latest interval, ``_held_disagreeing_sql``) are the intervals
    ``.on(DAY)`` of the pairs whose perspectives then hold different statuses: consolidated or one perspective's,
    with a status filter, over random back-dated sequences probed around every as-of date."""
    import random

    from django.http import QueryDict

    from recommendations import reports
    from recommendations.filters import StatusFilter
    from recommendations.models import PerspectiveInterval
    from recommendations.reports.scope import INTERVAL_TREE_EPOCH

    rng = random.Random(2021)
    r56 = Recommendation.objects.get(code="R56")
    actors = [Actor.objects.get(iso3=code) for code in ("KEN", "MEX", "PHL", "UGA")]
    perspectives = [Perspective.GOVERNMENT, Perspective.CIVIL_SOCIETY, Perspective.INDEPENDENT_DATA]
    numbers = [40958, 40959, 40960, 40961, 40990, 41000, 41024, 41025, 41100]
    for _ in range(30):
        record(
            actor=rng.choice(actors),
            recommendation=r56,
            status=rng.choice(r56.scale),
            as_of=INTERVAL_TREE_EPOCH + datetime.timedelta(days=rng.choice(numbers)),
            organization=people.org_a,
            perspective=rng.choice(perspectives),
            historical=True,
        )
    days = sorted({INTERVAL_TREE_EPOCH + datetime.timedelta(days=n + k) for n in numbers for k in (-1, 0, 1)})
    seen = 0
    for day in days:
        held = {}
        for interval in PerspectiveInterval.objects.on(day):
            held.setdefault((interval.actor_id, interval.recommendation_id), []).append(interval.status)
        disagree = {pair for pair, statuses in held.items() if services.statuses_disagree(statuses)}
        for extra, intervals in [
            ("", StatusInterval.objects.all()),
            ("&perspective=government", PerspectiveInterval.objects.filter(perspective=Perspective.GOVERNMENT)),
            ("&status=" + r56.scale[1], StatusInterval.objects.filter(status=r56.scale[1])),
        ]:
            expected = {
                (i.actor_id, i.recommendation_id, i.status)
                for i in intervals.on(day)
                if (i.actor_id, i.recommendation_id) in disagree
            }
            scope = reports.build_scope(StatusFilter(QueryDict(f"item=R56&on={day}&disagree=yes{extra}")))
            assert set(scope.run("p.actor_id, p.recommendation_id, p.status")) == expected, (day, extra)
            counted = reports.build_scope(StatusFilter(QueryDict(f"item=R56&on={day}{extra}")))
            assert reports.disagreements(counted) == len(expected), (day, extra)
            seen += len(expected)
    assert seen  # the sequence does make perspectives disagree


def test_the_summary_counts_the_disagreeing_pairs_themselves_on_a_date(disagreeing):
    """PostgreSQL, consolidated statuses, no row filter: the count on a date is that of the pairs that disagree
    then (within the scope's items and actors), not a probe of each one's consolidated interval; with a row
    filter it reads the intervals. (The numbers: ``test_the_disagreeing_rows_on_a_date_are_the_definitions``.)"""
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from recommendations import reports
    from recommendations.filters import StatusFilter

    if connection.vendor != "postgresql":
        pytest.skip("the pairs' own count is PostgreSQL's plan")
    table = StatusInterval._meta.db_table
    for query, reads_intervals in [("on=2024-06-30&item=R56", False), ("on=2024-06-30&status=limited", True)]:
        scope = reports.build_scope(StatusFilter(QueryDict(query)))
        with CaptureQueriesContext(connection) as captured:
            reports.disagreements(scope)
        assert len(captured.captured_queries) == 1
        assert (table in captured.captured_queries[0]["sql"]) == reads_intervals, query


def test_a_pair_gaining_then_losing_its_second_perspective_back_dated(client, disagreeing, people):
    """Mexico had civil society's track only; a back-dated government assessment gives it a second one, which
    marks all its per-perspective intervals (``several_perspectives``: the on-date count reads only those) and
    makes it disagree from that date; withdrawn, the marks go and so does the disagreement."""
    from recommendations.models import PerspectiveInterval

    mexico, r56 = Actor.objects.get(iso3="MEX"), Recommendation.objects.get(code="R56")

    def marks():
        return set(
            PerspectiveInterval.objects.filter(actor=mexico).values_list(
                "perspective", "valid_from", "several_perspectives"
            )
        )

    def count(day):
        return client.get(reverse("recommendations:report_summary") + f"?item=R56&on={day}").context["disagreements"]

    assert {several for _, _, several in marks()} == {False}
    assert count("2019-06-30") == 0
    government = record(
        actor=mexico,
        recommendation=r56,
        status=Status.COMPLETE,
        as_of=datetime.date(2019, 3, 1),  # before civil society's newer assessment, after its first
        organization=people.org_a,
        perspective=Perspective.GOVERNMENT,
    )
    assert marks() == {
        (Perspective.CIVIL_SOCIETY, datetime.date(2019, 1, 1), True),
        (Perspective.CIVIL_SOCIETY, datetime.date(2020, 1, 1), True),
        (Perspective.GOVERNMENT, datetime.date(2019, 3, 1), True),
    }
    assert count("2019-02-28") == 0  # the government had not yet assessed Mexico
    assert count("2019-06-30") == 1  # complete against limited
    assert count("2021-06-30") == 1  # complete against substantial (Kenya: government only then)
    assert count("2022-06-30") == 2  # and Kenya
    services.withdraw_update(update=government, user=people.reviewer, expected_version=None, reason="wrong")
    assert {several for _, _, several in marks()} == {False}
    assert (count("2019-06-30"), count("2022-06-30")) == (0, 1)


def test_a_disagreement_is_found_whichever_perspective_the_report_reads(client, disagreeing, people):
    """Three perspectives on Kenya: the latest (UN, complete) agrees with the government and not with civil
    society; Mexico's two perspectives agree. Each report row is compared with every other perspective."""
    r56 = Recommendation.objects.get(code="R56")
    for actor, status, day, perspective in (
        (Actor.objects.get(iso3="KEN"), Status.COMPLETE, datetime.date(2023, 1, 1), Perspective.UN_MECHANISM),
        (Actor.objects.get(iso3="MEX"), Status.SUBSTANTIAL, datetime.date(2020, 6, 1), Perspective.INDEPENDENT_DATA),
    ):
        record(
            actor=actor,
            recommendation=r56,
            status=status,
            as_of=day,
            organization=people.org_a,
            perspective=perspective,
        )
    assert _statuses(client, "disagree=yes") == {"KEN": "complete"}
    assert _statuses(client, "disagree=yes&perspective=government") == {"KEN": "complete"}
    assert _statuses(client, "disagree=yes&perspective=civil_society") == {"KEN": "limited"}
    assert _statuses(client, "disagree=yes&perspective=independent_data") == {}
    # On 2022-06-30 the UN had not spoken: government complete, civil society limited.
    assert _statuses(client, "disagree=yes&on=2022-06-30") == {"KEN": "limited"}
    assert _statuses(client, "disagree=yes&on=2020-12-31") == {}  # Mexico agreeing, Kenya not yet assessed
    page = client.get(reverse("recommendations:report_summary") + "?item=R56")
    assert page.context["disagreements"] == 1


def test_the_history_page_shows_the_perspectives_side_by_side(client, disagreeing):
    page = client.get(reverse("recommendations:timeline", args=["KEN", "R56"]))
    html = page.content.decode()
    assert "Perspectives side by side" in html and "The assessments disagree." in html
    assert [p.value for p in page.context["perspectives"]] == ["government", "civil_society"]
    # One row per date, one column per perspective; each update with its evidence link.
    rows = page.context["track_rows"]
    assert [[len(cell) for cell in row["cells"]] for row in rows] == [[1, 0], [0, 1]]
    assert html.count(EVIDENCE[0]) >= 4  # in the tracks and in the list below
    agreeing = client.get(reverse("recommendations:timeline", args=["MEX", "R56"])).content.decode()
    assert "The assessments disagree." not in agreeing


def test_the_over_time_chart_of_a_perspective_counts_that_perspective_only(disagreeing):
    from django.http import QueryDict

    from recommendations import reports
    from recommendations.filters import StatusFilter

    def history(query):
        filterset = StatusFilter(QueryDict(query), queryset=CurrentStatus.objects.all())
        assert filterset.is_valid(), filterset.errors
        return reports.history_by_year(filterset=filterset)

    def chart(query):
        return {status: counts[-1] for status, counts in history(query)["series"].items()}

    assert chart("item=R56&perspective=government") == {Status.COMPLETE: 1}
    assert chart("item=R56&perspective=civil_society") == {Status.LIMITED: 1, Status.SUBSTANTIAL: 1}
    # On today's date, from the perspective's intervals held on it: the same chart.
    today = datetime.date.today().isoformat()
    for query in ["item=R56&perspective=government", "item=R56&perspective=civil_society", "perspective=government"]:
        assert history(f"{query}&on={today}") == history(query)
