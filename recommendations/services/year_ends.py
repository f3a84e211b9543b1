"""The over-time chart's changes kept per item (``YearEndChange``), from the status intervals they count.

The intervals stay the definition: a row is how many of an item's intervals that hold at a year end
(``StatusIntervalQuerySet.crossing_year_ends``) begin, and end, in a year, per track, status and value. Every
service that writes intervals adds the difference it made here, in its transaction (``add_interval_changes``); the
bulk rebuilds recompute the rows from the intervals (``rebuild_year_end_changes``); the nightly compaction merges the
rows a key gathers while writers overlap and drops those at zero (``compact_year_end_changes``).
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import ExtractYear

from ..models import PerspectiveInterval, StatusInterval, YearEndChange
from ..models.intervals import crosses_a_year_end, year_of

CONSOLIDATED = YearEndChange.CONSOLIDATED
# A row's key (the index of migration 0032): the rows of one key are summed.
KEY_COLUMNS = ("recommendation_id", "track", "year", "status", "measured", "value")


class Changes:
    """Increments of YearEndChange rows: key (item, track, year, status, measured, value) -> [starts, ends]."""

    def __init__(self):
        self.rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])

    def add(self, *, recommendation_id, track, valid_from, valid_to, status, value, sign: int = 1, n: int = 1):
        """Count (``sign`` 1) or take back (-1) ``n`` intervals from ``valid_from`` to ``valid_to``: only those
        that hold at a year end (``crosses_a_year_end``, the rule of ``crossing_year_ends``) change a row."""
        if not crosses_a_year_end(valid_from, valid_to):
            return
        start, end = year_of(valid_from), year_of(valid_to) if valid_to is not None else None
        measured = value is not None
        value = Decimal(value) if measured else Decimal(0)
        self.rows[(recommendation_id, track, start, status, measured, value)][0] += sign * n
        if end is not None:
            self.rows[(recommendation_id, track, end, status, measured, value)][1] += sign * n

    def add_interval(self, interval, *, track: str, sign: int = 1):
        """An interval object or a dict with its columns."""
        get = interval.get if isinstance(interval, dict) else lambda name: getattr(interval, name)
        self.add(
            recommendation_id=get("recommendation_id"),
            track=track,
            valid_from=get("valid_from"),
            valid_to=get("valid_to"),
            status=get("status"),
            value=get("value"),
            sign=sign,
        )

    def add_stored(self, intervals, *, sign: int = -1) -> None:
        """The crossing intervals of a queryset of StatusInterval or PerspectiveInterval, grouped in the database."""
        for row in grouped_crossing(intervals):
            self.add(**row, sign=sign)


def grouped_crossing(intervals) -> list[dict]:
    """The crossing intervals of ``intervals`` grouped by item, track, status, value and years, one read."""
    per_perspective = intervals.model is PerspectiveInterval
    columns = ["recommendation_id", "status", "value", *(["perspective"] if per_perspective else [])]
    grouped = (
        intervals.crossing_year_ends()
        .order_by()
        .values(*columns, start=ExtractYear("valid_from"), end=ExtractYear("valid_to"))
        .annotate(n=Count("*"))
    )
    return [
        {
            "recommendation_id": row["recommendation_id"],
            "track": row["perspective"] if per_perspective else CONSOLIDATED,
            "valid_from": row["start"],
            "valid_to": row["end"],
            "status": row["status"],
            "value": row["value"],
            "n": row["n"],
        }
        for row in grouped
    ]


def add_interval_changes(changes: Changes) -> None:
    """Add ``changes`` to the stored rows, in the writing transaction, without waiting on another writer.

    Every pair of an item adds to the same rows, so a row is a hot spot shared across actors: locked until its
    writer commits, a writer that then locked another actor (a bulk review, an import's next chunk) could
    deadlock with one holding that actor and waiting for the row. So each change goes to one of its key's rows
    that no other transaction holds (``FOR UPDATE SKIP LOCKED``), or to a new row: a key gets a second row only when
    writers overlap on it, the readers sum a key's rows, and ``compact_year_end_changes`` (nightly) and the
    rebuilds merge them back. One statement per 500 keys. SQLite serialises writers: there a unique index on the
    key takes an upsert.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("add_interval_changes must run inside the writing transaction")
    rows = sorted((key, counts) for key, counts in changes.rows.items() if counts[0] or counts[1])
    if not rows:
        return
    table = connection.ops.quote_name(YearEndChange._meta.db_table)
    value_field = YearEndChange._meta.get_field("value")
    columns = ", ".join(KEY_COLUMNS)
    same_key = " AND ".join(f"t.{c} = d.{c}" for c in KEY_COLUMNS)
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        params = []
        for (item, track, year, status, measured, value), (starts, ends) in batch:
            params += [item, track, year, status, measured, value_field.get_db_prep_save(value, connection)]
            params += [starts, ends]
        with connection.cursor() as cursor:
            # Only the model's table and column names go into the statements; the values are parameters.
            if connection.vendor == "postgresql":
                values = ", ".join(["(%s, %s, %s::int, %s, %s::boolean, %s::numeric, %s::int, %s::int)"] * len(batch))
                cursor.execute(
                    f"WITH d ({columns}, starts, ends) AS (VALUES {values}), "  # noqa: S608  # nosec B608
                    f"picked AS (SELECT d.*, p.id FROM d LEFT JOIN LATERAL (SELECT t.id FROM {table} t "
                    f"WHERE {same_key} LIMIT 1 FOR UPDATE SKIP LOCKED) p ON TRUE), "
                    f"added AS (UPDATE {table} t SET starts = t.starts + picked.starts, ends = t.ends + picked.ends "
                    f"FROM picked WHERE t.id = picked.id) "
                    f"INSERT INTO {table} ({columns}, starts, ends) "
                    f"SELECT {columns}, starts, ends FROM picked WHERE id IS NULL",
                    params,
                )
                continue
            # SQLite (one writer at a time): an upsert on the unique index migration 0032 makes there only.
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}, starts, ends) VALUES {values} "  # noqa: S608  # nosec B608
                f"ON CONFLICT ({columns}) DO UPDATE SET starts = starts + excluded.starts, ends = ends + excluded.ends",
                params,
            )


