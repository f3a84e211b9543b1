"""A bulk review: many updates verified or returned in one action, each through the single action's service.

``BulkReview`` is the reviewer's request (what, with which reason, on which
selection); ``BulkReviewItem`` holds one selected update and, once it has
been processed, its outcome: done, or refused and why. Processing an item
and recording its outcome happen in one transaction, so a job that is
stopped and run again resumes where it was and does nothing twice.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recommendations.models import ProgressUpdate


class Decision(models.TextChoices):
    VERIFY = "verify", _("Verify")
    RETURN = "return", _("Return")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Outcome(models.TextChoices):
    WAITING = "waiting", _("Not yet processed")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


class BulkReview(models.Model):
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="Its page's address.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bulk_reviews")
    submission_token = models.UUIDField(help_text="The form's token: a repeated submission finds this job.")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True, help_text="The one reason given to every returned update.")
    query = models.TextField(blank=True, help_text="The queue's filters when “all matching” was chosen.")
    all_matching = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "submission_token"], name="one_bulk_review_per_submission"),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} {self.total} updates ({self.get_state_display()})"


class BulkReviewItem(models.Model):
    job = models.ForeignKey(BulkReview, on_delete=models.CASCADE, related_name="items")
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="+")
    expected_version = models.PositiveIntegerField(help_text="The version the reviewer saw (or selected).")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.WAITING)
    message = models.TextField(blank=True, help_text="Why it was refused.")
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["job", "update"], name="bulk_review_update_once")]
        indexes = [models.Index(fields=["job", "outcome"], name="bulk_review_item_outcome")]

    def __str__(self):
        return f"update {self.update_id}: {self.get_outcome_display()}"
