"""A request to take part, as someone sent it from /take-part/, and what an editor did with it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recommendations.models import Actor, ActorKind


class RequestState(models.TextChoices):
    NEW = "new", _("New")
    INVITED = "invited", _("Invited")
    DECLINED = "declined", _("Declined")


class ParticipationRequest(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    organization_name = models.CharField(_("organization"), max_length=200)
    country = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": ActorKind.COUNTRY},
        help_text=_("Where they work."),
    )
    reporting_on = models.TextField(_("what they would report on"), max_length=2000)
    # The language of the page the request was sent from: the invitation is written in it. Empty for the
    # requests sent before it was recorded (their invitation goes out in the editor's).
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=RequestState.choices, default=RequestState.NEW)
    # Set by an editor: the tracker's organization the person will report for (the invitation needs one).
    organization = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participation_requests",
        limit_choices_to={"kind": ActorKind.ORGANIZATION},
        help_text=_("The tracker's organization they will report for (create it first if it is new)."),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    invited_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("participation request")
        verbose_name_plural = _("participation requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "-created_at"])]

    def __str__(self):
        return f"{self.name} ({self.organization_name})"
