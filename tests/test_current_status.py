"""The current-status table always equals a recomputation from history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommendations.models import (
    CurrentStatus,
    Kind,
    Perspective,
    PerspectiveInterval,
    PerspectiveStatus,
    ProgressUpdate,
    Status,
    StatusInterval,
    YearEndChange,
)
from recommendations.services import rebuild_current_statuses, rebuild_status_intervals, rebuild_tracks

from .factories import record

pytestmark = pytest.mark.django_db


def current(actor, item):
    return CurrentStatus.objects.filter(actor=actor, recommendation=item).first()


def assert_table_matches_history():
    expected = ProgressUpdate.objects.latest_per_pair()
    table = {(c.actor_id, c.recommendation_id): c for c in CurrentStatus.objects.select_related("update")}
    assert {pair: c.update_id for pair, c in table.items()} == expected
    for row in table.values():
        assert (row.status, row.as_of, row.kind, row.actor_kind) == (
            row.update.status,
            row.update.as_of,
            row.update.kind,
            row.update.actor_kind,
        )


def replayed_on(day) -> dict[tuple[int, int], int]:
    """The oracle: replay the verified history up to ``day``; each pair's last update in (as-of, entry, id) order."""
    state = {}
    for actor_id, item_id, pk in (
        ProgressUpdate.objects.counted()
        .filter(as_of__lte=day)
        .order_by("as_of", "created_at", "pk")
        .values_list("actor_id", "recommendation_id", "pk")
    ):
        state[(actor_id, item_id)] = pk
    return state


def intervals_on(day) -> dict[tuple[int, int], int]:
    held = list(StatusInterval.objects.on(day).values_list("actor_id", "recommendation_id", "update_id"))
    table = {(a, i): u for a, i, u in held}
    assert len(table) == len(held), f"two intervals of one pair hold on {day}"
    return table


def stored_intervals():
    return sorted(
        StatusInterval.objects.values_list(
            "actor_id", "recommendation_id", "valid_from", "valid_to", "update_id", "status", "verified_at"
        )
    )


