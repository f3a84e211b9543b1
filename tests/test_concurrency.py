"""Eight threads log, verify and withdraw at once: no deadlock, only the intended conflicts, a consistent table."""

import datetime
import random
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from recommendations import services
from recommendations.models import CurrentStatus, ProgressUpdate, Recommendation

from .factories import EVIDENCE, NARRATIVE, record
from .test_current_status import assert_year_end_changes_match_intervals

THREADS = 8
STEPS = 25
INTENDED = (
    "Someone else changed this update",  # stale version or state: refused, nothing written
    "A second reviewer must",
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_log_verify_withdraw(seeded_transactional_db, people, country):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; the concurrency guarantees are PostgreSQL's")
    # A few pairs shared by everyone (contention) and one pair per thread (no contention).
    shared = [(country("KEN"), Recommendation.objects.get(code=code)) for code in ("R02", "R56")]
    shared.append((country("MEX"), Recommendation.objects.get(code="R56")))
    own = [
        (country(iso3), Recommendation.objects.get(code="R57"))
        for iso3 in ("GHA", "SEN", "PHL", "IND", "BRA", "ZAF", "NPL", "PER")
    ]
    reporters = [people.reporter_a, people.reporter_b]
    organizations = {people.reporter_a.pk: people.org_a, people.reporter_b.pk: people.org_b}
    reviewers = [people.reviewer, people.reviewer2]
    unexpected, refused, barrier = [], [], threading.Barrier(THREADS)

    def work(index):
        rng = random.Random(index)
        try:
            barrier.wait()
            for _ in range(STEPS):
                actor, item = rng.choice(shared) if rng.random() < 0.7 else own[index]
                operation = rng.choice(["log", "log", "verify", "withdraw"])
                try:
                    if operation == "log":
                        reporter = rng.choice(reporters)
                        status = item.scale[rng.randrange(len(item.scale))]
                        services.log_progress(
                            actor=actor,
                            recommendation=item,
                            status=status,
                            as_of=datetime.date(2010 + rng.randrange(15), 1 + rng.randrange(12), 1),
                            narrative=NARRATIVE,
                            evidence_urls=EVIDENCE,
                            organization=organizations[reporter.pk],
                            user=reporter,
                            verified=False,
                        )
                        continue
                    candidates = list(
                        ProgressUpdate.objects.filter(actor=actor, recommendation=item).values_list("pk", "version")
                    )
                    if not candidates:
                        continue
                    pk, version = rng.choice(candidates)
                    update = ProgressUpdate.objects.get(pk=pk)
                    if operation == "verify":
                        services.verify_update(update=update, reviewer=rng.choice(reviewers), expected_version=version)
                    else:
                        services.withdraw_update(
                            update=update,
                            user=rng.choice(reviewers),
                            expected_version=version,
                            reason="concurrency test",
                        )
                except (ValidationError, PermissionDenied) as error:
                    message = " ".join(getattr(error, "messages", [str(error)]))
                    if any(text in message for text in INTENDED):
                        refused.append(message)
                    else:
                        unexpected.append(f"{operation}: {message}")
        except Exception as error:  # noqa: BLE001 - a deadlock or any other failure is what this test looks for
            unexpected.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    assert not unexpected, unexpected
    assert ProgressUpdate.objects.count() > THREADS * STEPS // 3
    # Afterwards the maintained table equals a recomputation from the history.
    expected = ProgressUpdate.objects.latest_per_pair()
    table = {(c.actor_id, c.recommendation_id): c for c in CurrentStatus.objects.all()}
    assert {pair: row.update_id for pair, row in table.items()} == expected
    for row in table.values():
        update = ProgressUpdate.objects.get(pk=row.update_id)
        assert (row.status, row.as_of, row.verified_at) == (update.status, update.as_of, update.reviewed_at)
    assert ProgressUpdate.objects.filter(state="verified").exists()
    # And the chart's rows kept per item, which writers on KEN's and MEX's R56 shared, sum to the intervals' counts.
    assert_year_end_changes_match_intervals()
    print(f"{ProgressUpdate.objects.count()} updates, {len(refused)} intended refusals")


@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_another_on_the_rows_kept_per_item(seeded_transactional_db, country):
    """Writers on two actors of one item add to the same YearEndChange keys: the second takes a row of its own
    instead of waiting (a wait there, after locking its actor, could close a deadlock with a bulk review)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; row locks are PostgreSQL's")
    from django.db import transaction

    from recommendations.models import YearEndChange

    item = Recommendation.objects.get(code="R56")
    record(actor=country("KEN"), recommendation=item, status="limited", as_of=datetime.date(2012, 1, 1))
    locked, release, failures = threading.Event(), threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                list(YearEndChange.objects.select_for_update().filter(recommendation=item))
                locked.set()
                release.wait(30)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(30)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")  # a wait fails the write instead of hanging
            record(actor=country("MEX"), recommendation=item, status="limited", as_of=datetime.date(2012, 1, 1))
    finally:
        release.set()
        holder.join(30)
    assert not failures, failures
    keys = list(YearEndChange.objects.filter(recommendation=item).values_list("track", "year", "status"))
    assert len(keys) > len(set(keys))  # the second writer's own rows, beside the locked ones
    assert_year_end_changes_match_intervals()
