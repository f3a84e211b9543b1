"""The synthetic data generator: realistic, deterministic, consistent, and never mixed with real data."""

import datetime
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from recommendations.models import Actor, CurrentStatus, ProgressUpdate, ReviewState, Status

from .factories import record

pytestmark = pytest.mark.django_db


def fingerprint():
    return sorted(ProgressUpdate.objects.values_list("actor__code", "recommendation__code", "status", "as_of", "state"))


def test_generated_current_statuses_equal_a_recomputation_from_history():
    call_command("generate_benchmark_data", updates=1500, organizations=30, seed=7, verbosity=0)
    assert ProgressUpdate.objects.count() == 1500
    assert Actor.objects.filter(is_synthetic=True, name__startswith="Synthetic organization").count() == 30
    expected = ProgressUpdate.objects.latest_per_pair()
    table = {(c.actor_id, c.recommendation_id): c.update_id for c in CurrentStatus.objects.all()}
    assert table == expected and table
    for row in CurrentStatus.objects.select_related("update")[:200]:
        for field, source in CurrentStatus.COPIED_FROM_UPDATE.items():
            assert getattr(row, field) == getattr(row.update, source), field


def test_generated_updates_declare_perspectives_and_their_tracks_are_kept():
    from recommendations.models import Perspective, PerspectiveStatus

    call_command("generate_benchmark_data", updates=1500, organizations=30, seed=7, verbosity=0)
    perspectives = Counter(ProgressUpdate.objects.values_list("perspective", flat=True))
    assert set(perspectives) <= set(Perspective.values)  # never the empty string a bare COPY would write
    assert perspectives[Perspective.GOVERNMENT] and perspectives[Perspective.CIVIL_SOCIETY]
    # Each track's status is its perspective's latest counted update, as the services keep it.
    expected = {}
    for update in ProgressUpdate.objects.counted().oldest_first():
        expected[(update.actor_id, update.recommendation_id, update.perspective)] = update.pk
    table = {
        (a, i, p): u
        for a, i, p, u in PerspectiveStatus.objects.values_list(
            "actor_id", "recommendation_id", "perspective", "update_id"
        )
    }
    assert table == expected
    assert len(table) > CurrentStatus.objects.count()  # some pairs have more than one track


def test_generated_data_has_a_realistic_shape():
    call_command("generate_benchmark_data", updates=3000, organizations=40, seed=3, verbosity=0)
    states = Counter(ProgressUpdate.objects.values_list("state", flat=True))
    assert 0.7 < states[ReviewState.VERIFIED] / 3000 < 0.9
    per_item = Counter(ProgressUpdate.objects.values_list("recommendation_id", flat=True))
    top = sum(n for _, n in per_item.most_common(10))
    assert top > 3000 * 0.3  # a few popular items get many of the updates
    per_pair = Counter(ProgressUpdate.objects.values_list("actor_id", "recommendation_id"))
    sizes = Counter(min(n, 6) for n in per_pair.values())
    assert sum(sizes[n] for n in range(1, 6)) / len(per_pair) > 0.6  # most pairs have 1–5 updates
    assert max(per_pair.values()) >= 12  # some have many
    years = {d.year for d in ProgressUpdate.objects.values_list("as_of", flat=True)}
    assert min(years) == 2006 and max(years) >= datetime.date.today().year - 1
    assert not ProgressUpdate.objects.filter(kind="ratification", actor_kind="organization").exists()
    assert all(
        name.startswith("Synthetic organization")
        for name in Actor.objects.filter(is_synthetic=True).values_list("name", flat=True)
    )


def test_same_seed_same_data():
    with transaction.atomic():
        call_command(
            "generate_benchmark_data",
            updates=400,
            organizations=10,
            seed=11,
            until=datetime.date(2025, 1, 1),
            verbosity=0,
        )
        first = fingerprint()
        transaction.set_rollback(True)
    call_command(
        "generate_benchmark_data", updates=400, organizations=10, seed=11, until=datetime.date(2025, 1, 1), verbosity=0
    )
    assert fingerprint() == first


def test_refuses_a_database_with_real_updates(item, country):
    record(actor=country("KEN"), recommendation=item("policy"), status=Status.LIMITED, as_of=datetime.date(2020, 1, 1))
    with pytest.raises(CommandError, match="holds 1 real progress updates"):
        call_command("generate_benchmark_data", updates=10, organizations=2, verbosity=0)
    assert ProgressUpdate.objects.count() == 1


