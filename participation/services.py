"""The rules of taking part: who may ask, how often, how a robot is told apart, and how a request
becomes an invitation (through recommendations.services.invite_user, the only way in)."""

import time

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations import services as tracker_services
from recommendations import throttle
from recommendations.models import Actor

from .models import ParticipationRequest, RequestState

SALT = "participation.form-started"


class Refused(Exception):
    """A request refused before it is stored: too many from one network, or a robot's."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.message, self.status = message, status


def form_token(now: float | None = None) -> str:
    """A signed timestamp for the form's hidden field: when the page was served."""
    return signing.dumps(int(now if now is not None else time.time()), salt=SALT)


def check_human(*, honeypot: str, token: str, now: float | None = None) -> None:
    """Refuse what a robot sends: a filled hidden field, a form older than a day, or one sent too fast.

    No third party is asked: the page's own signed timestamp tells how long the form was open.
    """
    now = now if now is not None else time.time()
    if honeypot:
        raise Refused(_("The request was not sent."), status=400)
    try:
        started = int(signing.loads(token, salt=SALT))
    except (signing.BadSignature, TypeError, ValueError):
        raise Refused(
            _("The form could not be checked. Please reload the page and send it again."), status=400
        ) from None
    if now - started > settings.TAKE_PART_FORM_MAX_AGE:
        raise Refused(_("The form was open for too long. Please send it again."), status=400)
    if now - started < settings.TAKE_PART_MIN_SECONDS:
        raise Refused(
            _("The form was sent only seconds after the page opened. Please check it and send it again."), status=400
        )


def check_rate(*, ip: str, email: str) -> None:
    """A few requests an hour from one network, and a few a day for one address."""
    if not throttle.allow("take-part-ip", ip, limit=settings.TAKE_PART_LIMIT_PER_IP, window=3600):
        raise Refused(_("Too many requests from your network this hour. Please try again later."), status=429)
    if not throttle.allow("take-part-address", email.strip().lower(), limit=3, window=86400):
        raise Refused(_("We already have your request; an editor will answer it by email."), status=429)


@transaction.atomic
def request_to_take_part(
    *, name: str, email: str, organization_name: str, country: Actor, reporting_on: str, language: str = ""
) -> ParticipationRequest:
    """Store a request for the editors. Every field is needed; the country must be one of the tracker's.

    ``language``: the page's, the one the invitation will be written in."""
    tracker_services.refuse_nul(name=name, email=email, organization_name=organization_name, reporting_on=reporting_on)
    errors = {}
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [f"“{email}” is not an email address."]
    for field, value in (("name", name), ("organization_name", organization_name), ("reporting_on", reporting_on)):
        if not value.strip():
            errors[field] = [_("This field is required.")]
    if len(reporting_on) > 2000:
        errors["reporting_on"] = [_("Please keep this under 2,000 characters.")]
    if country is None or not country.is_country:
        errors["country"] = [_("Choose a country.")]
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = [_("“%(language)s” is not one of the tracker's languages.") % {"language": language}]
    if errors:
        raise ValidationError(errors)
    return ParticipationRequest.objects.create(
        name=name.strip(),
        email=email,
        organization_name=organization_name.strip(),
        country=country,
        reporting_on=reporting_on.strip(),
        language=language,
    )


def matching_organization(request: ParticipationRequest) -> Actor | None:
    """The organization an editor chose, else the one whose name is exactly the one given."""
    if request.organization_id:
        return request.organization
    found = list(Actor.objects.organizations().filter(name__iexact=request.organization_name.strip())[:2])
    return found[0] if len(found) == 1 else None


@transaction.atomic
def invite_from_request(*, request_id: int, invited_by, base_url: str | None = None, roles=("reporter",)):
    """Turn a request into an invitation: the account, its organization and role, the set-password email."""
    request = ParticipationRequest.objects.select_for_update().get(pk=request_id)
    if request.state == RequestState.INVITED:
        raise ValidationError(_("%(email)s was already invited.") % {"email": request.email})
    organization = matching_organization(request)
    if organization is None:
        raise ValidationError(
            _(
                "Choose the organization %(name)s will report for (open the request, set “Organization”), "
                "or create “%(organization)s” under “Countries and organizations” first."
            )
            % {"name": request.name, "organization": request.organization_name}
        )
    user, link = tracker_services.invite_user(
        email=request.email,
        name=request.name,
        organizations=[organization],
        roles=roles,
        invited_by=invited_by,
        base_url=base_url,
        language=request.language or None,
    )
    request.organization = organization
    request.state = RequestState.INVITED
    request.invited_user = user
    request.handled_by = invited_by
    request.handled_at = timezone.now()
    request.save()
    return user, link
