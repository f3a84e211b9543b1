"""The compaction of the chart's rows kept per item (YearEndChange): one row per key, the sums kept, beside writers.

``services.compact_year_end_changes`` merges each key's rows (several while writers overlapped) and drops the rows
at zero. The table afterwards equals a recomputation (``rebuild_year_end_changes``) row for row; on PostgreSQL,
writers and the compaction never wait for one another and no count is lost or doubled.
"""

import datetime
import io
import random
import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from recommendations import services
from recommendations.models import Kind, ProgressUpdate, Recommendation, Status, YearEndChange

from .factories import record
from .test_current_status import assert_year_end_changes_match_intervals, kept_year_end_changes

KEY = ("recommendation_id", "track", "year", "status", "measured", "value")


def stored_rows() -> list[tuple]:
    """Every row as (key, starts, ends), without its id: one entry per row, so two rows of a key show."""
    return sorted(YearEndChange.objects.values_list(*KEY, "starts", "ends"))


def recomputed_rows() -> list[tuple]:
    """The rows the bulk rebuild writes from the intervals (one per key, none at zero), rolled back."""
    with transaction.atomic():
        services.rebuild_year_end_changes(perspectives=False)
        services.rebuild_year_end_changes(perspectives=True)
        rows = stored_rows()
        transaction.set_rollback(True)
    return rows


def split_rows(queryset) -> int:
    """What overlapping writers leave (PostgreSQL only: SQLite's unique key allows one row a key): each row's
    counts spread over three rows of its key, one of them at zero. Returns the rows added."""
    added = []
    for row in queryset:
        row.starts, row.ends = row.starts - 2, row.ends + 1
        row.save(update_fields=["starts", "ends"])
        fields = {column: getattr(row, column) for column in KEY}
        added += [YearEndChange(**fields, starts=2, ends=-1), YearEndChange(**fields, starts=0, ends=0)]
    YearEndChange.objects.bulk_create(added)
    return len(added)


def a_history(item, country, people):
    """A few pairs' histories, with withdrawals (keys that come back to zero) and measured values."""
    kenya, mexico, policy, remittances = country("KEN"), country("MEX"), item(Kind.POLICY), item(Kind.QUANTITATIVE)
    logged = [
        record(actor=kenya, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 3, 1)),
        record(actor=kenya, recommendation=policy, status=Status.COMPLETE, as_of=datetime.date(2013, 3, 1)),
        record(actor=mexico, recommendation=policy, status=Status.SUBSTANTIAL, as_of=datetime.date(2011, 6, 1)),
        record(actor=mexico, recommendation=remittances, value=Decimal("4.2"), as_of=datetime.date(2009, 1, 1)),
        record(actor=mexico, recommendation=remittances, value=Decimal("8.5"), as_of=datetime.date(2012, 1, 1)),
    ]
    for update in (logged[1], logged[4]):
        services.withdraw_update(
            update=ProgressUpdate.objects.get(pk=update.pk), user=people.reviewer, expected_version=None, reason="test"
        )
    return policy


@pytest.mark.django_db
def test_compaction_leaves_the_rows_a_recomputation_writes(item, country, people):
    policy = a_history(item, country, people)
    # A key at zero that no interval counts (a row left by a change taken back), on either database.
    YearEndChange.objects.create(
        recommendation=policy, track="", year=1999, status=Status.LIMITED, measured=False, value=0
    )
    zero_before = YearEndChange.objects.filter(starts=0, ends=0).count()
    split = split_rows(YearEndChange.objects.exclude(starts=0, ends=0)) if connection.vendor == "postgresql" else 0
    rows_before = YearEndChange.objects.count()
    sums = kept_year_end_changes()
    assert rows_before > len(sums)  # something to merge or drop

    done = services.compact_year_end_changes(items_per_read=1, rows_per_batch=4)  # several reads and batches

    assert kept_year_end_changes() == sums
    assert stored_rows() == recomputed_rows()  # one row a key, none at zero: what the rebuild writes
    assert_year_end_changes_match_intervals()
    # Each split key: its two added rows merged (their zero one included); the keys at zero dropped.
    assert done == {
        "keys": split // 2,
        "merged": split,
        "dropped": zero_before,
        "skipped": 0,
        "rows": rows_before - split - zero_before,
    }
    assert done["rows"] == YearEndChange.objects.count() == len(sums)
    # A second run has nothing left to do.
    assert services.compact_year_end_changes() == {**done, "keys": 0, "merged": 0, "dropped": 0}


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer and keeps one row a key; row locks are PostgreSQL's")


def set_lock_timeout(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, false)", [value])  # this session: a wait fails


@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_the_compaction(seeded_transactional_db, country):
    """While a compaction's batch holds a key's rows, a writer on that key adds its change to a new row at once;
    nothing is lost and the next run merges it."""
    postgresql_only()
    item = Recommendation.objects.get(code="R56")
    record(actor=country("KEN"), recommendation=item, status="limited", as_of=datetime.date(2012, 1, 1))
    split_rows(YearEndChange.objects.filter(recommendation=item))
    held, release, failures, figures = threading.Event(), threading.Event(), [], []

    def compact_and_hold():
        try:
            with transaction.atomic():  # the batches' locks held until this commits
                figures.append(services.compact_year_end_changes())
                held.set()
                release.wait(30)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    holder = threading.Thread(target=compact_and_hold)
    holder.start()
    assert held.wait(30), failures
    assert figures[0]["merged"] > 0
    set_lock_timeout("3s")
    try:
        began = time.monotonic()
        record(actor=country("MEX"), recommendation=item, status="limited", as_of=datetime.date(2012, 1, 1))
        waited = time.monotonic() - began
    finally:
        set_lock_timeout("0")
        release.set()
        holder.join(30)
    assert not failures, failures
    assert waited < 2, waited
    assert_year_end_changes_match_intervals()
    keys = list(YearEndChange.objects.filter(recommendation=item).values_list(*KEY))
    assert len(keys) > len(set(keys))  # the writer's own rows beside the merged ones
    services.compact_year_end_changes()
    assert stored_rows() == recomputed_rows()


