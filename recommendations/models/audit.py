"""The audit trail (AuditEvent) and the record of data corrections the seed applied (DataCorrection)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGGED = "logged", _("Logged an update")
    EDITED = "edited", _("Edited an update")
    VERIFIED = "verified", _("Verified an update")
    RETURNED = "returned", _("Returned an update")
    WITHDRAWN = "withdrawn", _("Withdrew an update")
    IMPORTED = "imported", _("Imported updates")
    IMPORT_SUBMITTED = "import_submitted", _("Sent an import for review")
    IMPORT_RETURNED = "import_returned", _("Returned an import")
    THEMES_MERGED = "themes_merged", _("Merged themes")
    INVITED = "invited", _("Invited a user")
    ADMIN_ADDED = "admin_added", _("Added in the admin")
    ADMIN_CHANGED = "admin_changed", _("Changed in the admin")
    ADMIN_DELETED = "admin_deleted", _("Deleted in the admin")
    TOKEN_CREATED = "token_created", _("Created an API token")
    TOKEN_REVOKED = "token_revoked", _("Revoked an API token")


class AuditEvent(models.Model):
    """Who did what, when: one row per write. Append-only; nothing updates or deletes these rows."""

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True, help_text=_("Kept if the account is later removed."))
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
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
        verbose_name = _("data correction")
        verbose_name_plural = _("data corrections")
        ordering = ["applied_at", "pk"]

    def __str__(self):
        return self.name
