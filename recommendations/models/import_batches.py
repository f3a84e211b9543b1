"""ImportBatch: one uploaded spreadsheet from preview to confirmation."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .actors import Actor
from .vocabulary import ActorKind


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded, not yet checked")
    PREVIEWED = "previewed", _("Previewed, awaiting the importer's confirmation")
    AWAITING_REVIEW = "awaiting_review", _("Awaiting a second reviewer")
    CONFIRMED = "confirmed", _("Imported")
    RETURNED = "returned", _("Returned by a reviewer")
    REJECTED = "rejected", _("Refused: the file has errors")
    DISCARDED = "discarded", _("Discarded")


# The states in which an import's stored upload is still needed.
OPEN_IMPORT_STATES = (ImportState.UPLOADED, ImportState.PREVIEWED, ImportState.AWAITING_REVIEW)


class ImportBatchQuerySet(models.QuerySet):
    def awaiting_review(self):
        return self.filter(state=ImportState.AWAITING_REVIEW)

    def open(self):
        return self.filter(state__in=OPEN_IMPORT_STATES)


class ImportBatch(models.Model):
    """One uploaded spreadsheet, from its preview to its confirmation: the unit an import is confirmed as.

    ``services`` moves it through its states under a row lock, so however
    many times it is confirmed at once, its rows are written once. The
    upload is kept in ``file`` (a path in the default storage) only while
    the batch is open; confirmed, returned, refused and discarded batches
    keep their counts and who decided, not the file.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.CharField(max_length=200, blank=True, help_text=_("Path of the stored upload; empty once deleted."))
    filename = models.CharField(max_length=200, help_text=_("The uploader's name for the file (shown, never a path)."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    system_reason = models.CharField(
        max_length=200, blank=True, help_text=_("Set when the tracker itself imports (a public baseline).")
    )
    organization = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": ActorKind.ORGANIZATION},
        help_text=_("Filed on behalf of, for rows that name no organization."),
    )
    verified = models.BooleanField(default=False, help_text=_("Imported as verified: a second reviewer confirms it."))
    source = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=20, choices=ImportState.choices, default=ImportState.UPLOADED)
    error = models.TextField(blank=True, help_text=_("Why the file could not be read."))
    rows = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0, help_text=_("Updates written when it was confirmed."))
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text=_("Confirmed, returned, refused or discarded."))

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="import_state_age"),
            models.Index(fields=["created_by", "-created_at"], name="import_by_person"),
        ]

    def __str__(self):
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def importer_name(self) -> str:
        if self.created_by_id is None:
            return "the tracker (system)"
        return self.created_by.get_full_name() or self.created_by.username
