"""CurrentStatus: the latest counted update per (actor, item)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .actors import Actor
from .items import Recommendation
from .progress import ProgressUpdate
from .vocabulary import ActorKind, DatePrecision, Kind, Perspective, Status, _status_matches_kind


class CurrentStatus(models.Model):
    """The latest counted update per (actor, item).

    A read model kept in step with ProgressUpdate by
    ``services.refresh_current_status`` inside the same transaction as every
    write, so reports never scan the history.
    """

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="current_statuses")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="current_statuses")
    update = models.OneToOneField(ProgressUpdate, on_delete=models.PROTECT, related_name="current_for")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    as_of = models.DateField()
    # The rest of what reports and exports show, copied so that they never
    # read the history table (a million rows) to list current statuses.
    as_of_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    has_evidence = models.BooleanField(default=False)
    evidence_urls = models.JSONField(default=list, blank=True)
    reported_by_organization = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    perspective = models.CharField(max_length=30, choices=Perspective.choices, help_text=_("Who says so."))
    # Whether the pair's perspectives' current statuses differ (``services.perspectives.statuses_disagree``),
    # kept with the per-perspective statuses so that the summary's count and the "disagree" filter read one
    # column instead of probing the per-perspective table per row (docs/performance-notes.md).
    perspectives_disagree = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(auto_now=True)

    # Each copied field and the ProgressUpdate field it comes from.
    COPIED_FROM_UPDATE = {
        "kind": "kind",
        "actor_kind": "actor_kind",
        "status": "status",
        "as_of": "as_of",
        "as_of_precision": "as_of_precision",
        "value": "value",
        "has_evidence": "has_evidence",
        "evidence_urls": "evidence_urls",
        "reported_by_organization_id": "reported_by_organization_id",
        "verified_at": "reviewed_at",
        "perspective": "perspective",
    }

    class Meta:
        verbose_name_plural = _("current statuses")
        constraints = [
            models.UniqueConstraint(fields=["actor", "recommendation"], name="one_current_status_per_pair"),
            models.CheckConstraint(condition=_status_matches_kind(), name="current_status_on_kind_scale"),
            models.CheckConstraint(
                condition=~Q(kind=Kind.RATIFICATION, actor_kind=ActorKind.ORGANIZATION),
                name="current_ratification_by_country_only",
            ),
        ]
        indexes = [
            models.Index(fields=["recommendation", "status"], name="current_item_status"),
            models.Index(fields=["status"], name="current_status"),
            models.Index(fields=["-as_of"], name="current_as_of"),  # the home page's latest status date
            # The few disagreeing pairs (about 1 % at 1M updates), for the summary's count and the filter.
            models.Index(
                fields=["recommendation", "actor"], condition=Q(perspectives_disagree=True), name="current_disagreeing"
            ),
        ]

    def __str__(self):
        return f"{self.actor} · {self.recommendation.code}: {self.get_status_display()}"
