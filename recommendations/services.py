"""Every write with side effects.

Views, the admin and management commands call these functions; none of
them writes models directly. Each function takes keyword-only arguments,
runs in one transaction and raises ``django.core.exceptions.ValidationError``
(with per-field messages where a field is to blame) before writing anything
when the input is wrong.
"""

import datetime
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path

import filetype
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from simple_history.utils import bulk_create_with_history

from . import kept_uploads
from .models import (
    OPEN_IMPORT_STATES,
    Actor,
    ActorKind,
    AuditAction,
    AuditEvent,
    CurrentStatus,
    DatePrecision,
    ImportBatch,
    ImportState,
    Kind,
    Membership,
    ProgressUpdate,
    Recommendation,
    ReviewState,
    Status,
    StatusInterval,
    Theme,
    plain_number,
)

NARRATIVE_MIN = 20
NARRATIVE_MAX = 5000
MAX_EVIDENCE_URLS = 10
HISTORY_REASON_MAX = 100  # django-simple-history's history_change_reason column
# No fact this tracker records predates the United Nations; an earlier date is a typing error (0001, 1812…).
EARLIEST_AS_OF = datetime.date(1945, 1, 1)
# What ProgressUpdate.value holds: 12 digits, 4 of them decimals.
MAX_VALUE = Decimal("1e8")
# Characters that cannot be stored as typed or that change how text reads without being seen: NUL and the
# other control characters (tab and line breaks are text), and the bidirectional embeddings, overrides and
# isolates of "Trojan source" attacks. Right-to-left marks (U+200E, U+200F) are ordinary text.
_UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# What an evidence file may be, decided by its content, not its name.
EVIDENCE_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}


def has_nul(value) -> bool:
    """True if text, or any text inside a list or dict (keys too), holds a NUL character.

    PostgreSQL cannot store one (SQLite can), so every path that writes text refuses it with a message
    rather than fail on one database only.
    """
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


NUL_MESSAGE = "This text contains a NUL character (\\x00), which cannot be stored; remove it."


def refuse_nul(**texts) -> None:
    """Raise a ValidationError naming each field whose text holds a NUL character."""
    errors = {field: [NUL_MESSAGE] for field, text in texts.items() if has_nul(text)}
    if errors:
        raise ValidationError(errors)


class StaleEditError(ValidationError):
    """Someone changed the update since this person opened it."""


@dataclass(frozen=True)
class SystemActor:
    """The tracker itself writing — a command loading public records — named explicitly, with why.

    Services that write on someone's behalf take ``user=`` (a person, whose
    role and memberships are checked) or ``system=SystemActor(reason)``; given
    neither, they refuse. The reason is recorded in the audit trail.
    """

    reason: str

    def __post_init__(self):
        if not self.reason or not self.reason.strip():
            raise ValueError("Say why the tracker writes by itself: SystemActor(reason=…).")


def acting(user, system: SystemActor | None):
    """Who writes: the person, or the tracker itself when named explicitly; refuse when neither is given."""
    if system is not None:
        if not isinstance(system, SystemActor):
            raise TypeError("system= takes a SystemActor(reason).")
        if user is not None:
            raise ValueError("Give either the person (user=) or the tracker itself (system=), not both.")
        return system
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(
            "Nobody is named as writing this: pass the person (user=…), or system=SystemActor(reason) "
            "when the tracker itself loads public records."
        )
    return user


def _person(who):
    """The user account behind a writer, or None for the tracker itself."""
    return None if isinstance(who, SystemActor) else who


def unsafe_text(text: str, what: str) -> str | None:
    """Why ``text`` cannot be stored as typed (a control or text-direction character), or None."""
    match = _UNSAFE_CHARACTERS.search(text or "")
    if match is None:
        return None
    character = match.group()
    if character == "\x00":
        return f"The {what} contains a NUL character; remove it."
    if "\u202a" <= character <= "\u202e" or "\u2066" <= character <= "\u2069":
        return (
            f"The {what} contains an invisible text-direction control character (U+{ord(character):04X}), "
            "which makes text read differently from how it is stored; remove it."
        )
    return f"The {what} contains a control character (U+{ord(character):04X}); remove it."


def clean_value(value) -> Decimal | None:
    """A measured value as a finite Decimal that fits the database, or a ValidationError keyed ``value``."""
    if value is None or value == "":
        return None
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError({"value": [f"“{value}” is not a number."]}) from None
    if not value.is_finite():
        raise ValidationError({"value": ["The value must be a finite number."]})
    if abs(value) >= MAX_VALUE:
        raise ValidationError({"value": [f"The value is too large: it must be below {MAX_VALUE:,.0f}."]})
    return value


def _stale(update) -> StaleEditError:
    return StaleEditError(
        "Someone else changed this update after you opened it, so your change was not saved. "
        f"It is now “{update.get_state_display()}”; reload the page to see the current version."
    )


# ---------------------------------------------------------------------------
# Progress updates and the current-status table
# ---------------------------------------------------------------------------


def _status_label(status: str) -> str:
    return Status(status).label if status in Status.values else status


