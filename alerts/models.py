"""Follows, notifications, digests, reporting cycles and background jobs.

Nothing here listens to signals: what changed is computed from the
recommendations app's data (review times, states) by ``services.py``, run
by the tasks in ``tasks.py``.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recommendations.models import Actor, ActorKind, ProgressUpdate, Recommendation, Theme
from recommendations.models.base import History


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately (within a few minutes)")
    DAILY = "daily", _("Once a day")
    WEEKLY = "weekly", _("Once a week (Mondays)")
    NEVER = "never", _("Never")


DEFAULT_FREQUENCY = Frequency.DAILY


class Preference(models.Model):
    """How often a person hears from the tracker. No row means the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference")
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=DEFAULT_FREQUENCY)
    follow_own_reports = models.BooleanField(
        _("follow what my organizations report on"),
        default=True,
        help_text=_("Hear about every country and item your organizations have filed updates on."),
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # The language the person's digests are written in: the one of the page where they last saved their email
    # settings or followed something (the worker has no request to take it from).
    language = models.CharField(
        _("language of emails"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"


class FollowQuerySet(models.QuerySet):
    def of_target(self, target):
        return self.filter(**{Follow.field_for(target): target})


class Follow(models.Model):
    """A person follows one item, one country or organization, or one theme."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    recommendation = models.ForeignKey(
        Recommendation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=Q(recommendation__isnull=False, actor__isnull=True, theme__isnull=True)
                | Q(recommendation__isnull=True, actor__isnull=False, theme__isnull=True)
                | Q(recommendation__isnull=True, actor__isnull=True, theme__isnull=False),
                name="follow_one_target",
            ),
            models.UniqueConstraint(fields=["user", "recommendation"], name="follow_item_once"),
            models.UniqueConstraint(fields=["user", "actor"], name="follow_actor_once"),
            models.UniqueConstraint(fields=["user", "theme"], name="follow_theme_once"),
        ]

    def __str__(self):
        return f"{self.user} follows {self.target}"

    @staticmethod
    def field_for(target) -> str:
        for field, model in (("recommendation", Recommendation), ("actor", Actor), ("theme", Theme)):
            if isinstance(target, model):
                return field
        raise TypeError(f"cannot follow a {type(target).__name__}")

    @property
    def target(self):
        return self.recommendation or self.actor or self.theme


class NotificationKind(models.TextChoices):
    FOLLOWED = "followed", _("Verified update on something you follow")
    VERIFIED = "verified", _("Your update was verified")
    RETURNED = "returned", _("Your update was returned")
    CHECK = "check", _("Current-status check found differences")


class Notification(models.Model):
    """One thing a person is told: in the bell, and in their next digest email."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    update = models.ForeignKey(ProgressUpdate, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # When it happened (the review time), part of the key: a second return of one update is news again.
    event_at = models.DateTimeField()
    previous_status = models.CharField(max_length=20, blank=True, help_text="The pair's status before, if any.")
    reason = models.CharField(max_length=200, blank=True, help_text="Why this person hears about it.")
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey("Digest", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-event_at", "-pk"]
        constraints = [
            # Collecting twice (or concurrently) never tells anyone twice.
            models.UniqueConstraint(fields=["user", "kind", "update", "event_at"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["user", "digest"], name="notification_undigested"),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()} ({self.event_at:%Y-%m-%d %H:%M})"


class Digest(models.Model):
    """One digest email for one person and one period, claimed before it is sent.

    The unique (user, period) row is the claim: a second run for the same
    period finds it and stops, and two concurrent runs cannot both create it.
    ``lease_until`` lets a retry take over a digest whose sender died before
    sending it, but never one that another worker is still sending.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(max_length=40, help_text="D2026-11-28 (daily), W2026-48 (weekly), N<id> (immediate).")
    created_at = models.DateTimeField(auto_now_add=True)
    lease_until = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    items = models.PositiveIntegerField(default=0, help_text="Lines in the email; 0 means nothing was sent.")

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="digest_once_per_period")]

    def __str__(self):
        return f"{self.user} {self.period}"


class Watermark(models.Model):
    """How far a periodic job has read (e.g. review times already turned into notifications)."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"


class ReportingCycle(models.Model):
    """How often an item, or an organization's assessments, should be brought up to date."""

    recommendation = models.OneToOneField(
        Recommendation, null=True, blank=True, on_delete=models.CASCADE, related_name="reporting_cycle"
    )
    organization = models.OneToOneField(
        Actor,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reporting_cycle",
        limit_choices_to={"kind": ActorKind.ORGANIZATION},
    )
    months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(120)], help_text="e.g. 12: a new update every year."
    )
    history = History()

    class Meta:
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(recommendation__isnull=False, organization__isnull=True)
                | Q(recommendation__isnull=True, organization__isnull=False),
                name="cycle_for_item_or_organization",
            ),
            models.CheckConstraint(condition=Q(months__gte=1, months__lte=120), name="cycle_months_range"),
        ]

    def __str__(self):
        return f"{self.recommendation or self.organization}: every {self.months} months"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Being built")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """A large export built in the background; anyone with its link can download it."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    format = models.CharField(max_length=10)
    query = models.TextField(blank=True, help_text="The report filters, as in the /reports/ URL.")
    # The requester's language: the worker writes the workbook's "about" sheet (and any error) in it.
    language = models.CharField(max_length=10, default="en")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    file = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["format", "query", "-created_at"], name="export_same_request")]

    def __str__(self):
        return f"{self.format} export {self.token} ({self.state})"


class ConsistencyCheck(models.Model):
    """One run of the current-status check: a sample of pairs recomputed from history."""

    at = models.DateTimeField(auto_now_add=True)
    pairs = models.PositiveIntegerField()
    differences = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("consistency check")
        verbose_name_plural = _("consistency checks")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M}: {self.pairs} pairs, {len(self.differences)} differences"
