"""The current-status table and the status intervals, kept from the verified history."""

import datetime
import time

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ..chart_cache import bump_history_version
from ..models import Actor, CurrentStatus, PerspectiveInterval, PerspectiveStatus, ProgressUpdate, StatusInterval
from ..models.progress import latest_first_sql
from .perspectives import (
    INTERVAL_KEY,
    INTERVAL_REST,
    disagreement_fill_sql,
    several_perspectives_fill_sql,
    stored_intervals,
    write_tracks,
)
from .year_ends import CONSOLIDATED, Changes, add_interval_changes, rebuild_year_end_changes


def refresh_current_status(*, actor_id: int, recommendation_id: int) -> None:
    """Make the pair's CurrentStatus row and its status intervals match its counted updates.

    Must run inside the transaction that changed the pair's history. It locks
    the actor row first, so two writers on the same actor take turns and the
    second one reads what the first committed (READ COMMITTED re-reads per
    statement); on SQLite the write transaction already serialises writers.
    One read of the pair's verified history gives both the latest update and
    the intervals; only the intervals that changed are written.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("refresh_current_status must run inside the writing transaction")
    list(Actor.objects.select_for_update().filter(pk=actor_id).values_list("pk"))
    bump_history_version()  # the over-time chart's cached results, on commit
    copied = CurrentStatus.COPIED_FROM_UPDATE
    history = list(
        ProgressUpdate.objects.counted()
        .filter(actor_id=actor_id, recommendation_id=recommendation_id)
        .oldest_first()
        .only("pk", "actor_id", "recommendation_id", *copied.values())
    )
    pair, pair_q = (actor_id, recommendation_id), Q(actor_id=actor_id, recommendation_id=recommendation_id)
    stored, stored_tracks = stored_intervals(pair_q)  # both tables' intervals in one read
    changes = Changes()  # both tracks' changes to the chart's rows kept per item, added in one statement
    _write_intervals({pair: history}, replace=False, stored_rows=stored, changes=changes)
    flags = write_tracks({pair: history}, pair_q, stored_rows=stored_tracks, changes=changes)
    add_interval_changes(changes)
    rows = CurrentStatus.objects.filter(actor_id=actor_id, recommendation_id=recommendation_id)
    if not history:
        rows.delete()
        return None
    latest = history[-1]
    values = {
        "update": latest,
        "perspectives_disagree": flags[pair],
        "refreshed_at": timezone.now(),
        **{field: getattr(latest, source) for field, source in copied.items()},
    }
    # An UPDATE, and an INSERT only for a pair's first status (update_or_create read the row first).
    if not rows.update(**values):
        CurrentStatus.objects.create(actor_id=actor_id, recommendation_id=recommendation_id, **values)


def intervals_from_history(history: list[ProgressUpdate]) -> list[StatusInterval]:
    """A pair's status intervals from its counted updates in (as-of, entry time, id) order.

    On each as-of date the last entry wins; it holds until the pair's next
    as-of date, and the last one stays open (``valid_to`` None).
    """
    winners: dict[datetime.date, ProgressUpdate] = {}
    for update in history:
        winners[update.as_of] = update
    days = list(winners)
    return [
        StatusInterval(
            actor_id=update.actor_id,
            recommendation_id=update.recommendation_id,
            update_id=update.pk,
            valid_to=days[n + 1] if n + 1 < len(days) else None,
            **{field: getattr(update, source) for field, source in StatusInterval.COPIED_FROM_UPDATE.items()},
        )
        for n, update in enumerate(winners.values())
    ]


def _write_intervals(
    histories: dict[tuple[int, int], list[ProgressUpdate]],
    *,
    replace: bool,
    stored_rows: list | None = None,
    changes: Changes | None = None,
) -> None:
    """Store the intervals of each pair given with its history (an empty history: the pair has none).

    ``replace``: delete every interval of those pairs and write them anew (bulk
    refreshes); otherwise read the stored ones (or take ``stored_rows``, from ``stored_intervals``) and write
    only the difference. The chart's rows kept per item follow (``year_ends``): added to ``changes`` if given
    (the caller adds them), else here.
    """
    wanted = {pair: intervals_from_history(history) for pair, history in histories.items()}
    pairs_q = Q()
    for actor_id, recommendation_id in histories:
        pairs_q |= Q(actor_id=actor_id, recommendation_id=recommendation_id)
    if not histories:
        return
    new = [interval for intervals in wanted.values() for interval in intervals]
    if stored_rows is None:
        stored_rows = StatusInterval.objects.filter(pairs_q).values_list("pk", *INTERVAL_KEY, *INTERVAL_REST)
    named = [dict(zip(("pk", *INTERVAL_KEY, *INTERVAL_REST), row, strict=True)) for row in stored_rows]
    own = changes is None
    changes = Changes() if own else changes
    if not replace:
        stored = {
            (n["actor_id"], n["recommendation_id"], n["valid_from"], n["valid_to"], n["update_id"]): n for n in named
        }
        keys = {(n.actor_id, n.recommendation_id, n.valid_from, n.valid_to, n.update_id) for n in new}
        stale = [row for key, row in stored.items() if key not in keys]
        new = [n for n in new if (n.actor_id, n.recommendation_id, n.valid_from, n.valid_to, n.update_id) not in stored]
        if stale:
            StatusInterval.objects.filter(pk__in=[row["pk"] for row in stale]).delete()
    else:
        stale = named
        StatusInterval.objects.filter(pairs_q).delete()
    for row in stale:
        changes.add_interval(row, track=CONSOLIDATED, sign=-1)
    for interval in new:
        changes.add_interval(interval, track=CONSOLIDATED)
    if own:
        add_interval_changes(changes)
    if new:
        StatusInterval.objects.bulk_create(new, batch_size=2000)


def refresh_current_statuses(*, actor_ids, recommendation_ids) -> None:
    """Recompute the current status and the intervals of every (actor, item) pair in a cross product, in bulk.

    For writes that touch many pairs at once (imports). Must run inside the
    writing transaction; locks the actors in id order, like the one-pair refresh.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("refresh_current_statuses must run inside the writing transaction")
    bump_history_version()  # the over-time chart's cached results, on commit
    copied = CurrentStatus.COPIED_FROM_UPDATE
    actor_ids, recommendation_ids = sorted(set(actor_ids)), sorted(set(recommendation_ids))
    for start in range(0, len(actor_ids), 50):  # 50 actors at a time: bounded memory
        chunk = actor_ids[start : start + 50]
        list(Actor.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk"))
        histories: dict[tuple[int, int], list[ProgressUpdate]] = {}
        rows = (
            ProgressUpdate.objects.counted()
            .filter(actor_id__in=chunk, recommendation_id__in=recommendation_ids)
            .oldest_first("actor_id", "recommendation_id")
            .only("pk", "actor_id", "recommendation_id", *copied.values())
        )
        for update in rows.iterator(chunk_size=5000):
            histories.setdefault((update.actor_id, update.recommendation_id), []).append(update)
        changes = Changes()  # the chart's rows kept per item: the replaced intervals out, the new ones in
        flags = write_tracks(
            histories, Q(actor_id__in=chunk, recommendation_id__in=recommendation_ids), changes=changes
        )
        replaced = StatusInterval.objects.filter(actor_id__in=chunk, recommendation_id__in=recommendation_ids)
        intervals = [interval for history in histories.values() for interval in intervals_from_history(history)]
        changes.add_stored(replaced, sign=-1)
        for interval in intervals:
            changes.add_interval(interval, track=CONSOLIDATED)
        add_interval_changes(changes)
        replaced.delete()
        StatusInterval.objects.bulk_create(intervals, batch_size=2000)
        CurrentStatus.objects.filter(actor_id__in=chunk, recommendation_id__in=recommendation_ids).delete()
        CurrentStatus.objects.bulk_create(
            [
                CurrentStatus(
                    actor_id=u.actor_id,
                    recommendation_id=u.recommendation_id,
                    update_id=u.pk,
                    perspectives_disagree=flags[pair],
                    **{field: getattr(u, source) for field, source in copied.items()},
                )
                for pair, u in ((pair, history[-1]) for pair, history in histories.items())
            ],
            batch_size=2000,
        )


@transaction.atomic
def rebuild_current_statuses(*, timings: dict | None = None) -> int:
    """Recompute the whole current-status table and the status intervals from history (repair tool).

    Three tables, one statement each: the status intervals (``rebuild_status_intervals``), then each pair's
    current status as its open interval (``open_intervals_sql``: the interval of its last as-of date, whose winner
    is its latest counted update — ``latest_per_pair`` stays the definition the tests compare it with), then the
    perspective tracks. Reading the latest update of every pair into Python instead took 150 s of a 1M-update
    generation and grew with the history. ``timings``, if given, receives the seconds each table took (the
    benchmark generator prints them).
    """
    started = time.monotonic()
    rebuild_status_intervals()
    lap = time.monotonic()
    laps = {"status intervals": lap - started}
    CurrentStatus.objects.all().delete()
    with connection.cursor() as cursor:
        sql, params = open_intervals_sql(CurrentStatus, StatusInterval)
        cursor.execute(sql, params)
        written = cursor.rowcount
    laps["current statuses"] = time.monotonic() - lap
    lap = time.monotonic()
    rebuild_tracks()
    laps["perspective tracks"] = time.monotonic() - lap
    if timings is not None:
        timings.update(laps)
    return written


def rebuild_tracks() -> None:
    """Recompute every perspective's statuses and intervals from the verified history (repair tool).

    Two statements, as ``rebuild_status_intervals``: each track's intervals (``status_intervals_sql`` with the
    perspective in every partition), then each track's open interval as its current status, then the intervals'
    several-perspectives marker (``several_perspectives_fill_sql``) and the current
    statuses' disagreement flags (``disagreement_fill_sql``). Reading the
    history into Python instead held a million updates in memory and wrote a million rows through the ORM.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("rebuild_tracks must run inside a transaction")
    bump_history_version()  # the over-time chart's cached results, on commit
    PerspectiveInterval.objects.all().delete()
    PerspectiveStatus.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            status_intervals_sql(
                PerspectiveInterval._meta.db_table, ProgressUpdate._meta.db_table, per_perspective=True
            )
        )
        cursor.execute(*open_intervals_sql(PerspectiveStatus, PerspectiveInterval))
        cursor.execute(several_perspectives_fill_sql())  # the intervals were inserted unmarked (db_default)
        rebuild_year_end_changes(perspectives=True)
        # The flags follow the tracks (rows rebuilt before them start unflagged).
        CurrentStatus.objects.filter(perspectives_disagree=True).update(perspectives_disagree=False)
        cursor.execute(disagreement_fill_sql())


def status_intervals_sql(intervals_table: str, updates_table: str, *, per_perspective: bool = False) -> str:
    """One INSERT … SELECT writing every pair's intervals from the verified history, on either database.

    The same definition as ``intervals_from_history``: per (pair, as-of date)
    the last entry (ROW_NUMBER), ending where the pair's next date begins (LEAD).
    ``per_perspective``: one chain per (pair, perspective), the tracks of ``tracks_from_history``
    (PerspectiveInterval has the same columns).
    """
    fields = StatusInterval.COPIED_FROM_UPDATE
    sources = ", ".join(f"w.{ProgressUpdate._meta.get_field(s).column}" for s in fields.values())
    targets = ", ".join(StatusInterval._meta.get_field(f.removesuffix("_id")).column for f in fields)
    track = "w.actor_id, w.recommendation_id" + (", w.perspective" if per_perspective else "")
    # Only the columns read below go through the sort, not the whole row (u.*: the narrative and the rest only
    # widened a sort of every verified update).
    needed = ["id", "actor_id", "recommendation_id", "perspective", "as_of", "created_at"]
    needed += [c for c in (ProgressUpdate._meta.get_field(s).column for s in fields.values()) if c not in needed]
    read = ", ".join(f"u.{column}" for column in needed)
    # Only model table and column names go into it, no values.
    return (
        f"INSERT INTO {intervals_table} (actor_id, recommendation_id, update_id, valid_to, {targets}) "  # noqa: S608  # nosec B608
        "SELECT w.actor_id, w.recommendation_id, w.id, "
        f"LEAD(w.as_of) OVER (PARTITION BY {track} ORDER BY w.as_of), "
        f"{sources} FROM (SELECT {read}, ROW_NUMBER() OVER (PARTITION BY {track.replace('w.', 'u.')}, u.as_of "
        f"ORDER BY {latest_first_sql('u', same_day=True)}) AS day_rank "
        f"FROM {updates_table} u WHERE u.state = 'verified') w "
        "WHERE w.day_rank = 1"
    )


def open_intervals_sql(status_model, interval_model) -> tuple[str, list]:
    """One INSERT … SELECT writing each chain's status: its open interval (its latest counted update).

    ``status_model`` CurrentStatus from StatusInterval (one chain per pair), or PerspectiveStatus from
    PerspectiveInterval (one per track).
    """
    fields = status_model.COPIED_FROM_UPDATE
    targets = [status_model._meta.get_field(f.removesuffix("_id")).column for f in fields]
    # The interval's columns under the status's names: as_of is where the open interval starts.
    sources = [
        interval_model._meta.get_field("valid_from" if f == "as_of" else f.removesuffix("_id")).column for f in fields
    ]
    # The status's own columns: refreshed now, and unflagged until the tracks are compared (disagreement_fill_sql).
    own = {"refreshed_at": timezone.now(), "perspectives_disagree": False}
    params = []
    for field in status_model._meta.concrete_fields:
        if field.name in own:
            targets.append(field.column)
            sources.append("%s")
            params.append(own[field.name])
    statuses, intervals = status_model._meta.db_table, interval_model._meta.db_table
    # Only model table and column names go into it, no values.
    sql = (
        f"INSERT INTO {statuses} (actor_id, recommendation_id, update_id, {', '.join(targets)}) "  # noqa: S608  # nosec B608
        f"SELECT actor_id, recommendation_id, update_id, {', '.join(sources)} FROM {intervals} WHERE valid_to IS NULL"
    )
    return sql, params


def rebuild_status_intervals() -> int:
    """Recompute every status interval from the verified history in one statement; returns how many there are."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("rebuild_status_intervals must run inside a transaction")
    bump_history_version()  # the over-time chart's cached results, on commit
    StatusInterval.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(status_intervals_sql(StatusInterval._meta.db_table, ProgressUpdate._meta.db_table))
    rebuild_year_end_changes(perspectives=False)
    return StatusInterval.objects.count()
