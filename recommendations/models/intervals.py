"""StatusInterval: a pair's status history as spans of dates."""

from django.db import connection, models
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from .actors import Actor
from .current_status import CurrentStatus
from .items import Recommendation
from .progress import ProgressUpdate
from .vocabulary import ActorKind, DatePrecision, Kind, Perspective, Status


def year_of(day) -> int:
    """The year of a date, or a year already (the grouped reads give ``ExtractYear``'s integers)."""
    return day if isinstance(day, int) else day.year


def crosses_a_year_end(valid_from, valid_to) -> bool:
    """The rule of ``crossing_year_ends`` for one interval from ``valid_from`` until ``valid_to`` (excluded; None:
    still open), as dates or years: it holds at the end of some year unless it begins and ends in the same year.

    Why: it holds on 31 December of year Y when it began by then and ends after it, in Y + 1 or later; an end is
    never before the start, so that is some year exactly when the end's year differs from the start's. The
    queryset verb states it in SQL (the partial indexes' predicate); the Python callers
    (``services.year_ends.Changes``) ask this function; tests/test_history_chart.py checks both agree.
    """
    return valid_to is None or year_of(valid_from) != year_of(valid_to)


class StatusIntervalQuerySet(models.QuerySet):
    def on(self, day):
        """The interval of each pair that holds on ``day``: at most one per pair (and, later, per perspective).

        The definition. On PostgreSQL the reports read the same intervals through the interval tree of
        migration 0014 (``reports.scope._held_on_sql``), which reads only the intervals holding on the day.
        """
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))

    def crossing_year_ends(self):
        """The intervals that hold at the end of some year: still open, or ending in a later year than they began
        (the rule is ``crosses_a_year_end``, stated here in SQL for the database to apply).

        The only ones a year-end count can see (``reports.history_by_year``): one that begins and ends within a
        year adds and takes away the same pair in that year. A pair's chain has at most one per year end (plus
        its open one), however many updates a year it gets.
        """
        # On PostgreSQL the condition is, word for word, the predicate of the partial indexes of migration 0023:
        # the planner uses a partial index only for a query that states its predicate. SQLite applies it to what
        # it reads.
        table = connection.ops.quote_name(self.model._meta.db_table)
        start, end = f"{table}.valid_from", f"{table}.valid_to"
        if connection.vendor == "postgresql":
            start, end = f"EXTRACT(YEAR FROM {start})", f"EXTRACT(YEAR FROM {end})"
        else:  # dates stored as ISO text: the year is its first four characters
            start, end = f"SUBSTR({start}, 1, 4)", f"SUBSTR({end}, 1, 4)"
        condition = f"({table}.valid_to IS NULL OR {start} <> {end})"
        return self.filter(RawSQL(condition, [], output_field=BooleanField()))  # noqa: S611  # nosec B611 - names only


class StatusInterval(models.Model):
    """The verified status of a pair over a span of dates: from ``valid_from`` until ``valid_to`` (excluded).

    The history of CurrentStatus: for each as-of date on which a pair has a verified update, the
    update that wins on that date (the last entry) holds until the next such date; the last interval
    is open (``valid_to`` NULL) and is the current status. A snapshot on a date reads one interval per
    pair through an index, however deep the history. Kept by ``services.refresh_current_status``
    in the same transaction as CurrentStatus; ``ProgressUpdate.objects.latest_per_pair`` and a replay
    of the history stay the definition it is checked against.

    When statuses get perspectives (who says so), a ``perspective`` column joins the pair in the
    unique constraint and the indexes; a pair then has one chain of intervals per perspective.
    """

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="+")
    update = models.ForeignKey(ProgressUpdate, on_delete=models.PROTECT, related_name="intervals")
    valid_from = models.DateField(help_text=_("The winning update's as-of date."))
    valid_to = models.DateField(
        null=True, blank=True, help_text=_("The next as-of date of the pair; empty: still holds.")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    as_of_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    has_evidence = models.BooleanField(default=False)
    evidence_urls = models.JSONField(default=list, blank=True)
    reported_by_organization = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    perspective = models.CharField(max_length=30, choices=Perspective.choices, help_text=_("Who says so."))

    # Each copied field and the ProgressUpdate field it comes from (valid_from is the as-of date).
    COPIED_FROM_UPDATE = {
        **{field: source for field, source in CurrentStatus.COPIED_FROM_UPDATE.items() if field != "as_of"},
        "valid_from": "as_of",
    }

    objects = StatusIntervalQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "recommendation", "valid_from"], name="one_interval_per_pair_day"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")), name="interval_ends_after_start"
            ),
        ]
        indexes = [
            # One item's snapshot: its intervals that began by the date.
            models.Index(fields=["recommendation", "valid_from"], name="interval_item_from"),
        ]
        # On PostgreSQL two covering btree indexes over the interval tree's fork (migration 0014) find
        # the intervals holding on a date (reports.scope._held_on_sql); two partial ones hold the intervals
        # the over-time chart reads (migration 0023): ``crossing_year_ends`` by item and by actor.

    def __str__(self):
        return f"{self.actor_id} · {self.recommendation_id}: {self.status} from {self.valid_from} to {self.valid_to}"


class YearEndChange(models.Model):
    """How many of an item's intervals that hold at a year end begin, and end, in a year: the over-time chart's
    changes kept per item (issue 21).

    For one track (``track``: "" the consolidated one, StatusInterval; else a perspective's, PerspectiveInterval),
    status and value (``measured``: the interval has a value, then ``value``; else ``value`` is 0), ``starts`` is
    how many intervals ``crossing_year_ends`` selects begin in ``year`` and ``ends`` how many of them end in it.
    The chart of a scope that names items only (``reports.history_by_year``) sums these rows of its items: a
    few hundred rows, however deep the history, where the intervals were ~20 per pair at 10M updates.

    The intervals stay the definition: the services that write them (``services.year_ends``) add each pair's
    difference here in the same transaction, as increments, and the bulk rebuilds recompute the rows from them.
    A row can fall back to zero: it counts nothing. A key can have several rows (their sum counts) while writers
    overlap; the nightly ``services.compact_year_end_changes`` merges them into one and drops the rows at zero.
    """

    CONSOLIDATED = ""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    track = models.CharField(max_length=30, blank=True, help_text=_("Empty: the consolidated track."))
    year = models.IntegerField()
    status = models.CharField(max_length=20, choices=Status.choices)
    measured = models.BooleanField(default=False)
    value = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    starts = models.IntegerField(default=0)
    ends = models.IntegerField(default=0)

    class Meta:
        indexes = [
            # The writers find a key's row through it; not unique: while two writers overlap, the second adds its
            # change in a row of its own rather than wait (``services.year_ends.add_interval_changes``).
            models.Index(
                fields=["recommendation", "track", "year", "status", "measured", "value"], name="year_end_key"
            ),
        ]

    def __str__(self):
        return f"{self.recommendation_id} {self.track or '-'} {self.year} {self.status}: +{self.starts} -{self.ends}"
