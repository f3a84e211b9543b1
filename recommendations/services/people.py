"""People: who files for which organization (check_can_file), invitations."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from ..models import Actor, ActorKind, AuditAction, Membership
from .audit import record_event
from .validation import refuse_nul
from .writers import SystemActor


def user_organizations(user):
    return Actor.objects.filter(memberships__user=user).order_by("name")


def organizations_of(user) -> list[Actor]:
    """The organizations a person files for, by name, read once and kept on this user object.

    ``request.user`` lives for one request and comes with them already: the
    backend that loads the logged-in person reads the user, their roles and
    their organizations in one query (``roles.load_person``), so the page, the
    form and ``check_can_file`` ask nothing more. Services called directly
    with a user object do not use a list they did not read.
    """
    cached = getattr(user, "_tracker_organizations", None)
    if cached is None:
        cached = keep_organizations(user, list(user_organizations(user)))
    return cached


def keep_organizations(user, organizations: list[Actor]) -> list[Actor]:
    """Keep this user's organizations, as read for this request, on the user object."""
    user._tracker_organizations = organizations
    return organizations


def cached_organizations(user) -> list[Actor] | None:
    """The list ``organizations_of`` read for this user object in this request, if it did."""
    return getattr(user, "_tracker_organizations", None)


def check_can_file(who, organization: Actor | None, *, memberships: set[int] | None = None) -> None:
    """The one rule on who files for whom, for the form, the import and the commands.

    A person needs the reporter role and files on behalf of an organization
    they belong to — reviewers included. The tracker itself (a SystemActor)
    files for any organization, or none. ``memberships`` (the person's
    organization ids) saves a query per row when many rows are checked.
    """
    if isinstance(who, SystemActor):
        return
    if not who.has_perm("recommendations.log_progress"):
        raise PermissionDenied(_("You do not have the reporter role."))
    if organization is None:
        raise ValidationError({"organization": _("Choose the organization you file this for.")})
    if memberships is None and (known := cached_organizations(who)) is not None:
        memberships = {org.pk for org in known}
    if memberships is not None:
        belongs = organization.pk in memberships
    else:
        belongs = Membership.objects.filter(user=who, organization=organization).exists()
    if not belongs:
        raise ValidationError({"organization": _("You can only file on behalf of an organization you belong to.")})


ROLES = {"reporter": "Reporter", "reviewer": "Reviewer", "editor": "Editor"}  # role → its group's (stored) name
# The roles in words, for the invitation form and email (the group names are data and stay English).
ROLE_LABELS = {
    "reporter": pgettext_lazy("a person's role", "Reporter"),
    "reviewer": pgettext_lazy("a person's role", "Reviewer"),
    "editor": pgettext_lazy("a person's role", "Editor"),
}
LANGUAGES = {code for code, _name in settings.LANGUAGES}


