"""The over-time chart's changes kept per item (``YearEndChange``), from the status intervals they count.

The intervals stay the definition: a row is how many of an item's intervals that hold at a year end
(``StatusIntervalQuerySet.crossing_year_ends``) begin, and end, in a year, per track, status and value. Every
service that writes intervals adds the difference it made here, in its transaction (``add_interval_changes``); the
bulk rebuilds recompute the rows from the intervals (``rebuild_year_end_changes``).
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count
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
    writers overlap on it, the readers sum a key's rows, and ``rebuild_year_end_changes`` merges them back. One
    statement per 500 keys. SQLite serialises writers: there a unique index on the key takes an upsert.
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
