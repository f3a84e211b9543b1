"""Each perspective's own current status and status intervals: PerspectiveStatus, PerspectiveInterval.

CurrentStatus and StatusInterval are the consolidated track (the latest verified update from any perspective);
these keep one track per (actor, item, perspective), with the same columns, kept by
``services.refresh_current_status`` in the same transaction. Reports read them when a ``perspective`` filter
is given (``reports.scope``), never the history.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .actors import Actor
from .current_status import CurrentStatus
from .intervals import StatusIntervalQuerySet
from .items import Recommendation
from .progress import ProgressUpdate
from .vocabulary import ActorKind, DatePrecision, Kind, Perspective, Status, _status_matches_kind


class PerspectiveStatus(models.Model):
    """The latest counted update of one perspective per (actor, item)."""

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="+")
    perspective = models.CharField(max_length=30, choices=Perspective.choices)
    update = models.OneToOneField(ProgressUpdate, on_delete=models.PROTECT, related_name="perspective_current_for")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    as_of = models.DateField()
    as_of_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    has_evidence = models.BooleanField(default=False)
    evidence_urls = models.JSONField(default=list, blank=True)
    reported_by_organization = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    COPIED_FROM_UPDATE = CurrentStatus.COPIED_FROM_UPDATE

    class Meta:
        verbose_name_plural = _("perspective statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "recommendation", "perspective"], name="one_status_per_pair_perspective"
            ),
            models.CheckConstraint(condition=_status_matches_kind(), name="perspective_status_on_kind_scale"),
        ]
        indexes = [
            models.Index(fields=["perspective", "recommendation", "status"], name="perspective_item_status"),
        ]

    def __str__(self):
        return f"{self.actor_id} · {self.recommendation_id} ({self.perspective}): {self.status}"


class PerspectiveInterval(models.Model):
    """One perspective's status of a pair over a span of dates (as StatusInterval, per perspective)."""

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="+")
    perspective = models.CharField(max_length=30, choices=Perspective.choices)
    update = models.ForeignKey(ProgressUpdate, on_delete=models.PROTECT, related_name="perspective_intervals")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
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
    # The pair has two or more perspective tracks (``services.perspectives.tracks_from_history``): only such a
    # pair's perspectives can disagree on any date, so the disagreement count on a date reads only these
    # intervals (migration 0029's partial indexes; 7,836 of 258,096 pairs at 1M benchmark updates).
    several_perspectives = models.BooleanField(db_default=False)

    objects = StatusIntervalQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "recommendation", "perspective", "valid_from"], name="one_interval_per_track_day"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="perspective_interval_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["perspective", "recommendation", "valid_from"], name="perspective_item_from"),
        ]
        # On PostgreSQL a GiST index on daterange(valid_from, valid_to) (migration 0016) answers ``on(day)``,
        # a partial one holds the intervals the over-time chart reads (migration 0023: ``crossing_year_ends``),
        # and two over the interval tree's fork find the intervals holding on a date for the
        # perspectives' disagreement on that date (migration 0025, ``reports.scope.disagreement_sql``; since
        # migration 0029 over the intervals of the pairs with several perspectives only).

    def __str__(self):
        return f"{self.actor_id} · {self.recommendation_id} ({self.perspective}): {self.status} from {self.valid_from}"