@transaction.atomic
def invite_user(
    *,
    email: str,
    organizations: Iterable[Actor],
    roles: Iterable[str],
    name: str = "",
    invited_by=None,
    base_url: str | None = None,
    language: str | None = None,
) -> tuple:
    """Create an account with no usable password and email a link to set one.

    Returns (user, link). Re-inviting an existing address adds the
    organizations and roles and sends a fresh link. There is no open
    sign-up: this is the only way in besides ``createsuperuser``.
    ``language``: the invitee's (the email and the link's page), remembered as the language of their emails;
    by default the one remembered, else the active one (``invitation_language``).
    """
    refuse_nul(email=email, name=name)
    User = get_user_model()
    email = email.strip().lower()
    errors = {}
    try:
        from django.core.validators import validate_email

        validate_email(email)
    except ValidationError:
        errors["email"] = [_("“%(email)s” is not an email address.") % {"email": email}]
    roles = list(roles)
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        errors["roles"] = [
            _("Roles are %(roles)s; got %(unknown)s.")
            % {"roles": ", ".join(ROLES), "unknown": ", ".join(unknown) or "none"}
        ]
    organizations = list(organizations)
    if any(o.kind != ActorKind.ORGANIZATION for o in organizations):
        errors["organizations"] = [_("Users belong to organizations, not countries.")]
    if language is not None and language not in LANGUAGES:
        errors["language"] = [_("“%(language)s” is not one of the tracker's languages.") % {"language": language}]
    if ({"reporter", "reviewer"} & set(roles)) and not organizations:
        errors["organizations"] = [_("Reporters and reviewers file on behalf of an organization: name at least one.")]
    if errors:
        raise ValidationError(errors)

    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email, email=email)
        user.set_unusable_password()
    if name:
        first, _space, last = name.strip().partition(" ")
        user.first_name, user.last_name = first[:150], last[:150]
    if "editor" in roles:
        user.is_staff = True
    user.save()
    user.groups.add(*Group.objects.filter(name__in=[ROLES[r] for r in roles]))
    for organization in organizations:
        Membership.objects.get_or_create(user=user, organization=organization)
    # The language it goes out in is remembered where the digests read it, so that a re-sent invitation goes out
    # in it too; with none chosen, a person re-invited keeps theirs.
    language = invitation_language(user, language)
    from alerts.services import record_language  # alerts depends on this app, not the other way round

    record_language(user=user, language=language)

    link = send_invitation(user=user, invited_by=invited_by, base_url=base_url, language=language)
    record_event(
        user=invited_by,
        action=AuditAction.INVITED,
        obj=user,
        detail=f"roles: {', '.join(roles)}; organizations: {', '.join(o.code for o in organizations) or 'none'}",
    )
    return user, link


def invitation_language(user, language: str | None = None) -> str:
    """The language an invitation to ``user`` is written in: the invitee's, never the inviter's when it is known.

    ``language`` when given (the invite form's choice, ``invite_user --language``, the page a take-part request
    was sent from), else the language of the person's emails if they have one (the one they were invited in,
    or chose since in their email settings), else the active one: the one rule for every invitation sent."""
    if language:
        return language
    from alerts.models import Preference  # alerts depends on this app, not the other way round

    remembered = Preference.objects.filter(user=user).values_list("language", flat=True).first()
    return remembered or translation.get_language() or settings.LANGUAGE_CODE


def send_invitation(*, user, invited_by=None, base_url: str | None = None, language: str | None = None) -> str:
    """Email the user a one-time link to choose a password, in ``invitation_language(user, language)``; return
    the link, which opens the page in that language."""
    with translation.override(invitation_language(user, language)):
        return _send_invitation(user=user, invited_by=invited_by, base_url=base_url)


def _send_invitation(*, user, invited_by, base_url: str | None) -> str:
    base = (base_url or settings.SITE_URL).rstrip("/")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = base + reverse("password_reset_confirm", args=[uid, token])
    organizations = ", ".join(user.memberships.values_list("organization__name", flat=True))
    role_of_group = {group: role for role, group in ROLES.items()}
    roles = ", ".join(
        str(ROLE_LABELS[role_of_group[name]]) if name in role_of_group else name
        for name in user.groups.values_list("name", flat=True)
    ) or pgettext("a person's role", "reader")
    # Whole sentences per case, so each language can order its words (no fragments glued together).
    names = {
        "inviter": (invited_by.get_full_name() or invited_by.username) if invited_by else "",
        "roles": roles,
        "organizations": organizations,
    }
    if invited_by and organizations:
        invited = _(
            "You have been invited by %(inviter)s to the tracker of the calls to action on international "
            "migration and development, as %(roles)s for %(organizations)s."
        )
    elif invited_by:
        invited = _(
            "You have been invited by %(inviter)s to the tracker of the calls to action on international "
            "migration and development, as %(roles)s."
        )
    elif organizations:
        invited = _(
            "You have been invited to the tracker of the calls to action on international "
            "migration and development, as %(roles)s for %(organizations)s."
        )
    else:
        invited = _(
            "You have been invited to the tracker of the calls to action on international "
            "migration and development, as %(roles)s."
        )
    send_mail(
        subject=_("You are invited to the migration and development tracker"),
        message=(
            invited % names
            + "\n\n"
            + _("Choose your password here (the link works once and expires in a few days):")
            + f"\n{link}\n\n"
            + _("Your username is %(username)s.") % {"username": user.username}
            + "\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    return link