def _check_update(
    *,
    actor: Actor,
    recommendation: Recommendation,
    status: str | None,
    value: Decimal | None,
    as_of: datetime.date,
    as_of_precision: str,
    evidence_urls: list[str],
    organization: Actor | None,
    historical: bool,
    narrative: str | None,
    has_file: bool,
) -> tuple[str, Decimal | None]:
    """Validate one update; return the status it will carry and its value as a Decimal.

    ``narrative=None`` skips the narrative rules (bulk loaders of
    well-sourced facts such as treaty records carry no narrative).
    """
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    if recommendation.kind == Kind.RATIFICATION and actor.kind != ActorKind.COUNTRY:
        error("actor", "Only a country can sign, ratify or accede to an instrument; choose a country.")

    value = clean_value(value)

    if recommendation.kind == Kind.QUANTITATIVE:
        if value is None:
            error("value", f"Enter the measured value ({recommendation.unit}) for this quantitative item.")
        elif value < 0:
            error("value", "The value cannot be negative.")
        else:
            derived = recommendation.status_for_value(value)
            if status not in (None, "", derived):
                error(
                    "status",
                    f"On this item the status follows from the value: {value} {recommendation.unit} "
                    f"is “{Status(derived).label}”, not “{_status_label(status)}”.",
                )
            status = derived
    else:
        if value is not None:
            error("value", "Only quantitative items take a measured value.")
        if not status:
            error("status", "Choose a status.")
        elif status not in recommendation.scale:
            labels = ", ".join(Status(s).label for s in recommendation.scale)
            error("status", f"“{_status_label(status)}” is not on this item's scale. Choose one of: {labels}.")

    if recommendation.kind == Kind.QUANTITATIVE and value is not None and value >= 0:
        low, high = recommendation.value_min, recommendation.value_max
        if (low is not None and value < low) or (high is not None and value > high):
            error(
                "value",
                f"The value must be between {plain_number(low)} and {plain_number(high)} {recommendation.unit}.",
            )

    if as_of_precision not in DatePrecision.values:
        error("as_of_precision", "Precision must be day, month or year.")
    if as_of > timezone.localdate():
        error("as_of", "The as-of date cannot be in the future.")
    elif as_of < EARLIEST_AS_OF:
        error("as_of", f"The as-of date cannot be before 1945 (you gave {as_of:%Y}); check the year.")
    elif as_of < recommendation.document.date and not historical:
        error(
            "as_of",
            f"The as-of date is before the source document ({recommendation.document.date:%d %B %Y}); "
            "tick “historical” if you are recording an earlier fact.",
        )

    if narrative is not None:
        length = len(narrative.strip())
        if length < NARRATIVE_MIN:
            error("narrative", f"Describe the progress in at least {NARRATIVE_MIN} characters (you wrote {length}).")
        elif length > NARRATIVE_MAX:
            error("narrative", f"Keep the narrative under {NARRATIVE_MAX} characters (you wrote {length}).")
        elif problem := unsafe_text(narrative, "narrative"):
            error("narrative", problem)

    if not evidence_urls and not has_file:
        error("evidence_urls", "Give at least one evidence link (or attach a file).")
    elif len(evidence_urls) > MAX_EVIDENCE_URLS:
        error("evidence_urls", f"Give at most {MAX_EVIDENCE_URLS} evidence links.")
    validate_url = URLValidator(schemes=["http", "https"])
    for url in evidence_urls:
        try:
            if unsafe_text(url, "link"):
                raise ValidationError("control character")
            validate_url(url)
        except ValidationError:
            shown = _UNSAFE_CHARACTERS.sub("\N{REPLACEMENT CHARACTER}", url)
            error("evidence_urls", f"“{shown}” is not a web address (it must start with http:// or https://).")

    if organization is not None and organization.kind != ActorKind.ORGANIZATION:
        error("reported_by_organization", "Updates are filed on behalf of an organization, not a country.")

    if errors:
        raise ValidationError(errors)
    return status, value


def validate_progress(
    *,
    actor: Actor,
    recommendation: Recommendation,
    as_of: datetime.date,
    status: str | None = None,
    value=None,
    as_of_precision: str = DatePrecision.DAY,
    narrative: str | None = "",
    evidence_urls: Iterable[str] = (),
    has_file: bool = False,
    organization: Actor | None = None,
    historical: bool = False,
) -> tuple[str, Decimal | None]:
    """Check an update without writing it: raises the same ValidationError log_progress would.

    The one validation of an update's fields: the form calls it to report every
    problem at once, the import for every new row. Returns the status the
    update will carry (derived from the value on a quantitative item) and the value.
    """
    return _check_update(
        actor=actor,
        recommendation=recommendation,
        status=status,
        value=value,
        as_of=as_of,
        as_of_precision=as_of_precision,
        evidence_urls=[url.strip() for url in evidence_urls if url and url.strip()],
        organization=organization,
        historical=historical,
        narrative=narrative,
        has_file=has_file,
    )


def upload_limit_mb() -> int:
    """The size limit of an uploaded file (evidence or import spreadsheet), in MB: settings.EVIDENCE_MAX_MB."""
    return settings.EVIDENCE_MAX_MB


def check_upload_size(upload) -> None:
    """Refuse an uploaded file larger than the limit, saying both sizes."""
    limit = upload_limit_mb()
    if upload.size > limit * 1_048_576:
        raise ValidationError(
            f"The file is {upload.size / 1_048_576:.1f} MB; the limit is {limit} MB.",
            code="too_large",
        )


def inspect_evidence_file(upload) -> str:
    """Check an uploaded evidence file's size and real type; return its extension."""
    check_upload_size(upload)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        raise ValidationError(
            "This file is not a PDF, an image (PNG, JPEG, GIF, WebP) or an office document "
            "(Word, Excel, PowerPoint, OpenDocument), judging by its content.",
            code="bad_type",
        )
    return kind.mime


def user_organizations(user):
    return Actor.objects.filter(memberships__user=user).order_by("name")


def organizations_of(user) -> list[Actor]:
    """The organizations a person files for, by name, read once and kept on this user object.

    A view calls it with ``request.user``, which lives for one request: the
    page, the form and ``check_can_file`` then share one query. Services
    called directly with a user object do not use a list they did not read.
    """
    cached = getattr(user, "_tracker_organizations", None)
    if cached is None:
        cached = list(user_organizations(user))
        user._tracker_organizations = cached
    return cached


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
        raise PermissionDenied("You do not have the reporter role.")
    if organization is None:
        raise ValidationError({"organization": "Choose the organization you file this for."})
    if memberships is None and (known := cached_organizations(who)) is not None:
        memberships = {org.pk for org in known}
    if memberships is not None:
        belongs = organization.pk in memberships
    else:
        belongs = Membership.objects.filter(user=who, organization=organization).exists()
    if not belongs:
        raise ValidationError({"organization": "You can only file on behalf of an organization you belong to."})


def _record(update: ProgressUpdate, user, reason: str, action: str):
    """Save with who and why (in the update's own history) and add it to the audit trail."""
    update._history_user = _person(user)
    update._change_reason = reason[:HISTORY_REASON_MAX]  # the full reason goes to the audit trail
    update.save()
    record_event(user=user, action=action, obj=update, detail=reason)


def record_event(
    *, user, action: str, obj=None, object_type: str = "", object_id: str = "", object_repr: str = "", detail: str = ""
) -> AuditEvent:
    """Append one line to the audit trail: who, what, on which object.

    ``user`` is the person, or a SystemActor: the line then has no user and
    its detail starts with "System action (reason)".
    """
    if isinstance(user, SystemActor):
        detail = f"System action ({user.reason}): {detail}"
        user = None
    return AuditEvent.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=object_type or (obj._meta.verbose_name if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else object_id,
        object_repr=str(obj)[:300] if obj is not None else object_repr[:300],
        detail=detail[:5000],
    )