def rebuild_year_end_changes(*, perspectives: bool) -> None:
    """Recompute the rows of the consolidated track (or, ``perspectives``, of every perspective's) from the
    intervals: one grouped read of their crossing intervals (bulk rebuilds, after the intervals are written)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("rebuild_year_end_changes must run inside a transaction")
    rows = YearEndChange.objects.all()
    (rows.exclude(track=CONSOLIDATED) if perspectives else rows.filter(track=CONSOLIDATED)).delete()
    changes = Changes()
    changes.add_stored((PerspectiveInterval if perspectives else StatusInterval).objects.all(), sign=1)
    YearEndChange.objects.bulk_create(
        [
            YearEndChange(
                recommendation_id=item,
                track=track,
                year=year,
                status=status,
                measured=measured,
                value=value,
                starts=starts,
                ends=ends,
            )
            for (item, track, year, status, measured, value), (starts, ends) in sorted(changes.rows.items())
            if starts or ends
        ],
        batch_size=2000,
    )


def compact_year_end_changes(*, items_per_read: int = 100, rows_per_batch: int = 2000) -> dict:
    """Merge each key's rows into one and drop the rows that count nothing, while writers go on: the only place
    the table is compacted (the nightly task ``alerts.compact_year_end_changes`` and ``manage.py
    compact_year_end_changes`` call it). Returns plain figures: ``keys`` merged, ``merged`` rows deleted into
    another row of their key, ``dropped`` rows deleted because their key's rows summed to zero, ``skipped`` rows
    left because a writer held them (or had deleted them) when their batch came, ``rows`` left in the table.

    Why no count is lost or doubled, and no writer waits (PostgreSQL, READ COMMITTED):

    - The candidate rows (of keys with several rows, and rows at zero) are found first, without locks, per
      ``items_per_read`` items. Then each batch (whole keys, about ``rows_per_batch`` rows) is one transaction:
      it locks its candidates with ``FOR UPDATE SKIP LOCKED`` and works only on the rows it got. A row it gets
      is the newest committed version (the lock follows a row updated since the candidate read), and nobody
      can change it until the batch commits, so the sum it computes is exact.
    - It changes nothing but rows it holds: the key's lowest id takes the sum of the held rows, the others are
      deleted; if the held rows sum to zero, all of them are deleted. Each key's sum over all its rows is the
      same before and after; the readers see either state, never a mix (one commit).
    - A row a writer holds (its increment not yet committed) is skipped, never read or written: the writer's
      change lands in it when the writer commits, untouched by the merge (reported as ``skipped``; the next run
      merges it). A row a writer inserts during the batch is not a candidate: left for the next run.
    - Writers (``add_interval_changes``) pick a row with ``SKIP LOCKED`` too: a row the batch holds is passed
      over (another row of the key, or a new one, takes the change), so a writer never waits for the batch; one
      that picked a row the batch then deleted finds it gone when it locks (READ COMMITTED skips it) and inserts.
      And the batch never waits for a writer: it locks nothing it would wait for, and the update and delete
      touch only rows it holds.
    - Rows at zero count nothing for the readers, which sum a key's rows (and leave out sums at zero), so
      dropping them changes no chart, and no cached chart (``chart_cache``) needs a new version.

    Concurrent runs skip each other's rows in the same way. SQLite (writers take turns, one row per key under
    the unique index of 0032): only the rows at zero are dropped; ``select_for_update`` does nothing there.
    """
    figures = {"keys": 0, "merged": 0, "dropped": 0, "skipped": 0}
    items = list(
        YearEndChange.objects.order_by("recommendation_id").values_list("recommendation_id", flat=True).distinct()
    )
    for first in range(0, len(items), items_per_read):
        chunk = items[first : first + items_per_read]
        # Candidates, read without locks: the rows of keys with several rows, and rows at zero.
        candidates = (
            YearEndChange.objects.filter(recommendation_id__in=chunk)
            .annotate(rows=Window(Count("id"), partition_by=[F(column) for column in KEY_COLUMNS]))
            .filter(Q(rows__gt=1) | Q(starts=0, ends=0))
            .order_by()
            .values_list("id", *KEY_COLUMNS)
        )
        per_key: dict[tuple, list[int]] = defaultdict(list)
        for row_id, *key in candidates:
            per_key[tuple(key)].append(row_id)
        ids = []
        for key in sorted(per_key):
            ids += per_key[key]
            if len(ids) >= rows_per_batch:
                _compact_batch(ids, figures)
                ids = []
        if ids:
            _compact_batch(ids, figures)
    figures["rows"] = YearEndChange.objects.count()
    return figures


def _compact_batch(ids: list[int], figures: dict) -> None:
    """One transaction: lock the rows of ``ids`` that no one holds, merge them per key, drop the keys at zero."""
    with transaction.atomic():
        per_key: dict[tuple, list[tuple[int, int, int]]] = defaultdict(list)
        got = 0
        ids = sorted(ids)
        for first in range(0, len(ids), 5000):  # a key that gathered very many rows: bounded statements
            held = (
                YearEndChange.objects.select_for_update(skip_locked=True)
                .filter(id__in=ids[first : first + 5000])
                .order_by("id")
                .values_list("id", *KEY_COLUMNS, "starts", "ends")
            )
            for row_id, *key, starts, ends in held:
                per_key[tuple(key)].append((row_id, starts, ends))
                got += 1
        figures["skipped"] += len(ids) - got
        sums, deleted = [], []
        for rows in per_key.values():
            starts, ends = sum(r[1] for r in rows), sum(r[2] for r in rows)
            if not starts and not ends:
                deleted += [r[0] for r in rows]
                figures["dropped"] += len(rows)
                continue
            if len(rows) > 1:
                keeper, *others = rows  # the lowest id (ordered above)
                sums.append((keeper[0], starts, ends))
                deleted += [r[0] for r in others]
                figures["keys"] += 1
                figures["merged"] += len(others)
        # Two statements per 500 rows, on rows this transaction holds (the ORM's bulk_update and delete spent
        # ~40 s of Python on 150,000 rows where the statements took ~5 s).
        table = connection.ops.quote_name(YearEndChange._meta.db_table)
        with connection.cursor() as cursor:
            for first in range(0, len(sums), 500):
                batch = sums[first : first + 500]
                cursor.execute(
                    f"WITH v (id, starts, ends) AS (VALUES {', '.join(['(%s, %s, %s)'] * len(batch))}) "  # noqa: S608  # nosec B608 - names only
                    f"UPDATE {table} SET starts = v.starts, ends = v.ends FROM v WHERE {table}.id = v.id",
                    [number for row in batch for number in row],
                )
            for first in range(0, len(deleted), 500):
                batch = deleted[first : first + 500]
                cursor.execute(
                    f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(batch))})",  # noqa: S608  # nosec B608
                    batch,
                )