def read_by_reports_on(day) -> dict[tuple[int, int], int]:
    """What the snapshot pages read: on PostgreSQL through the interval tree (migration 0014)."""
    from django.db import connection
    from django.db.models import Q

    from recommendations import reports

    sql, params = reports.scope._held_on_sql(
        StatusInterval.objects.all(), Q(), Q(), day, ("actor_id", "recommendation_id", "update_id")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        held = cursor.fetchall()
    table = {(a, i): u for a, i, u in held}
    assert len(table) == len(held), f"the snapshot read two intervals of one pair on {day}"
    return table


def assert_intervals_match_history(days):
    for day in days:
        expected = replayed_on(day)
        assert intervals_on(day) == expected, day
        assert read_by_reports_on(day) == expected, day
    # The open intervals are the current statuses.
    open_ = set(
        StatusInterval.objects.filter(valid_to__isnull=True).values_list("actor_id", "recommendation_id", "update_id")
    )
    assert open_ == set(CurrentStatus.objects.values_list("actor_id", "recommendation_id", "update_id"))
    # The one-statement rebuild (the migration's fill, the repair tool) writes the same intervals.
    kept = stored_intervals()
    rebuild_status_intervals()
    assert stored_intervals() == kept


def kept_year_end_changes() -> dict:
    """The stored YearEndChange rows summed per key (a key has several rows while writers overlap), without the
    keys fallen back to zero (they count nothing)."""
    sums: dict = {}
    for r in YearEndChange.objects.all():
        counts = sums.setdefault((r.recommendation_id, r.track, r.year, r.status, r.measured, r.value), [0, 0])
        counts[0] += r.starts
        counts[1] += r.ends
    return {key: tuple(counts) for key, counts in sums.items() if counts[0] or counts[1]}


def assert_year_end_changes_match_intervals():
    """The chart's rows kept per item, written by the services as increments, equal a fresh recomputation from the
    intervals of both tracks (``rebuild_year_end_changes``), and those from a count of the crossing intervals."""
    from recommendations.services.year_ends import rebuild_year_end_changes

    kept = kept_year_end_changes()
    expected: dict = {}
    for model, per_perspective in ((StatusInterval, False), (PerspectiveInterval, True)):
        for interval in model.objects.all():
            start, end = interval.valid_from.year, interval.valid_to.year if interval.valid_to else None
            if start == end:
                continue  # holds at no year end
            track = interval.perspective if per_perspective else ""
            key = (interval.recommendation_id, track, interval.status, interval.value is not None)
            value = interval.value if interval.value is not None else Decimal(0)
            starts = expected.setdefault((*key[:2], start, *key[2:], value), [0, 0])
            starts[0] += 1
            if end is not None:
                expected.setdefault((*key[:2], end, *key[2:], value), [0, 0])[1] += 1
    assert kept == {key: tuple(counts) for key, counts in expected.items()}
    with transaction.atomic():
        rebuild_year_end_changes(perspectives=False)
        rebuild_year_end_changes(perspectives=True)
        assert kept_year_end_changes() == kept
        transaction.set_rollback(True)


def replayed_tracks_on(day) -> dict[tuple[int, int, str], int]:
    """The oracle per perspective: each (pair, perspective)'s last verified update up to ``day``."""
    state = {}
    for actor_id, item_id, perspective, pk in (
        ProgressUpdate.objects.counted()
        .filter(as_of__lte=day)
        .order_by("as_of", "created_at", "pk")
        .values_list("actor_id", "recommendation_id", "perspective", "pk")
    ):
        state[(actor_id, item_id, perspective)] = pk
    return state


def assert_tracks_match_history(days):
    """Each perspective's maintained status and intervals equal a replay of that perspective's history; each
    interval's ``several_perspectives`` marker says whether its pair has two or more tracks; and the pairs whose
    perspectives disagree on each day (``disagreement_sql``, on PostgreSQL only over the marked intervals) are
    those whose replayed tracks then hold different statuses."""
    from django.db import connection

    from recommendations.reports.scope import disagreement_sql

    for day in days:
        held = list(
            PerspectiveInterval.objects.on(day).values_list("actor_id", "recommendation_id", "perspective", "update_id")
        )
        table = {(a, i, p): u for a, i, p, u in held}
        assert len(table) == len(held), f"two intervals of one track hold on {day}"
        replayed = replayed_tracks_on(day)
        assert table == replayed, day
        status_of = dict(ProgressUpdate.objects.filter(pk__in=replayed.values()).values_list("pk", "status"))
        statuses: dict[tuple[int, int], set] = {}
        for (a, i, _), pk in replayed.items():
            statuses.setdefault((a, i), set()).add(status_of[pk])
        condition, params = disagreement_sql("x", day)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT x.actor_id, x.recommendation_id FROM {StatusInterval._meta.db_table} x "  # noqa: S608
                f"WHERE x.valid_from <= %s AND (x.valid_to IS NULL OR x.valid_to > %s) AND {condition}",
                [day, day, *params],
            )
            assert set(cursor.fetchall()) == {pair for pair, held in statuses.items() if len(held) > 1}, day
    tracks_of: dict[tuple[int, int], set] = {}
    for a, i, p in replayed_tracks_on(datetime.date.max):
        tracks_of.setdefault((a, i), set()).add(p)
    for a, i, several in PerspectiveInterval.objects.values_list(
        "actor_id", "recommendation_id", "several_perspectives"
    ):
        assert several == (len(tracks_of[(a, i)]) > 1), (a, i)
    current = {
        (a, i, p): u
        for a, i, p, u in PerspectiveStatus.objects.values_list(
            "actor_id", "recommendation_id", "perspective", "update_id"
        )
    }
    assert current == replayed_tracks_on(datetime.date.max)
    open_ = PerspectiveInterval.objects.filter(valid_to__isnull=True)
    assert set(open_.values_list("actor_id", "recommendation_id", "perspective", "update_id")) == {
        (a, i, p, u) for (a, i, p), u in current.items()
    }
    # The consolidated status is the latest of the perspectives' (the rule: the latest from any perspective).
    consolidated = {
        (a, i): u for a, i, u in CurrentStatus.objects.values_list("actor_id", "recommendation_id", "update_id")
    }
    assert set(consolidated.values()) <= set(current.values())
    # The disagreement flag of each consolidated status equals the rule recomputed from the replayed history.
    assert_flags_match_history(current)
    # The repair tool (two INSERT … SELECT statements) writes the same tracks, every copied column included.
    interval_columns = [f.attname for f in PerspectiveInterval._meta.concrete_fields if f.attname != "id"]
    status_columns = [f.attname for f in PerspectiveStatus._meta.concrete_fields if f.attname != "id"]
    kept = sorted(PerspectiveInterval.objects.values_list(*interval_columns))
    kept_statuses = sorted(PerspectiveStatus.objects.values_list(*status_columns))
    rebuild_tracks()
    assert sorted(PerspectiveInterval.objects.values_list(*interval_columns)) == kept
    assert sorted(PerspectiveStatus.objects.values_list(*status_columns)) == kept_statuses
    assert_flags_match_history(current)