def log_progress(**arguments) -> ProgressUpdate:
    """Record an update, awaiting review unless ``verified`` (the arguments: ``_log_progress``).

    One transaction and no savepoint: when two copies of one person's
    submission race, the loser's transaction is rolled back whole and the
    update the winner created is returned. The returned update has
    ``repeated = True`` when an earlier submission with the same token created it.
    """
    try:
        return _log_progress(**arguments)
    except IntegrityError:
        token, person = arguments.get("submission_token"), arguments.get("user")
        if token is not None:
            existing = _submitted(token, person)
            if existing is not None:
                return existing
        raise


@transaction.atomic
def _log_progress(
    *,
    actor: Actor,
    recommendation: Recommendation,
    as_of: datetime.date,
    status: str | None = None,
    value: Decimal | None = None,
    as_of_precision: str = DatePrecision.DAY,
    narrative: str | None = "",
    evidence_urls: Iterable[str] = (),
    evidence_file=None,
    organization: Actor | None = None,
    user=None,
    system: SystemActor | None = None,
    historical: bool = False,
    verified: bool = False,
    submission_token: uuid.UUID | None = None,
    created_at: datetime.datetime | None = None,
) -> ProgressUpdate:
    """Record an update, awaiting review unless ``verified``.

    ``user`` is the person filing: they must hold the reporter role and
    belong to ``organization``. Only the tracker itself, named with
    ``system=SystemActor(reason)``, files without a person; given neither,
    nothing is written. A repeated ``submission_token`` (double click,
    browser resend) of the same person returns the update their first
    submission created; another person's token is not theirs, so it
    changes nothing for them. ``verified=True`` is for the system recording
    an already-checked public fact; a person's update is verified by a
    second reviewer (``verify_update``).
    """
    who = acting(user, system)
    person = _person(who)
    if submission_token is not None:
        existing = _submitted(submission_token, person)
        if existing is not None:
            return existing
    check_can_file(who, organization)
    if verified and person is not None:
        raise PermissionDenied("A person's update is verified by a second reviewer, not when it is filed.")
    evidence_urls = [url.strip() for url in evidence_urls if url and url.strip()]
    status, value = _check_update(
        actor=actor,
        recommendation=recommendation,
        status=status,
        value=value,
        as_of=as_of,
        as_of_precision=as_of_precision,
        evidence_urls=evidence_urls,
        organization=organization,
        historical=historical,
        narrative=narrative,
        has_file=bool(evidence_file),
    )
    now = timezone.now()
    update = ProgressUpdate(
        actor=actor,
        recommendation=recommendation,
        kind=recommendation.kind,
        actor_kind=actor.kind,
        status=status,
        as_of=as_of,
        as_of_precision=as_of_precision,
        narrative=(narrative or "").strip(),
        evidence_urls=evidence_urls,
        has_evidence=bool(evidence_urls or evidence_file),
        value=value,
        reported_by_organization=organization,
        created_by=person,
        historical=historical,
        created_at=created_at or now,
        submission_token=submission_token,
        state=ReviewState.VERIFIED if verified else ReviewState.PENDING,
        reviewed_by=None,
        reviewed_at=(created_at or now) if verified else None,
    )
    if evidence_file:
        _attach_file(update, evidence_file)
    # Two copies of one person's submission may race here: the loser's IntegrityError ends this
    # transaction, and log_progress returns the winner's update.
    _record(update, who, "logged and verified" if verified else "logged", AuditAction.LOGGED)
    if verified:
        refresh_current_status(actor_id=actor.pk, recommendation_id=recommendation.pk)
    return update


def _submitted(token: uuid.UUID, person) -> ProgressUpdate | None:
    """The update this person's submission with this token created, if any (the token is theirs alone)."""
    mine = ProgressUpdate.objects.filter(submission_token=token)
    existing = (mine.filter(created_by=person) if person is not None else mine.filter(created_by__isnull=True)).first()
    if existing is not None:
        existing.repeated = True
    return existing


def _attach_file(update: ProgressUpdate, upload):
    mime = inspect_evidence_file(upload)
    update.evidence_file_type = mime
    # A generated name: nothing of the uploader's file name reaches the disk.
    update.evidence_file.save(f"{uuid.uuid4().hex}.{EVIDENCE_TYPES[mime]}", upload, save=False)


