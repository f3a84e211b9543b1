"""Each rule written once (issue 12): the pieces every caller uses, checked against each other.

Where an actor counts (``models.places``) has three renderings — a filter's Q, an ORM expression and report
SQL — that must agree for a country, an organization with a base country and one without; "the latest update"
is one order (``LATEST_ORDER``) in Python and SQL; typed codes are read in any case; a status filter's row
conditions are one list rendered as SQL or as ORM lookups.
"""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict

from recommendations.filters import StatusFilter
from recommendations.models import Actor, CurrentStatus, ProgressUpdate, Status, in_region, place_expression, place_sql
from recommendations.models.progress import LATEST_ORDER, latest_first_sql

from .factories import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(make_org, country):
    kenya = country("KEN")
    based = make_org("Based in Kenya", base_country=kenya, region="Europe")  # its own region is never read
    nowhere = make_org("Based nowhere", region="Asia")
    return kenya, based, nowhere


def _sql_places(level, actors):
    sql = (
        f"SELECT a.id, {place_sql(level)} FROM {Actor._meta.db_table} a "  # noqa: S608 - place SQL and a table name
        f"LEFT JOIN {Actor._meta.db_table} b ON b.id = a.base_country_id "
        f"WHERE a.id IN ({', '.join(['%s'] * len(actors))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [a.pk for a in actors])
        return dict(cursor.fetchall())


@pytest.mark.parametrize("level", ["region", "subregion", "intermediate", "country", "iso3"])
def test_the_place_of_an_actor_is_the_same_in_sql_and_in_the_orm(three, level):
    kenya, based, nowhere = three
    orm = dict(
        Actor.objects.filter(pk__in=[a.pk for a in three])
        .annotate(place=place_expression(level))
        .values_list("pk", "place")
    )
    assert orm == _sql_places(level, three)
    assert orm[based.pk] == orm[kenya.pk] != ""  # an organization counts where its base country does
    assert orm[nowhere.pk] == ""  # and nowhere without one, whatever its own fields say


def test_a_region_filter_selects_the_actors_placed_there(three):
    kenya, based, nowhere = three
    chosen = set(Actor.objects.filter(in_region("region", kenya.region)).values_list("pk", flat=True))
    assert {kenya.pk, based.pk} <= chosen and nowhere.pk not in chosen
    assert not Actor.objects.filter(in_region("region", "Europe"), pk__in=[based.pk, nowhere.pk]).exists()
    assert not Actor.objects.filter(in_region("region", "Asia"), pk__in=[based.pk, nowhere.pk]).exists()
    sub = kenya.intermediate_region or kenya.subregion
    assert set(
        Actor.objects.filter(in_region("subregion", sub), pk__in=[based.pk, kenya.pk]).values_list("pk", flat=True)
    ) == {
        kenya.pk,
        based.pk,
    }


def test_the_latest_update_is_one_order_in_python_and_sql(country, item):
    kenya, policy = country("KEN"), item("policy")
    day = datetime.date(2020, 5, 1)
    first = record(actor=kenya, recommendation=policy, as_of=day, status=Status.LIMITED)
    second = record(actor=kenya, recommendation=policy, as_of=day, status=Status.SUBSTANTIAL)  # same day, entered later
    older = record(actor=kenya, recommendation=policy, as_of=day - datetime.timedelta(days=1), status=Status.COMPLETE)
    pair = ProgressUpdate.objects.filter(actor=kenya, recommendation=policy)
    assert list(pair.latest_first()) == [second, first, older]
    assert list(pair.oldest_first()) == [older, first, second]
    assert ProgressUpdate._meta.ordering == [f"-{field}" for field in LATEST_ORDER]
    assert latest_first_sql("u") == "u.as_of DESC, u.created_at DESC, u.id DESC"
    assert latest_first_sql("u", same_day=True) == "u.created_at DESC, u.id DESC"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.id FROM {ProgressUpdate._meta.db_table} u "  # noqa: S608 - a table name and the order
            f"WHERE u.actor_id = %s AND u.recommendation_id = %s ORDER BY {latest_first_sql('u')}",
            [kenya.pk, policy.pk],
        )
        assert [row[0] for row in cursor.fetchall()] == [second.pk, first.pk, older.pk]
    assert CurrentStatus.objects.get(actor=kenya, recommendation=policy).update_id == second.pk


def test_typed_codes_are_read_in_any_case_once_each(three):
    kenya, based, _ = three
    found, missing = Actor.objects.with_codes(["ken", based.code.upper(), "KEN", "nope"])
    assert found == [kenya, based] and missing == ["nope"]
    organizations, missing = Actor.objects.organizations().with_codes(["KEN"])
    assert organizations == [] and missing == ["KEN"]


def test_row_conditions_are_one_list_rendered_as_sql_or_lookups():
    query = "status=limited&status=no_information&updated_after=2019-01-01&evidence=yes"
    filterset = StatusFilter(QueryDict(query))
    assert filterset.is_valid()
    start = filterset.data_["updated"].start  # the range field's own value (a datetime at midnight)
    assert start.date() == datetime.date(2019, 1, 1)
    assert filterset.row_conditions() == [
        ("status", "IN", ["limited"]),
        ("as_of", ">=", start),
        ("has_evidence", "=", True),
    ]
    assert filterset.row_conditions_sql("x") == (
        "WHERE x.status IN (%s) AND x.as_of >= %s AND x.has_evidence = %s",
        ["limited", start, True],
    )
    only_unreported = StatusFilter(QueryDict("status=no_information&evidence=no"))
    assert only_unreported.row_conditions_sql("x")[0] == "WHERE 1 = 0 AND x.has_evidence = %s"


def test_the_status_filter_does_its_own_work_on_current_statuses(country, item):
    kenya, uganda, policy = country("KEN"), country("UGA"), item("policy")
    record(actor=kenya, recommendation=policy, as_of=datetime.date(2020, 1, 1), status=Status.LIMITED)
    record(actor=uganda, recommendation=policy, as_of=datetime.date(2020, 1, 1), status=Status.COMPLETE)
    assert {row.actor for row in StatusFilter(QueryDict("actor=ken")).qs} == {kenya}
    assert {row.actor for row in StatusFilter(QueryDict(f"status=complete&item={policy.code}")).qs} == {uganda}
    assert not StatusFilter(QueryDict("status=no_information")).qs.exists()
    assert StatusFilter(QueryDict(f"region={kenya.region}&item={policy.code}")).qs.count() == 2
