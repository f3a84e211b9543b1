"""The over-time chart read from the status intervals equals the replay of the verified history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings

from recommendations.filters import StatusFilter
from recommendations.models import Kind, ProgressUpdate, Status
from recommendations.reports import history_by_year
from recommendations.reports.history import _replayed_history_by_year

from .factories import record
from .test_current_status import steps

pytestmark = pytest.mark.django_db

START = datetime.date(2006, 7, 27)


def both(**kwargs):
    new, old = history_by_year(**kwargs), _replayed_history_by_year(**kwargs)
    assert new == old, kwargs
    # The same types too: Decimal medians stay Decimal, counts stay int.
    assert [type(v) for v in new["values"]] == [type(v) for v in old["values"]]
    return new


def assert_every_caller_agrees(actors, items, on_days):
    for target in items:
        both(recommendation=target)
        both(recommendation=target, since=2001)
        both(recommendation=target, since=2030)
    for actor in actors:
        both(actor=actor)
    filters = [
        "",
        f"item={items[0].code}",
        f"actor={actors[0].code}&actor={actors[1].code}",
        "actor_kind=country&kind=quantitative",
        "status=limited",  # a row filter: the chart ignores it, as the replay did
    ]
    for query in filters:
        for day in [None, *on_days]:
            text = query + (f"&on={day.isoformat()}" if day else "")
            filterset = StatusFilter(QueryDict(text.lstrip("&")))
            assert filterset.is_valid(), (text, filterset.errors)
            both(filterset=filterset)


def test_an_empty_scope_has_no_years(item):
    assert both(recommendation=item(Kind.POLICY), since=2000) == {
        "years": [],
        "statuses": [],
        "series": {},
        "values": [],
    }


def test_back_dated_and_same_day_updates_count_at_each_year_end(item, country):
    ken, mex, policy = country("KEN"), country("MEX"), item(Kind.POLICY)
    record(actor=ken, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 3, 1))
    record(actor=ken, recommendation=policy, status=Status.SUBSTANTIAL, as_of=datetime.date(2012, 5, 1))
    record(actor=ken, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2011, 1, 1))  # back-dated
    record(actor=mex, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2012, 2, 1))
    record(actor=mex, recommendation=policy, status=Status.COMPLETE, as_of=datetime.date(2012, 2, 1))  # wins
    chart = both(recommendation=policy, since=2009)
    assert chart["years"][:5] == [2009, 2010, 2011, 2012, 2013]
    assert chart["series"][Status.LIMITED][:4] == [0, 1, 1, 0]
    assert chart["series"][Status.SUBSTANTIAL][:4] == [0, 0, 0, 1]
    assert chart["series"][Status.COMPLETE][:4] == [0, 0, 0, 1]
    assert chart["years"][-1] == datetime.date.today().year
    # On a date within a year: an interval that ends after it still holds; one that begins after it does not.
    on = StatusFilter(QueryDict(f"item={policy.code}&on=2012-03-01"))
    assert on.is_valid()
    chart = both(filterset=on)
    assert chart["years"] == [2010, 2011, 2012]
    assert chart["series"] == {Status.LIMITED: [1, 1, 1], Status.COMPLETE: [0, 0, 1]}


def test_the_medians_of_measured_values_per_year_end(item, country):
    remittances = item(Kind.QUANTITATIVE)
    for iso3, value, day in [
        ("PHL", "4.2", datetime.date(2015, 1, 1)),
        ("KEN", "8.5", datetime.date(2015, 6, 1)),
        ("MEX", "5.4", datetime.date(2016, 6, 1)),
        ("KEN", "3.1", datetime.date(2017, 6, 1)),
    ]:
        record(actor=country(iso3), recommendation=remittances, value=Decimal(value), as_of=day)
    chart = both(recommendation=remittances)
    assert chart["values"][:3] == [Decimal("6.35"), Decimal("5.4"), Decimal("4.2")]
    assert all(isinstance(v, Decimal) for v in chart["values"])


# Back-dated values too: a step's status index picks a value for the quantitative item.
VALUES = [Decimal("1.5"), Decimal("4.2"), Decimal("5.4"), Decimal("8.5"), Decimal("12.25")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_random_back_dated_sequences_chart_the_same_as_the_replay(item, country, people, sequence):
    from recommendations import services

    actors = [country("KEN"), country("MEX"), country("PHL")]
    items = [item(Kind.QUANTITATIVE), item(Kind.POLICY)]
    with transaction.atomic():
        logged = []
        for operation, actor_index, item_index, status_index, days, pick, perspective in sequence:
            if operation.startswith("log") or not logged:
                target = items[item_index]
                if target.kind == Kind.QUANTITATIVE:
                    fields = {"value": VALUES[status_index]}
                else:
                    fields = {"status": target.scale[status_index % len(target.scale)]}
                logged.append(
                    record(
                        actor=actors[actor_index],
                        recommendation=target,
                        # Few distinct dates, so ties on as-of and year boundaries happen often.
                        as_of=START + datetime.timedelta(days=days - days % 500),
                        verified=operation == "log_verified",
                        perspective=perspective,
                        **fields,
                    )
                )
                continue
            update = ProgressUpdate.objects.get(pk=logged[pick % len(logged)].pk)
            try:
                if operation == "verify":
                    services.verify_update(update=update, reviewer=people.reviewer, expected_version=None)
                else:
                    services.withdraw_update(update=update, user=people.reviewer, expected_version=None, reason="test")
            except ValidationError:
                pass  # refused, nothing changes
        days = sorted({START + datetime.timedelta(days=d - d % 500) for _, _, _, _, d, _, _ in sequence})
        on_days = {START - datetime.timedelta(days=1), days[0], days[-1] - datetime.timedelta(days=1)}
        on_days |= {days[len(days) // 2] + datetime.timedelta(days=200), datetime.date(days[-1].year, 12, 31)}
        assert_every_caller_agrees(actors, items, sorted(on_days))
        transaction.set_rollback(True)