def _locked(update: ProgressUpdate, expected_version: int | None) -> ProgressUpdate:
    """Re-read the update under a row lock and refuse a stale version.

    FOR NO KEY UPDATE (the lock PostgreSQL's own UPDATE takes): it serialises writers of this update but lets
    another transaction's foreign-key checks on it through, so a concurrent refresh writing status intervals
    that point at this update does not deadlock with us.
    """
    fresh = (
        ProgressUpdate.objects.select_for_update(no_key=True)
        .select_related("recommendation__document", "actor")
        .get(pk=update.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise _stale(fresh)
    return fresh


@transaction.atomic
def edit_update(
    *,
    update: ProgressUpdate,
    user,
    expected_version: int | None,
    status: str | None = None,
    value: Decimal | None = None,
    as_of: datetime.date,
    as_of_precision: str = DatePrecision.DAY,
    narrative: str = "",
    evidence_urls: Iterable[str] = (),
    evidence_file=None,
    historical: bool = False,
) -> ProgressUpdate:
    """Change one's own update while it awaits review; a returned one goes back to review."""
    update = _locked(update, expected_version)
    if update.created_by_id != getattr(user, "pk", None):
        raise PermissionDenied("You can only edit your own updates.")
    if update.state not in (ReviewState.PENDING, ReviewState.RETURNED):
        raise ValidationError(
            f"This update is “{update.get_state_display()}”; only updates awaiting review or returned can be edited."
        )
    evidence_urls = [url.strip() for url in evidence_urls if url and url.strip()]
    status, value = _check_update(
        actor=update.actor,
        recommendation=update.recommendation,
        status=status,
        value=value,
        as_of=as_of,
        as_of_precision=as_of_precision,
        evidence_urls=evidence_urls,
        organization=update.reported_by_organization,
        historical=historical,
        narrative=narrative,
        has_file=bool(evidence_file or update.evidence_file),
    )
    resubmitted = update.state == ReviewState.RETURNED
    update.status, update.value, update.as_of = status, value, as_of
    update.as_of_precision, update.historical = as_of_precision, historical
    update.narrative, update.evidence_urls = narrative.strip(), evidence_urls
    if evidence_file:
        _attach_file(update, evidence_file)
    update.has_evidence = bool(update.evidence_urls or update.evidence_file)
    update.state = ReviewState.PENDING
    update.version += 1
    _record(update, user, "edited and resubmitted" if resubmitted else "edited", AuditAction.EDITED)
    return update


def can_review(user, update: ProgressUpdate | ImportBatch) -> bool:
    """The four-eyes rule, for one update or an import batch: a reviewer who is not its author
    (unless ``SINGLE_REVIEWER_MODE``)."""
    if not user.has_perm("recommendations.review_progress"):
        return False
    return update.created_by_id != user.pk or settings.SINGLE_REVIEWER_MODE


def _review(update, reviewer, expected_version, *, state, note: str, refusal: str) -> ProgressUpdate:
    """The shared step of verify and return: lock, check the reviewer and the state, then mark it reviewed.

    The caller records it (and, for a verification, refreshes the current status) in the same transaction.
    """
    refuse_nul(**{"note" if state == ReviewState.VERIFIED else "reason": note})
    update = _locked(update, expected_version)
    if not can_review(reviewer, update):
        raise PermissionDenied(refusal)
    if update.state != ReviewState.PENDING:
        raise _stale(update)
    update.state = state
    update.reviewed_by, update.reviewed_at, update.review_note = reviewer, timezone.now(), note.strip()
    update.version += 1
    return update


@transaction.atomic
def verify_update(*, update: ProgressUpdate, reviewer, expected_version: int | None, note: str = "") -> ProgressUpdate:
    """Accept an update: it now counts towards the current status and reports."""
    update = _review(
        update,
        reviewer,
        expected_version,
        state=ReviewState.VERIFIED,
        note=note,
        refusal="A second reviewer must verify your own updates.",
    )
    _record(update, reviewer, "verified", AuditAction.VERIFIED)
    refresh_current_status(actor_id=update.actor_id, recommendation_id=update.recommendation_id)
    return update


@transaction.atomic
def return_update(*, update: ProgressUpdate, reviewer, expected_version: int | None, reason: str) -> ProgressUpdate:
    """Send an update back to its reporter with the reason."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why the update is returned, so the reporter can fix it."})
    update = _review(
        update,
        reviewer,
        expected_version,
        state=ReviewState.RETURNED,
        note=reason,
        refusal="A second reviewer must review your own updates.",
    )
    _record(update, reviewer, f"returned: {reason.strip()[:200]}", AuditAction.RETURNED)
    return update


@transaction.atomic
def withdraw_update(*, update: ProgressUpdate, user, expected_version: int | None, reason: str = "") -> ProgressUpdate:
    """Take an update out of review or out of the record; it stays visible to staff.

    Reporters withdraw their own updates while they await review or were
    returned. Reviewers may also withdraw a verified update (with a reason);
    the pair's current status is then recomputed from what remains.
    """
    refuse_nul(reason=reason)
    update = _locked(update, expected_version)
    own = update.created_by_id == getattr(user, "pk", None)
    reviewer = user.has_perm("recommendations.review_progress")
    if update.state == ReviewState.WITHDRAWN:
        raise _stale(update)
    if update.state == ReviewState.VERIFIED:
        if not reviewer:
            raise PermissionDenied("Only a reviewer can withdraw a verified update.")
        if not reason.strip():
            raise ValidationError({"reason": "Say why a verified update is withdrawn."})
    elif not own and not reviewer:
        raise PermissionDenied("You can only withdraw your own updates.")
    was_counted = update.state == ReviewState.VERIFIED
    update.state = ReviewState.WITHDRAWN
    update.withdrawn_by, update.withdrawn_at, update.withdrawal_reason = user, timezone.now(), reason.strip()
    update.version += 1
    _record(update, user, "withdrawn" + (f": {reason.strip()[:200]}" if reason.strip() else ""), AuditAction.WITHDRAWN)
    if was_counted:
        refresh_current_status(actor_id=update.actor_id, recommendation_id=update.recommendation_id)
    return update


def refresh_current_status(*, actor_id: int, recommendation_id: int) -> CurrentStatus | None:
    """Make the pair's CurrentStatus row and its status intervals match its counted updates.

    Must run inside the transaction that changed the pair's history. It locks
    the actor row first, so two writers on the same actor take turns and the
    second one reads what the first committed (READ COMMITTED re-reads per
    statement); on SQLite the write transaction already serialises writers.
    One read of the pair's verified history gives both the latest update and
    the intervals; only the intervals that changed are written.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("refresh_current_status must run inside the writing transaction")
    list(Actor.objects.select_for_update().filter(pk=actor_id).values_list("pk"))
    copied = CurrentStatus.COPIED_FROM_UPDATE
    history = list(
        ProgressUpdate.objects.counted()
        .filter(actor_id=actor_id, recommendation_id=recommendation_id)
        .order_by("as_of", "created_at", "pk")
        .only("pk", "actor_id", "recommendation_id", *copied.values())
    )
    _write_intervals({(actor_id, recommendation_id): history}, replace=False)
    if not history:
        CurrentStatus.objects.filter(actor_id=actor_id, recommendation_id=recommendation_id).delete()
        return None
    latest = history[-1]
    current, _ = CurrentStatus.objects.update_or_create(
        actor_id=actor_id,
        recommendation_id=recommendation_id,
        defaults={"update": latest, **{field: getattr(latest, source) for field, source in copied.items()}},
    )
    return current


def intervals_from_history(history: list[ProgressUpdate]) -> list[StatusInterval]:
    """A pair's status intervals from its counted updates in (as-of, entry time, id) order.

    On each as-of date the last entry wins; it holds until the pair's next
    as-of date, and the last one stays open (``valid_to`` None).
    """
    winners: dict[datetime.date, ProgressUpdate] = {}
    for update in history:
        winners[update.as_of] = update
    days = list(winners)
    return [
        StatusInterval(
            actor_id=update.actor_id,
            recommendation_id=update.recommendation_id,
            update_id=update.pk,
            valid_to=days[n + 1] if n + 1 < len(days) else None,
            **{field: getattr(update, source) for field, source in StatusInterval.COPIED_FROM_UPDATE.items()},
        )
        for n, update in enumerate(winners.values())
    ]


def _write_intervals(histories: dict[tuple[int, int], list[ProgressUpdate]], *, replace: bool) -> None:
    """Store the intervals of each pair given with its history (an empty history: the pair has none).

    ``replace``: delete every interval of those pairs and write them anew (bulk
    refreshes); otherwise read the stored ones and write only the difference.
    """
    wanted = {pair: intervals_from_history(history) for pair, history in histories.items()}
    pairs_q = Q()
    for actor_id, recommendation_id in histories:
        pairs_q |= Q(actor_id=actor_id, recommendation_id=recommendation_id)
    if not histories:
        return
    new = [interval for intervals in wanted.values() for interval in intervals]
    if not replace:
        stored = {
            (a, i, start, end, update): pk
            for pk, a, i, start, end, update in StatusInterval.objects.filter(pairs_q).values_list(
                "pk", "actor_id", "recommendation_id", "valid_from", "valid_to", "update_id"
            )
        }
        keys = {(n.actor_id, n.recommendation_id, n.valid_from, n.valid_to, n.update_id) for n in new}
        stale = [pk for key, pk in stored.items() if key not in keys]
        new = [n for n in new if (n.actor_id, n.recommendation_id, n.valid_from, n.valid_to, n.update_id) not in stored]
        if stale:
            StatusInterval.objects.filter(pk__in=stale).delete()
    else:
        StatusInterval.objects.filter(pairs_q).delete()
    if new:
        StatusInterval.objects.bulk_create(new, batch_size=2000)


def refresh_current_statuses(*, actor_ids, recommendation_ids) -> None:
    """Recompute the current status and the intervals of every (actor, item) pair in a cross product, in bulk.

    For writes that touch many pairs at once (imports). Must run inside the
    writing transaction; locks the actors in id order, like the one-pair refresh.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("refresh_current_statuses must run inside the writing transaction")
    copied = CurrentStatus.COPIED_FROM_UPDATE
    actor_ids, recommendation_ids = sorted(set(actor_ids)), sorted(set(recommendation_ids))
    for start in range(0, len(actor_ids), 50):  # 50 actors at a time: bounded memory
        chunk = actor_ids[start : start + 50]
        list(Actor.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk"))
        histories: dict[tuple[int, int], list[ProgressUpdate]] = {}
        rows = (
            ProgressUpdate.objects.counted()
            .filter(actor_id__in=chunk, recommendation_id__in=recommendation_ids)
            .order_by("actor_id", "recommendation_id", "as_of", "created_at", "pk")
            .only("pk", "actor_id", "recommendation_id", *copied.values())
        )
        for update in rows.iterator(chunk_size=5000):
            histories.setdefault((update.actor_id, update.recommendation_id), []).append(update)
        StatusInterval.objects.filter(actor_id__in=chunk, recommendation_id__in=recommendation_ids).delete()
        StatusInterval.objects.bulk_create(
            [interval for history in histories.values() for interval in intervals_from_history(history)],
            batch_size=2000,
        )
        CurrentStatus.objects.filter(actor_id__in=chunk, recommendation_id__in=recommendation_ids).delete()
        CurrentStatus.objects.bulk_create(
            [
                CurrentStatus(
                    actor_id=u.actor_id,
                    recommendation_id=u.recommendation_id,
                    update_id=u.pk,
                    **{field: getattr(u, source) for field, source in copied.items()},
                )
                for u in (history[-1] for history in histories.values())
            ],
            batch_size=2000,
        )


@transaction.atomic
def rebuild_current_statuses() -> int:
    """Recompute the whole current-status table and the status intervals from history (repair tool)."""
    latest = ProgressUpdate.objects.latest_per_pair()
    CurrentStatus.objects.all().delete()
    copied = CurrentStatus.COPIED_FROM_UPDATE
    ids = list(latest.values())
    for start in range(0, len(ids), 5000):  # in chunks: SQLite limits the parameters of one query
        updates = ProgressUpdate.objects.filter(pk__in=ids[start : start + 5000]).only(
            "pk", "actor_id", "recommendation_id", *copied.values()
        )
        CurrentStatus.objects.bulk_create(
            CurrentStatus(
                actor_id=u.actor_id,
                recommendation_id=u.recommendation_id,
                update_id=u.pk,
                **{field: getattr(u, source) for field, source in copied.items()},
            )
            for u in updates
        )
    rebuild_status_intervals()
    return len(ids)


def status_intervals_sql(intervals_table: str, updates_table: str) -> str:
    """One INSERT … SELECT writing every pair's intervals from the verified history, on either database.

    The same definition as ``intervals_from_history``: per (pair, as-of date)
    the last entry (ROW_NUMBER), ending where the pair's next date begins (LEAD).
    """
    fields = StatusInterval.COPIED_FROM_UPDATE
    sources = ", ".join(f"w.{ProgressUpdate._meta.get_field(s).column}" for s in fields.values())
    targets = ", ".join(StatusInterval._meta.get_field(f.removesuffix("_id")).column for f in fields)
    # Only model table and column names go into it, no values.
    return (
        f"INSERT INTO {intervals_table} (actor_id, recommendation_id, update_id, valid_to, {targets}) "  # noqa: S608  # nosec B608
        "SELECT w.actor_id, w.recommendation_id, w.id, "
        "LEAD(w.as_of) OVER (PARTITION BY w.actor_id, w.recommendation_id ORDER BY w.as_of), "
        f"{sources} FROM (SELECT u.*, ROW_NUMBER() OVER (PARTITION BY u.actor_id, u.recommendation_id, u.as_of "
        f"ORDER BY u.created_at DESC, u.id DESC) AS day_rank FROM {updates_table} u WHERE u.state = 'verified') w "
        "WHERE w.day_rank = 1"
    )


def rebuild_status_intervals() -> int:
    """Recompute every status interval from the verified history in one statement; returns how many there are."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("rebuild_status_intervals must run inside a transaction")
    StatusInterval.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(status_intervals_sql(StatusInterval._meta.db_table, ProgressUpdate._meta.db_table))
    return StatusInterval.objects.count()


# ---------------------------------------------------------------------------
# Imports: one batch from upload to confirmation
# ---------------------------------------------------------------------------

IMPORT_SUFFIXES = (".csv", ".txt", ".xlsx")


class ImportAlreadyDone(ValidationError):
    """The batch was already confirmed (or already sent for review): nothing is written again."""


def start_import(
    *,
    file,
    filename: str,
    organization: Actor | None,
    user=None,
    system: SystemActor | None = None,
    verified: bool = False,
    source: str = "",
) -> ImportBatch:
    """Store an uploaded file as a new import batch; nothing is read or written yet (``preview_import`` next).

    The importer files its rows: a person must hold the reporter role and
    belong to ``organization`` (the rows that name none are filed for it).
    Only reviewers import ``verified``, citing the ``source`` that vouches for
    the rows; a second reviewer then confirms the batch.
    """
    from . import imports

    who = acting(user, system)
    person = _person(who)
    if organization is None or organization.kind != ActorKind.ORGANIZATION:
        raise ValidationError({"organization": "Choose the organization these updates are filed for."})
    check_can_file(who, organization)
    source = (source or "").strip()
    if verified:
        if person is not None and not person.has_perm("recommendations.review_progress"):
            raise PermissionDenied("Only reviewers can import updates as verified.")
        if not source:
            raise ValidationError({"source": "Cite the source that makes these updates verified."})
        if problem := unsafe_text(source, "source"):
            raise ValidationError({"source": problem})
        if len(source) > 500:
            raise ValidationError({"source": "Keep the source under 500 characters."})
    # The name is only shown; control characters (a NUL would fail on PostgreSQL) are dropped.
    shown = _UNSAFE_CHARACTERS.sub("", Path(filename or "").name).strip()[:200] or "upload"
    suffix = Path(shown).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise ValidationError({"file": "Upload a .csv or .xlsx file (the formats the status export writes)."})
    if getattr(file, "size", 0) > imports.MAX_UPLOAD_BYTES:
        limit = imports.MAX_UPLOAD_BYTES // 1_048_576
        raise ValidationError({"file": f"The file is {file.size / 1_048_576:.1f} MB; the limit is {limit} MB."})
    batch = ImportBatch(
        filename=shown,
        created_by=person,
        system_reason=who.reason if person is None else "",
        organization=organization,
        verified=verified,
        source=source if verified else "",
    )
    # A generated name: nothing of the uploader's file name reaches the disk.
    batch.file = default_storage.save(f"imports/{batch.pk.hex}{suffix}", file)
    try:
        with transaction.atomic():
            batch.save()
    except Exception:
        default_storage.delete(batch.file)
        raise
    return batch


def preview_import(*, batch_id, progress=None):
    """Read and check an uploaded batch (``imports.plan``): returns the plan; writes nothing but the batch's counts.

    A file that cannot be read raises ``imports.ImportFileError``; it, and a
    plan with rejected rows or nothing new, closes the batch and deletes the
    stored upload at once. Safe to call again on a previewed batch.
    """
    from . import imports

    error = None
    with transaction.atomic():
        batch = _locked_batch(batch_id)
        if batch.state not in (ImportState.UPLOADED, ImportState.PREVIEWED):
            raise ImportAlreadyDone(_closed_message(batch))
        try:
            plan = imports.plan_batch(batch, progress=progress)
        except imports.ImportFileError as refused:
            error, plan = refused, None
            batch.error = str(refused)[:2000]
            _close(batch, ImportState.REJECTED, delete_now=True)
        else:
            batch.rows, batch.to_create = plan.rows, len(plan.create)
            batch.unchanged, batch.rejected = len(plan.unchanged), plan.rejected_rows
            if plan.rejected:
                batch.error = f"{plan.rejected_rows} row(s) rejected."
                _close(batch, ImportState.REJECTED, delete_now=True)
            elif not plan.create:
                batch.error = "Nothing new to import: every row is already in the tracker."
                _close(batch, ImportState.DISCARDED, delete_now=True)
            else:
                batch.state = ImportState.PREVIEWED
                batch.save()
    if error is not None:
        raise error
    return plan


def confirm_import(*, batch_id, user=None, system: SystemActor | None = None, progress=None) -> ImportBatch:
    """Confirm a previewed batch: write its rows, all or none — once, however many confirmations arrive at once.

    The batch row is locked, its state checked, and the file planned again
    inside the writing transaction, so a second confirmation waits, then
    finds it confirmed and raises ``ImportAlreadyDone`` having written nothing.

    Who confirms: the importer, for a batch awaiting review; for a batch
    "as verified" (a verification, so the four-eyes rule applies), the
    importer's confirmation sends it to the review queue and a second
    reviewer's confirmation writes it — verified by that reviewer, at the
    server's time. With ``SINGLE_REVIEWER_MODE``, or for the tracker itself
    loading public records, the importer's confirmation writes it verified.
    Returns the batch, now ``confirmed`` or ``awaiting_review``.
    """
    from . import imports

    who = acting(user, system)
    person = _person(who)
    with transaction.atomic():
        batch = _locked_batch(batch_id)
        own = batch.created_by_id == getattr(person, "pk", None) and bool(batch.system_reason) == (person is None)
        if batch.state == ImportState.AWAITING_REVIEW:
            if person is None or not person.has_perm("recommendations.review_progress"):
                raise PermissionDenied("Only reviewers can confirm an import as verified.")
            if not can_review(person, batch):
                raise PermissionDenied(
                    "A second reviewer must confirm your import as verified; it waits in the review queue."
                )
        elif batch.state in (ImportState.PREVIEWED, ImportState.UPLOADED):
            if not own:
                raise PermissionDenied("Only the person who uploaded this file can confirm its import.")
            if batch.state == ImportState.UPLOADED:
                raise ValidationError("This file has not been previewed yet: preview it first.")
            if batch.verified and person is not None:
                if not person.has_perm("recommendations.review_progress"):
                    raise PermissionDenied("Only reviewers can import updates as verified.")
                if not settings.SINGLE_REVIEWER_MODE:
                    batch.state, batch.submitted_at = ImportState.AWAITING_REVIEW, timezone.now()
                    batch.save()
                    _record_batch(
                        batch,
                        person,
                        AuditAction.IMPORT_SUBMITTED,
                        f"{batch.to_create} updates from {batch.filename} to import as verified "
                        f"(source: {batch.source}); awaiting a second reviewer.",
                    )
                    return batch
        else:
            raise ImportAlreadyDone(_closed_message(batch))
        try:
            plan = imports.plan_batch(batch, progress=progress)
        except imports.ImportFileError as error:
            raise ValidationError(f"Nothing was written: {error}") from error
        if plan.rejected:
            raise ValidationError(
                f"Nothing was written: {plan.rejected_rows} row(s) are rejected now (the tracker changed since "
                "the preview). Preview the file again to see why."
            )
        if not plan.create:
            raise ValidationError("Nothing was written: every row is already in the tracker now.")
        verifier = who if batch.verified else None
        created = _write_import(plan, batch, verifier, progress=progress)
        batch.created, batch.to_create, batch.unchanged = created, len(plan.create), len(plan.unchanged)
        batch.confirmed_at = timezone.now()
        if batch.verified and person is not None:
            batch.reviewed_by = person
        _close(batch, ImportState.CONFIRMED)
        filer = batch.importer_name
        _record_batch(
            batch,
            who,
            AuditAction.IMPORTED,
            f"{created} updates from {batch.filename}, filed by {filer} for {batch.organization.code}"
            + (f", verified by {_name(verifier)} (source: {batch.source})" if batch.verified else ", awaiting review")
            + f"; {len(plan.unchanged)} rows already present.",
        )
    return batch


def _write_import(plan, batch: ImportBatch, verifier, progress=None) -> int:
    """Write a batch's planned rows in the current transaction; verified ones the way a review verifies them.

    Each update is first filed by the importer, then — for a verified batch —
    verified by ``verifier`` at the server's time: its history has the same two
    entries (who filed, who verified) as an update verified one by one.
    """
    now = timezone.now()
    filer = batch.created_by
    reviewer = _person(verifier)
    filed_reason = f"imported with import {batch.pk} from {batch.filename}"[:HISTORY_REASON_MAX]
    source = f" Source: {batch.source}" if batch.verified else ""
    created, pairs = 0, set()
    # In batches, so memory stays flat however long the file: the rows of one batch at a time.
    for start in range(0, len(plan.create), 1000):
        updates = [
            ProgressUpdate(
                actor=row.actor,
                recommendation=row.recommendation,
                kind=row.recommendation.kind,
                actor_kind=row.actor.kind,
                status=row.status,
                as_of=row.as_of,
                as_of_precision=row.as_of_precision,
                historical=row.historical,
                narrative=row.narrative + source,
                evidence_urls=row.evidence_urls,
                has_evidence=bool(row.evidence_urls),
                value=row.value,
                reported_by_organization=row.organization,
                created_by=filer,
                created_at=now,
                state=ReviewState.PENDING,
            )
            for row in plan.create[start : start + 1000]
        ]
        updates = bulk_create_with_history(
            updates, ProgressUpdate, batch_size=1000, default_user=filer, default_change_reason=filed_reason
        )
        if verifier is not None:
            # One UPDATE for the chunk (every row gets the same values), then each update's history entry.
            ProgressUpdate.objects.filter(pk__in=[u.pk for u in updates]).update(
                state=ReviewState.VERIFIED, reviewed_by=reviewer, reviewed_at=now, version=F("version") + 1
            )
            for update in updates:
                update.state, update.reviewed_by, update.reviewed_at = ReviewState.VERIFIED, reviewer, now
                update.version += 1
            ProgressUpdate.history.bulk_history_create(
                updates,
                batch_size=1000,
                update=True,
                default_user=reviewer,
                default_change_reason=f"verified with import {batch.pk}",
            )
        created += len(updates)
        pairs.update((u.actor_id, u.recommendation_id) for u in updates)
        if progress is not None:  # the background job's bar: updates written so far (visible at the commit)
            progress("write", created)
    if verifier is not None and pairs:
        refresh_current_statuses(actor_ids=[a for a, _ in pairs], recommendation_ids=[i for _, i in pairs])
    return created


@transaction.atomic
def return_import(*, batch_id, user, reason: str) -> ImportBatch:
    """A second reviewer sends a batch awaiting review back to its importer, as one, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the import is returned, so the importer can fix the file."})
    if problem := unsafe_text(reason, "reason"):
        raise ValidationError({"reason": problem})
    batch = _locked_batch(batch_id)
    if batch.state != ImportState.AWAITING_REVIEW:
        raise ImportAlreadyDone(_closed_message(batch))
    if not can_review(user, batch):
        raise PermissionDenied("A second reviewer must review your own import; you can discard it instead.")
    batch.reviewed_by, batch.review_note = user, reason[:2000]
    _close(batch, ImportState.RETURNED)
    _record_batch(
        batch, user, AuditAction.IMPORT_RETURNED, f"{batch.filename} by {batch.importer_name} returned: {reason[:500]}"
    )
    return batch


@transaction.atomic
def discard_import(*, batch_id, user=None, system: SystemActor | None = None) -> ImportBatch:
    """The importer drops their batch before it is confirmed; its stored upload is deleted."""
    who = acting(user, system)
    person = _person(who)
    batch = _locked_batch(batch_id)
    if batch.state not in OPEN_IMPORT_STATES:
        raise ImportAlreadyDone(_closed_message(batch))
    if batch.created_by_id != getattr(person, "pk", None):
        raise PermissionDenied("Only the person who uploaded this file can discard it.")
    _close(batch, ImportState.DISCARDED)
    return batch


def sweep_imports(*, older_than: datetime.timedelta) -> dict[str, int]:
    """Delete abandoned previews (and their uploads) and stray uploads older than ``older_than``.

    Batches awaiting a second reviewer are kept: someone still has to decide.
    A batch being confirmed at this moment is skipped (its row is locked).
    """
    cutoff = timezone.now() - older_than
    deleted_files = 0
    with transaction.atomic():
        abandoned = list(
            ImportBatch.objects.select_for_update(skip_locked=True).filter(
                state__in=(ImportState.UPLOADED, ImportState.PREVIEWED), created_at__lt=cutoff
            )
        )
        ImportBatch.objects.filter(pk__in=[b.pk for b in abandoned]).delete()
    for batch in abandoned:
        if batch.file and default_storage.exists(batch.file):
            default_storage.delete(batch.file)
            deleted_files += 1
    # Uploads no open batch refers to: left by a failure between storing and recording, or by older versions.
    needed = set(ImportBatch.objects.open().values_list("file", flat=True))
    try:
        names = default_storage.listdir("imports")[1]
    except FileNotFoundError:
        names = []
    for name in names:
        path = f"imports/{name}"
        if path not in needed and default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted_files += 1
    # Evidence files kept for a log form's next try (kept_uploads), past their day.
    deleted_files += kept_uploads.sweep(older_than=max(older_than, kept_uploads.MAX_AGE))
    return {"uploads": deleted_files, "batches": len(abandoned)}


def _locked_batch(batch_id) -> ImportBatch:
    try:
        locked = ImportBatch.objects.select_for_update(of=("self",)).select_related("organization", "created_by")
        return locked.get(pk=batch_id)
    except (ImportBatch.DoesNotExist, ValidationError, ValueError):
        raise ValidationError(
            "This import is not there any more (discarded, or swept after a day); upload the file again."
        ) from None


def _close(batch: ImportBatch, state: str, *, delete_now: bool = False) -> None:
    """End a batch: record its state, and delete its stored upload (after the commit, unless ``delete_now``)."""
    path = batch.file
    batch.state, batch.closed_at, batch.file = state, timezone.now(), ""
    batch.save()
    if path:
        if delete_now:
            default_storage.delete(path)
        else:
            transaction.on_commit(partial(default_storage.delete, path))


def _record_batch(batch: ImportBatch, who, action: str, detail: str) -> None:
    """One line of the audit trail about an import batch."""
    record_event(
        user=who,
        action=action,
        object_type="import",
        object_id=str(batch.pk),
        object_repr=batch.filename,
        detail=detail,
    )


def _closed_message(batch: ImportBatch) -> str:
    when = timezone.localtime(batch.closed_at or batch.submitted_at or batch.created_at)
    if batch.state == ImportState.CONFIRMED:
        return (
            f"This file was already imported on {when:%d %B %Y at %H:%M} ({batch.created} updates). "
            "Nothing was written again."
        )
    if batch.state == ImportState.AWAITING_REVIEW:
        return "This import was already sent to a second reviewer; it waits in the review queue."
    if batch.state == ImportState.RETURNED:
        return f"This import was returned by a reviewer: {batch.review_note} Upload a corrected file."
    if batch.state == ImportState.REJECTED:
        return "This import was refused because of errors in the file; upload a corrected file."
    return "This import was discarded; upload the file again."


def _name(who) -> str:
    if isinstance(who, SystemActor):
        return "the tracker (system)"
    return who.get_full_name() or who.username


# ---------------------------------------------------------------------------
# Taxonomy maintenance
# ---------------------------------------------------------------------------


@transaction.atomic
def merge_themes(*, source: Theme, target: Theme, user=None) -> int:
    """Move every item from ``source`` to ``target`` and delete ``source``.

    Returns how many items were moved.
    """
    if source.pk == target.pk:
        raise ValidationError("A theme cannot be merged into itself.")
    moved = 0
    for recommendation in source.recommendations.all():
        recommendation.themes.remove(source)
        recommendation.themes.add(target)
        moved += 1
    record_event(
        user=user,
        action=AuditAction.THEMES_MERGED,
        obj=target,
        detail=f"“{source.name}” ({source.slug}) merged into “{target.name}”; {moved} items moved.",
    )
    source.delete()
    return moved


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------

ROLES = {"reporter": "Reporter", "reviewer": "Reviewer", "editor": "Editor"}


@transaction.atomic
def invite_user(
    *,
    email: str,
    organizations: Iterable[Actor],
    roles: Iterable[str],
    name: str = "",
    invited_by=None,
    base_url: str | None = None,
) -> tuple:
    """Create an account with no usable password and email a link to set one.

    Returns (user, link). Re-inviting an existing address adds the
    organizations and roles and sends a fresh link. There is no open
    sign-up: this is the only way in besides ``createsuperuser``.
    """
    refuse_nul(email=email, name=name)
    User = get_user_model()
    email = email.strip().lower()
    errors = {}
    try:
        from django.core.validators import validate_email

        validate_email(email)
    except ValidationError:
        errors["email"] = [f"“{email}” is not an email address."]
    roles = list(roles)
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        errors["roles"] = [f"Roles are {', '.join(ROLES)}; got {', '.join(unknown) or 'none'}."]
    organizations = list(organizations)
    if any(o.kind != ActorKind.ORGANIZATION for o in organizations):
        errors["organizations"] = ["Users belong to organizations, not countries."]
    if ({"reporter", "reviewer"} & set(roles)) and not organizations:
        errors["organizations"] = ["Reporters and reviewers file on behalf of an organization: name at least one."]
    if errors:
        raise ValidationError(errors)

    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(username=email, email=email)
        user.set_unusable_password()
    if name:
        first, _, last = name.strip().partition(" ")
        user.first_name, user.last_name = first[:150], last[:150]
    if "editor" in roles:
        user.is_staff = True
    user.save()
    user.groups.add(*Group.objects.filter(name__in=[ROLES[r] for r in roles]))
    for organization in organizations:
        Membership.objects.get_or_create(user=user, organization=organization)

    link = send_invitation(user=user, invited_by=invited_by, base_url=base_url)
    record_event(
        user=invited_by,
        action=AuditAction.INVITED,
        obj=user,
        detail=f"roles: {', '.join(roles)}; organizations: {', '.join(o.code for o in organizations) or 'none'}",
    )
    return user, link


def send_invitation(*, user, invited_by=None, base_url: str | None = None) -> str:
    """Email the user a one-time link to choose a password; return the link."""
    base = (base_url or settings.SITE_URL).rstrip("/")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = base + reverse("password_reset_confirm", args=[uid, token])
    organizations = ", ".join(user.memberships.values_list("organization__name", flat=True))
    roles = ", ".join(user.groups.values_list("name", flat=True)) or "reader"
    inviter = f" by {invited_by.get_full_name() or invited_by.username}" if invited_by else ""
    send_mail(
        subject="You are invited to the migration and development tracker",
        message=(
            f"You have been invited{inviter} to the tracker of the calls to action on international "
            f"migration and development, as {roles}"
            + (f" for {organizations}" if organizations else "")
            + f".\n\nChoose your password here (the link works once and expires in a few days):\n{link}\n\n"
            f"Your username is {user.username}.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    return link