def assert_flags_match_history(current: dict) -> None:
    """Each CurrentStatus's flag = its perspectives' replayed statuses not all equal; and the snapshot rule
    (``disagreement_sql`` over the intervals held on a date) finds the same pairs today."""
    from django.db import connection

    from recommendations.reports.scope import disagreement_sql

    status_of = dict(ProgressUpdate.objects.filter(pk__in=current.values()).values_list("pk", "status"))
    statuses: dict[tuple[int, int], set] = {}
    for (a, i, _), pk in current.items():
        statuses.setdefault((a, i), set()).add(status_of[pk])
    expected = {pair for pair, held in statuses.items() if len(held) > 1}
    flagged = set(CurrentStatus.objects.filter(perspectives_disagree=True).values_list("actor_id", "recommendation_id"))
    assert flagged == expected
    condition, params = disagreement_sql("p", datetime.date(9000, 1, 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.actor_id, p.recommendation_id FROM {CurrentStatus._meta.db_table} p WHERE {condition}",  # noqa: S608
            params,
        )
        assert set(cursor.fetchall()) == expected


def test_first_update_creates_the_current_status(item, country):
    ken, icrmw = country("KEN"), item(Kind.RATIFICATION)
    update = record(actor=ken, recommendation=icrmw, status=Status.SIGNED, as_of=datetime.date(2015, 9, 1))
    row = current(ken, icrmw)
    assert (row.update, row.status, row.as_of) == (update, Status.SIGNED, datetime.date(2015, 9, 1))


def test_newer_update_replaces_older(item, country):
    ken, icrmw = country("KEN"), item(Kind.RATIFICATION)
    record(actor=ken, recommendation=icrmw, status=Status.SIGNED, as_of=datetime.date(2015, 9, 1))
    newer = record(actor=ken, recommendation=icrmw, status=Status.RATIFIED, as_of=datetime.date(2020, 1, 1))
    assert current(ken, icrmw).update == newer


def test_back_dated_update_does_not_displace_a_newer_one(item, country):
    ken, icrmw = country("KEN"), item(Kind.RATIFICATION)
    newer = record(actor=ken, recommendation=icrmw, status=Status.RATIFIED, as_of=datetime.date(2020, 1, 1))
    record(actor=ken, recommendation=icrmw, status=Status.SIGNED, as_of=datetime.date(2015, 9, 1))
    row = current(ken, icrmw)
    assert row.update == newer
    assert row.status == Status.RATIFIED
    assert ProgressUpdate.objects.filter(actor=ken, recommendation=icrmw).count() == 2  # nothing lost


def test_same_as_of_date_later_entry_wins(item, country):
    ken, policy = country("KEN"), item(Kind.POLICY)
    day = datetime.date(2021, 6, 1)
    record(actor=ken, recommendation=policy, status=Status.LIMITED, as_of=day)
    later = record(actor=ken, recommendation=policy, status=Status.SUBSTANTIAL, as_of=day)
    assert current(ken, policy).update == later


def test_pairs_are_independent(item, country):
    icrmw = item(Kind.RATIFICATION)
    record(actor=country("KEN"), recommendation=icrmw, status=Status.SIGNED, as_of=datetime.date(2015, 1, 1))
    record(actor=country("MEX"), recommendation=icrmw, status=Status.RATIFIED, as_of=datetime.date(2016, 1, 1))
    assert current(country("KEN"), icrmw).status == Status.SIGNED
    assert current(country("MEX"), icrmw).status == Status.RATIFIED


def test_quantitative_status_is_derived_from_the_value(item, country):
    remittances = item(Kind.QUANTITATIVE)
    update = record(
        actor=country("PHL"), recommendation=remittances, value=Decimal("4.2"), as_of=datetime.date(2022, 1, 1)
    )
    assert update.status == Status.PROGRESSING
    assert current(country("PHL"), remittances).status == Status.PROGRESSING


@pytest.mark.parametrize(
    "kwargs, field, fragment",
    [
        ({"status": Status.COMPLETE}, "status", "not on this item's scale"),
        ({"status": "made-up"}, "status", "not on this item's scale"),
        ({"status": ""}, "status", "Choose a status"),
        ({"status": Status.SIGNED, "as_of": datetime.date(2999, 1, 1)}, "as_of", "cannot be in the future"),
        ({"status": Status.SIGNED, "as_of": datetime.date(1995, 1, 1)}, "as_of", "before the source document"),
        ({"status": Status.SIGNED, "evidence_urls": ["not a url"]}, "evidence_urls", "is not a web address"),
        ({"status": Status.SIGNED, "value": Decimal("1")}, "value", "Only quantitative items"),
    ],
)
def test_invalid_updates_are_refused_with_a_field_message(item, country, kwargs, field, fragment):
    kwargs.setdefault("as_of", datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError) as caught:
        record(actor=country("KEN"), recommendation=item(Kind.RATIFICATION), **kwargs)
    assert fragment in " ".join(caught.value.message_dict[field])
    assert not ProgressUpdate.objects.exists()


def test_historical_updates_may_predate_the_source(item, country):
    update = record(
        actor=country("MEX"),
        recommendation=item(Kind.RATIFICATION),
        status=Status.RATIFIED,
        as_of=datetime.date(1999, 3, 8),
        historical=True,
    )
    assert current(country("MEX"), item(Kind.RATIFICATION)).update == update


def test_organization_cannot_hold_a_ratification_status(item, make_org):
    with pytest.raises(ValidationError) as caught:
        record(
            actor=make_org(),
            recommendation=item(Kind.RATIFICATION),
            status=Status.RATIFIED,
            as_of=datetime.date(2020, 1, 1),
        )
    assert "Only a country" in caught.value.message_dict["actor"][0]


def test_quantitative_needs_a_value_and_refuses_a_contradicting_status(item, country):
    remittances = item(Kind.QUANTITATIVE)
    with pytest.raises(ValidationError) as caught:
        record(actor=country("PHL"), recommendation=remittances, as_of=datetime.date(2022, 1, 1))
    assert "Enter the measured value" in caught.value.message_dict["value"][0]
    with pytest.raises(ValidationError) as caught:
        record(
            actor=country("PHL"),
            recommendation=remittances,
            value=Decimal("9"),
            status=Status.TARGET_MET,
            as_of=datetime.date(2022, 1, 1),
        )
    assert "follows from the value" in caught.value.message_dict["status"][0]


def test_rebuild_recomputes_the_same_table(item, country):
    for iso3, day in [("KEN", 1), ("KEN", 3), ("MEX", 2)]:
        record(
            actor=country(iso3),
            recommendation=item(Kind.POLICY),
            status=Status.LIMITED,
            as_of=datetime.date(2020, 1, day),
        )
    before = set(CurrentStatus.objects.values_list("actor_id", "recommendation_id", "update_id"))
    assert rebuild_current_statuses() == 2
    assert set(CurrentStatus.objects.values_list("actor_id", "recommendation_id", "update_id")) == before


# A step is (operation, actor index, item index, status index, days after 2006-07-27, which earlier update).
steps = st.lists(
    st.tuples(
        st.sampled_from(["log", "log_verified", "verify", "withdraw"]),
        st.integers(0, 2),
        st.integers(0, 1),
        st.integers(0, 4),
        st.integers(0, 6000),
        st.integers(0, 30),
        st.sampled_from([Perspective.GOVERNMENT, Perspective.CIVIL_SOCIETY, Perspective.UN_MECHANISM]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_random_sequences_of_writes_keep_the_table_equal_to_history(item, country, people, sequence):
    from recommendations import services

    actors = [country("KEN"), country("MEX"), country("PHL")]
    items = [item(Kind.RATIFICATION), item(Kind.POLICY)]
    start = datetime.date(2006, 7, 27)
    with transaction.atomic():
        logged = []
        for operation, actor_index, item_index, status_index, days, pick, perspective in sequence:
            if operation.startswith("log") or not logged:
                target = items[item_index]
                logged.append(
                    record(
                        actor=actors[actor_index],
                        recommendation=target,
                        status=target.scale[status_index % len(target.scale)],
                        # Few distinct dates, so ties on as-of happen often.
                        as_of=start + datetime.timedelta(days=days - days % 1000),
                        verified=operation == "log_verified",
                        perspective=perspective,
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
                pass  # e.g. verifying an update that is no longer pending: refused, nothing changes
        assert_table_matches_history()
        assert_year_end_changes_match_intervals()  # before the rebuilds below write them afresh
        # Dates on interval boundaries, the day before each, between them, before all and after all.
        boundaries = {start + datetime.timedelta(days=days - days % 1000) for _, _, _, _, days, _, _ in sequence}
        probes = {start - datetime.timedelta(days=1), datetime.date.today()}
        for day in boundaries:
            probes |= {day, day - datetime.timedelta(days=1), day + datetime.timedelta(days=500)}
        assert_intervals_match_history(sorted(probes))
        assert_tracks_match_history(sorted(probes))
        transaction.set_rollback(True)


def test_the_migrations_fill_writes_the_intervals_the_services_keep(item, country):
    """Migrations 0012 and 0015 (which added the perspective) fill the intervals of existing data with their own
    copy of the rebuild statement; the latest one is run here on today's table."""
    import importlib

    from django.db import connection

    fill = importlib.import_module("recommendations.migrations.0015_perspectives").FILL
    ken, policy = country("KEN"), item(Kind.POLICY)
    for status, day in [
        (Status.LIMITED, datetime.date(2020, 1, 1)),
        (Status.SUBSTANTIAL, datetime.date(2018, 1, 1)),  # back-dated
        (Status.COMPLETE, datetime.date(2020, 1, 1)),  # same day, later entry wins
    ]:
        record(actor=ken, recommendation=policy, status=status, as_of=day)
    kept = stored_intervals()
    assert [(start, end, status) for _, _, start, end, _, status, _ in kept] == [
        (datetime.date(2018, 1, 1), datetime.date(2020, 1, 1), Status.SUBSTANTIAL),
        (datetime.date(2020, 1, 1), None, Status.COMPLETE),
    ]
    StatusInterval.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert stored_intervals() == kept


def test_the_snapshot_read_finds_every_interval_holding_on_any_day(item, country):
    """The interval tree's two scans (PostgreSQL) find exactly the intervals holding on a day: intervals
    of one day, of years, starting or ending on days with many trailing zero bits, open ones; probed on
    every day from before the first to after the last (SQLite reads StatusIntervalQuerySet.on itself)."""
    from recommendations.reports.scope import INTERVAL_TREE_EPOCH

    epoch = INTERVAL_TREE_EPOCH
    # Day numbers 40960 = 0b1010000000000000 (2012-02-21) and 32768 = 2^15 (1989-09-17) are high tree nodes.
    starts = [32767, 32768, 32769, 40959, 40960, 40961, 40962, 41000, 41001, 45056, 45057, 45100]
    policy = item(Kind.POLICY)
    for n, actor in enumerate([country("KEN"), country("MEX"), country("PHL")]):
        for m, day in enumerate(starts[n::3] + [45200 + n]):
            record(
                actor=actor,
                recommendation=policy,
                status=policy.scale[m % len(policy.scale)],
                as_of=epoch + datetime.timedelta(days=day),
                historical=True,
            )
    days = sorted({epoch + datetime.timedelta(days=d + k) for d in [*starts, 45200, 45202] for k in (-1, 0, 1)})
    assert_intervals_match_history(days)


def test_the_bulk_refresh_restores_the_tracks_and_the_flags(item, country):
    """``refresh_current_statuses`` (imports) goes through the same ``write_tracks``: deleted track intervals and
    wrong flags are put right, the rows that were right are kept. (A status row is trusted to be its track's
    open interval, as ``write_tracks`` and ``rebuild_tracks`` write it: ``rebuild_tracks`` repairs any drift.)"""
    from recommendations.services import refresh_current_statuses

    kenya, mexico, policy = country("KEN"), country("MEX"), item(Kind.POLICY)
    for actor, status, year, perspective in [
        (kenya, Status.COMPLETE, 2019, Perspective.GOVERNMENT),
        (kenya, Status.LIMITED, 2020, Perspective.CIVIL_SOCIETY),
        (kenya, Status.SUBSTANTIAL, 2021, Perspective.CIVIL_SOCIETY),
        (mexico, Status.LIMITED, 2020, Perspective.CIVIL_SOCIETY),
    ]:
        record(
            actor=actor, recommendation=policy, status=status, as_of=datetime.date(year, 1, 1), perspective=perspective
        )
    assert set(CurrentStatus.objects.filter(perspectives_disagree=True).values_list("actor_id", flat=True)) == {
        kenya.pk
    }
    kept = PerspectiveInterval.objects.get(actor=kenya, perspective=Perspective.GOVERNMENT).pk
    PerspectiveInterval.objects.filter(actor=kenya, valid_to__isnull=False).delete()
    CurrentStatus.objects.update(perspectives_disagree=False)
    with transaction.atomic():
        refresh_current_statuses(actor_ids=[kenya.pk, mexico.pk], recommendation_ids=[policy.pk])
    assert PerspectiveInterval.objects.filter(pk=kept).exists()
    assert_tracks_match_history([datetime.date(2019, 6, 1), datetime.date(2020, 6, 1), datetime.date(2022, 1, 1)])
    assert set(CurrentStatus.objects.filter(perspectives_disagree=True).values_list("actor_id", flat=True)) == {
        kenya.pk
    }


def test_every_writer_keeps_the_year_end_changes(item, country, people):
    """Each service that writes intervals adds its difference to the chart's rows kept per item (YearEndChange):
    logging, back-dating, a same-day correction, verifying, withdrawing, the bulk refresh of imports and the
    repair tools; measured values and perspective tracks included."""
    from recommendations import services

    kenya, mexico, policy, remittances = country("KEN"), country("MEX"), item(Kind.POLICY), item(Kind.QUANTITATIVE)
    steps = [
        (kenya, policy, {"status": Status.LIMITED}, datetime.date(2010, 3, 1), Perspective.GOVERNMENT),
        (kenya, policy, {"status": Status.COMPLETE}, datetime.date(2013, 3, 1), Perspective.CIVIL_SOCIETY),
        (kenya, policy, {"status": Status.SUBSTANTIAL}, datetime.date(2011, 6, 1), Perspective.GOVERNMENT),  # back
        (kenya, policy, {"status": Status.LIMITED}, datetime.date(2011, 6, 1), Perspective.GOVERNMENT),  # corrected
        (mexico, remittances, {"value": Decimal("4.2")}, datetime.date(2009, 1, 1), Perspective.GOVERNMENT),
        (mexico, remittances, {"value": Decimal("8.5")}, datetime.date(2012, 1, 1), Perspective.UN_MECHANISM),
        (mexico, remittances, {"value": Decimal("1.5")}, datetime.date(2012, 5, 1), Perspective.UN_MECHANISM),
    ]
    logged = []
    for actor, target, fields, day, perspective in steps:
        logged.append(record(actor=actor, recommendation=target, as_of=day, perspective=perspective, **fields))
        assert_year_end_changes_match_intervals()
    assert YearEndChange.objects.filter(starts__gt=0).exists()
    pending = record(
        actor=mexico,
        recommendation=remittances,
        value=Decimal("12.25"),
        as_of=datetime.date(2010, 7, 1),
        verified=False,
    )
    services.verify_update(update=pending, reviewer=people.reviewer, expected_version=None)
    assert_year_end_changes_match_intervals()
    for update in (logged[2], logged[5]):
        services.withdraw_update(
            update=ProgressUpdate.objects.get(pk=update.pk), user=people.reviewer, expected_version=None, reason="test"
        )
        assert_year_end_changes_match_intervals()
    # The bulk refresh of imports: every interval of the pairs written anew, the rows kept as they were.
    with transaction.atomic():
        services.refresh_current_statuses(
            actor_ids=[kenya.pk, mexico.pk], recommendation_ids=[policy.pk, remittances.pk]
        )
    assert_year_end_changes_match_intervals()
    # The repair tools recompute them, even after they drifted (as a write outside the services would leave them).
    YearEndChange.objects.update(starts=0, ends=0)
    rebuild_current_statuses()
    assert_year_end_changes_match_intervals()
    with transaction.atomic():
        YearEndChange.objects.filter(track="").delete()
        rebuild_status_intervals()
        YearEndChange.objects.exclude(track="").delete()
        rebuild_tracks()
    assert_year_end_changes_match_intervals()