@pytest.mark.django_db(transaction=True)
def test_the_compaction_does_not_wait_for_a_writer(seeded_transactional_db, country):
    """A writer holds some of a key's rows with its increment not yet committed: the compaction skips them
    without waiting, merges the rest, and the writer's change lands once it commits."""
    postgresql_only()
    item = Recommendation.objects.get(code="R56")
    record(actor=country("KEN"), recommendation=item, status="limited", as_of=datetime.date(2012, 1, 1))
    split_rows(YearEndChange.objects.filter(recommendation=item))
    holding, release, failures = threading.Event(), threading.Event(), []

    def write_and_hold():
        try:
            with transaction.atomic():  # the writer's increments (to rows it locked) not yet committed
                record(actor=country("MEX"), recommendation=item, status="limited", as_of=datetime.date(2012, 1, 1))
                holding.set()
                release.wait(30)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=write_and_hold)
    writer.start()
    assert holding.wait(30), failures
    set_lock_timeout("3s")
    try:
        began = time.monotonic()
        done = services.compact_year_end_changes()
        waited = time.monotonic() - began
    finally:
        set_lock_timeout("0")
        release.set()
        writer.join(30)
    assert not failures, failures
    assert waited < 2, waited
    assert done["skipped"] > 0 and done["merged"] > 0
    assert_year_end_changes_match_intervals()  # the writer's change kept, nothing counted twice
    services.compact_year_end_changes()
    assert stored_rows() == recomputed_rows()


WRITERS = 6
STEPS = 15


@pytest.mark.django_db(transaction=True)
def test_compaction_beside_concurrent_writers(seeded_transactional_db, country):
    """Writers log on shared items while a compaction runs over and over: no writer is ever blocked by the
    compaction (sampled from pg_blocking_pids), the compaction never waits (lock_timeout), and afterwards the
    rows sum to the intervals' counts and one more run leaves what a recomputation writes."""
    postgresql_only()
    items = [Recommendation.objects.get(code=code) for code in ("R02", "R56")]
    actors = [country(iso3) for iso3 in ("KEN", "MEX", "GHA", "SEN", "PHL", "IND")]
    for index, actor in enumerate(actors):
        target = items[index % 2]
        record(actor=actor, recommendation=target, status=target.scale[1], as_of=datetime.date(2011, 1, 1))
    split_rows(YearEndChange.objects.all())
    errors, runs, blocked, compactor_pid = [], [], [], []
    writing_done, started = threading.Event(), threading.Barrier(WRITERS + 1)

    def write(index):
        rng = random.Random(index)
        try:
            started.wait()
            for _ in range(STEPS):
                item = rng.choice(items)
                record(
                    actor=actors[index],
                    recommendation=item,
                    status=item.scale[rng.randrange(len(item.scale))],
                    as_of=datetime.date(2010 + rng.randrange(15), 1 + rng.randrange(12), 1),
                )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(f"writer: {type(error).__name__}: {error}")
        finally:
            connection.close()

    def compact():
        try:
            set_lock_timeout("2s")  # the compaction must never wait: a wait fails it
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                compactor_pid.append(cursor.fetchone()[0])
            started.wait()
            while not writing_done.is_set():
                runs.append(services.compact_year_end_changes())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(f"compaction: {type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    compactor = threading.Thread(target=compact)
    for thread in [*threads, compactor]:
        thread.start()
    with connection.cursor() as cursor:  # whom each waiting backend waits for, while the threads run
        while any(thread.is_alive() for thread in threads):
            if compactor_pid:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [compactor_pid[0]]
                )
                blocked.append(cursor.fetchone()[0])
            time.sleep(0.01)
    writing_done.set()
    for thread in [*threads, compactor]:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in [*threads, compactor]), "a thread is stuck"
    assert not errors, errors
    assert runs and sum(run["merged"] for run in runs) > 0
    assert blocked and not any(blocked), "a writer waited for the compaction"
    assert_year_end_changes_match_intervals()
    services.compact_year_end_changes()
    assert stored_rows() == recomputed_rows()


@pytest.mark.django_db
def test_the_compaction_is_scheduled_nightly_and_its_task_runs(item):
    from django_celery_beat.models import PeriodicTask

    from alerts.tasks import compact_year_end_changes

    task = PeriodicTask.objects.get(task="alerts.compact_year_end_changes")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("3", "45")
    YearEndChange.objects.create(
        recommendation=item(Kind.POLICY), track="", year=1999, status=Status.LIMITED, measured=False, value=0
    )
    assert compact_year_end_changes() == {"keys": 0, "merged": 0, "dropped": 1, "skipped": 0, "rows": 0}
    assert not YearEndChange.objects.exists()


@pytest.mark.django_db
def test_the_command_prints_what_it_merged(item, country):
    policy = item(Kind.POLICY)
    record(actor=country("KEN"), recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 3, 1))
    YearEndChange.objects.create(recommendation=policy, track="", year=1999, status=Status.LIMITED, value=0)
    rows = YearEndChange.objects.count()
    split = split_rows(YearEndChange.objects.filter(year=2010)) if connection.vendor == "postgresql" else 0
    out = io.StringIO()
    call_command("compact_year_end_changes", stdout=out)
    assert out.getvalue().strip() == (
        f"Year-end changes: merged {split} rows into {split // 2} keys, dropped 1 rows at zero, "
        f"skipped 0 rows held by writers; {rows - 1} rows left."
    )
