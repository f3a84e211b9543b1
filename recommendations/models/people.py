"""People and the organizations they file for: Membership, and how a page names a person."""

from django.conf import settings
from django.db import models

from .actors import Actor
from .base import History
from .vocabulary import ActorKind


class Membership(models.Model):
    """A user works for an organization and may file updates on its behalf."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to={"kind": ActorKind.ORGANIZATION},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_once")]

    def __str__(self):
        return f"{self.user} @ {self.organization}"


def public_name(user, organization: "Actor | None" = None) -> str:
    """How a page names a person: their display name, else their organization; never a username or address.

    Accounts are created with the email address as the username, so neither may be shown. A display name
    that is itself an address is not shown either. ``organization`` is the one the person acted for (an
    update's reporting organization); without it, the first of their organizations by name. Uses
    prefetched ``memberships__organization`` when present (a list of names costs no query per row).
    """
    if user is None:
        return ""
    name = user.get_full_name().strip()
    if name and "@" not in name:
        return name
    if organization is None:
        prefetched = getattr(user, "_prefetched_objects_cache", {})
        if "memberships" in prefetched:
            names = sorted(m.organization.name for m in prefetched["memberships"])
            return names[0] if names else "tracker staff"
        organization = Actor.objects.filter(memberships__user=user).order_by("name").only("name").first()
    return organization.name if organization is not None else "tracker staff"
