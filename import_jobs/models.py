"""An import's work on the background worker: its preview, then its confirmation, with progress and result.

One ``ImportJob`` per import batch. It says what the worker is doing
(``phase``: checking the file, or writing it) and how far it is
(``rows_done`` of ``rows_total``, ``heartbeat_at``), and keeps what the
importer needs afterwards under "My imports": the stored plan (rows to
create, already present, rejected with reasons) and the error of a failed
run. The rows themselves are written by ``recommendations.services`` in one
transaction, so a run that dies leaves nothing half-written and is simply
run again.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recommendations.models import ImportBatch


class Phase(models.TextChoices):
    PREVIEW = "preview", _("Checking the file")
    CONFIRM = "confirm", _("Importing")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    batch = models.OneToOneField(ImportBatch, on_delete=models.CASCADE, related_name="job")
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.PREVIEW)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who started this phase: the importer, or the second reviewer who confirms.",
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0, help_text="Runs of this phase (a retry adds one).")
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the running task.")
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the last run stopped (shown to the importer).")
    refused = models.BooleanField(
        default=False, help_text="The service refused (rules, permissions): a retry would change nothing."
    )
    plan = models.JSONField(default=dict, blank=True, help_text="The preview's plan, as shown (see plans.py).")

    class Meta:
        ordering = ["-queued_at"]

    def __str__(self):
        return f"{self.get_phase_display()} {self.batch_id}: {self.get_state_display()}"