def pairs_of_generated():
    return set(ProgressUpdate.objects.values_list("actor__code", "recommendation__code").distinct())


def test_depth_knob_keeps_the_same_pairs_and_deepens_their_history():
    with transaction.atomic():
        call_command("generate_benchmark_data", pairs=60, updates=120, organizations=5, seed=2, verbosity=0)
        shallow = pairs_of_generated()
        transaction.set_rollback(True)
    call_command("generate_benchmark_data", pairs=60, updates_per_pair=8, organizations=5, seed=2, verbosity=0)
    assert ProgressUpdate.objects.count() == 480
    assert pairs_of_generated() == shallow and len(shallow) == 60
    per_pair = Counter(ProgressUpdate.objects.values_list("actor_id", "recommendation_id"))
    assert min(per_pair.values()) >= 1 and max(per_pair.values()) > 8  # still skewed around the mean


@pytest.mark.parametrize(
    "options, message",
    [
        # What once ran forever: more updates than the pairs of 2 organizations hold at the usual depth.
        ({"updates": 200_000, "organizations": 2}, "possible pairs"),
        ({"pairs": 10_000_000, "updates": 20_000_000, "organizations": 2}, "is more than the"),
        ({"pairs": 50, "updates": 10, "organizations": 2}, "cannot cover 50 pairs"),
        ({"updates_per_pair": 3, "organizations": 2}, "needs --pairs"),
        ({"organizations": 2}, "Say how many updates"),
        ({"pairs": 5, "updates": 10, "updates_per_pair": 2, "organizations": 2}, "not both"),
        ({"updates": 0, "organizations": 2}, "must be positive"),
    ],
)
def test_refuses_a_request_it_cannot_meet_with_a_message(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_benchmark_data", verbosity=0, **options)
    assert not ProgressUpdate.objects.exists() and not Actor.objects.filter(is_synthetic=True).exists()


def test_every_possible_pair_can_be_asked_for():
    from recommendations.management.commands.generate_benchmark_data import possible_pairs
    from recommendations.models import Recommendation

    everything = possible_pairs(list(Recommendation.objects.all()), Actor.objects.countries().count(), 2)
    call_command("generate_benchmark_data", pairs=everything, updates=everything, organizations=2, verbosity=0)
    assert len(pairs_of_generated()) == everything == ProgressUpdate.objects.count()


def loaded_schema():
    """The secondary indexes, constraints and their definitions of the tables the generator fills (PostgreSQL)."""
    from recommendations.management.commands.generate_benchmark_data import LOADED

    tables = [model._meta.db_table for model in LOADED]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        constraints = set(cursor.fetchall())
    return indexes, constraints


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk load drops indexes on PostgreSQL only")
def test_the_load_drops_indexes_and_foreign_keys_and_makes_them_again_checked(item, country):
    from recommendations.management.commands.generate_benchmark_data import LOADED, drop_for_load

    indexes, constraints = loaded_schema()
    with transaction.atomic():
        rebuild = drop_for_load(LOADED)
        during_indexes, during_constraints = loaded_schema()
        # Dropped: every foreign key and every index no constraint owns; kept: primary keys, unique and checks.
        assert {c for c in during_constraints if c[2] == "f"} == set()
        assert {c for c in constraints if c[2] != "f"} == during_constraints
        assert len(during_indexes) < len(indexes) and all("UNIQUE" in d for _, d in during_indexes)
        # The foreign keys come back checked: a row pointing nowhere stops the rebuild.
        record(
            actor=country("KEN"), recommendation=item("policy"), status=Status.LIMITED, as_of=datetime.date(2020, 1, 1)
        )
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE recommendations_progressupdate SET reported_by_organization_id = 987654321")
            for statement in rebuild:
                cursor.execute(statement)
        with connection.cursor() as cursor:
            for statement in rebuild:
                cursor.execute(statement)
        assert loaded_schema() == (indexes, constraints)
        transaction.set_rollback(True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk load drops indexes on PostgreSQL only")
def test_the_generator_leaves_every_index_and_foreign_key_as_the_migrations_made_them():
    before = loaded_schema()
    call_command("generate_benchmark_data", updates=600, organizations=8, seed=5, verbosity=0)
    assert loaded_schema() == before
