"""The audit trail (AuditEvent) and the record of data corrections the seed applied (DataCorrection)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    LOGGED = "logged", "Logged an update"
    EDITED = "edited", "Edited an update"
    VERIFIED = "verified", "Verified an update"
    RETURNED = "returned", "Returned an update"
    WITHDRAWN = "withdrawn", "Withdrew an update"
    IMPORTED = "imported", "Imported updates"
    IMPORT_SUBMITTED = "import_submitted", "Sent an import for review"
    IMPORT_RETURNED = "import_returned", "Returned an import"
    THEMES_MERGED = "themes_merged", "Merged themes"
    INVITED = "invited", "Invited a user"
    ADMIN_ADDED = "admin_added", "Added in the admin"
    ADMIN_CHANGED = "admin_changed", "Changed in the admin"
    ADMIN_DELETED = "admin_deleted", "Deleted in the admin"
    TOKEN_CREATED = "token_created", "Created an API token"
    TOKEN_REVOKED = "token_revoked", "Revoked an API token"


class AuditEvent(models.Model):
    """Who did what, when: one row per write. Append-only; nothing updates or deletes these rows."""

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True, help_text="Kept if the account is later removed.")
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="audit_recent"),
            models.Index(fields=["action", "-at"], name="audit_action_recent"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or 'system'}: {self.get_action_display()} {self.object_repr}"


class DataCorrection(models.Model):
    """A named correction of seeded data (fixtures/corrections.json), applied once by ``manage.py seed``.

    Its presence means the correction ran on this database; ``outcome``
    lists what it changed and what it left alone because editors had
    changed it in the admin.
    """

    name = models.CharField(max_length=100, unique=True)
    reason = models.TextField()
    applied_at = models.DateTimeField(default=timezone.now)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["applied_at", "pk"]

    def __str__(self):
        return self.name
