"""A progress update's life: log, edit, verify, return, withdraw."""

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Actor,
    AuditAction,
    DatePrecision,
    ImportBatch,
    Perspective,
    ProgressUpdate,
    Recommendation,
    ReviewState,
)
from .audit import _record
from .current_status import refresh_current_status
from .evidence import EVIDENCE_TYPES, inspect_evidence_file
from .people import check_can_file
from .perspectives import default_perspective
from .validation import clean_urls, perspective_refusal, refuse_nul, validate_progress
from .writers import SystemActor, _person, _stale, acting


def log_progress(**arguments) -> ProgressUpdate:
    """Record an update, awaiting review unless ``verified`` (the arguments: ``_log_progress``).

    One transaction and no savepoint: a repeated submission token (a
    double click, a resend, two copies racing) makes the insert fail on the
    unique (person, token) constraint, the transaction is rolled back whole
    and the update the first submission created is returned, with
    ``repeated = True``.
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
    perspective: str | None = None,
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
    second reviewer (``verify_update``). ``perspective``: who says so; not given, the organization's
    usual one (``default_perspective``).
    """
    who = acting(user, system)
    person = _person(who)
    if submission_token is not None and evidence_file:
        # Only with a file, which would be stored before the insert finds the token taken. Without one, a
        # repeated token is found by the insert itself (the unique (person, token) constraint; log_progress
        # returns the first update): a query less for every write, a failed insert for a repeat.
        existing = _submitted(submission_token, person)
        if existing is not None:
            return existing
    check_can_file(who, organization)
    if verified and person is not None:
        raise PermissionDenied(_("A person's update is verified by a second reviewer, not when it is filed."))
    evidence_urls = clean_urls(evidence_urls)
    fields = _fields(status, value, as_of, as_of_precision, narrative, evidence_urls, historical)
    status, value = validate_progress(
        actor=actor,
        recommendation=recommendation,
        organization=organization,
        has_file=bool(evidence_file),
        perspective=perspective,
        **fields,
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
        perspective=perspective or default_perspective(organization),
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


def _fields(status, value, as_of, as_of_precision, narrative, evidence_urls, historical) -> dict:
    """An update's own fields, as ``validate_progress`` takes them."""
    return {
        "status": status,
        "value": value,
        "as_of": as_of,
        "as_of_precision": as_of_precision,
        "narrative": narrative,
        "evidence_urls": evidence_urls,
        "historical": historical,
    }


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
    perspective: str | None = None,
) -> ProgressUpdate:
    """Change one's own update while it awaits review; a returned one goes back to review.

    ``perspective=None`` keeps the update's perspective."""
    update = _locked(update, expected_version)
    if update.created_by_id != getattr(user, "pk", None):
        raise PermissionDenied(_("You can only edit your own updates."))
    if update.state not in (ReviewState.PENDING, ReviewState.RETURNED):
        raise ValidationError(
            _("This update is “%(state)s”; only updates awaiting review or returned can be edited.")
            % {"state": update.get_state_display()}
        )
    evidence_urls = clean_urls(evidence_urls)
    fields = _fields(status, value, as_of, as_of_precision, narrative, evidence_urls, historical)
    status, value = validate_progress(
        actor=update.actor,
        recommendation=update.recommendation,
        organization=update.reported_by_organization,
        has_file=bool(evidence_file or update.evidence_file),
        perspective=perspective,
        **fields,
    )
    if perspective is not None:
        update.perspective = perspective
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
def verify_update(
    *, update: ProgressUpdate, reviewer, expected_version: int | None, note: str = "", perspective: str | None = None
) -> ProgressUpdate:
    """Accept an update: it now counts towards the current status and reports.

    ``perspective``: the reviewer's correction of who says so (the audit trail records the change).
    """
    if perspective is not None and perspective not in Perspective.values:
        raise ValidationError({"perspective": perspective_refusal()})
    update = _review(
        update,
        reviewer,
        expected_version,
        state=ReviewState.VERIFIED,
        note=note,
        refusal="A second reviewer must verify your own updates.",
    )
    action = "verified"
    if perspective is not None and perspective != update.perspective:
        action += f"; perspective corrected from {update.perspective} to {perspective}"
        update.perspective = perspective
    _record(update, reviewer, action, AuditAction.VERIFIED)
    refresh_current_status(actor_id=update.actor_id, recommendation_id=update.recommendation_id)
    return update


@transaction.atomic
def return_update(*, update: ProgressUpdate, reviewer, expected_version: int | None, reason: str) -> ProgressUpdate:
    """Send an update back to its reporter with the reason."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why the update is returned, so the reporter can fix it.")})
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


def check_can_withdraw(user, update: ProgressUpdate) -> None:
    """Raise PermissionDenied, saying why, unless ``user`` may withdraw ``update`` in its present state.

    ``withdraw_update`` checks it under the lock; the withdraw page asks first, so nobody writes a reason
    only to be refused.
    """
    reviewer = user.has_perm("recommendations.review_progress")
    if update.state == ReviewState.VERIFIED:
        if not reviewer:
            raise PermissionDenied(_("Only a reviewer can withdraw a verified update."))
    elif not (user.is_authenticated and update.created_by_id == user.pk) and not reviewer:
        raise PermissionDenied(_("You can only withdraw your own updates."))


@transaction.atomic
def withdraw_update(*, update: ProgressUpdate, user, expected_version: int | None, reason: str = "") -> ProgressUpdate:
    """Take an update out of review or out of the record; it stays visible to staff.

    Reporters withdraw their own updates while they await review or were
    returned. Reviewers may also withdraw a verified update (with a reason);
    the pair's current status is then recomputed from what remains.
    """
    refuse_nul(reason=reason)
    update = _locked(update, expected_version)
    if update.state == ReviewState.WITHDRAWN:
        raise _stale(update)
    check_can_withdraw(user, update)
    if update.state == ReviewState.VERIFIED and not reason.strip():
        raise ValidationError({"reason": _("Say why a verified update is withdrawn.")})
    was_counted = update.state == ReviewState.VERIFIED
    update.state = ReviewState.WITHDRAWN
    update.withdrawn_by, update.withdrawn_at, update.withdrawal_reason = user, timezone.now(), reason.strip()
    update.version += 1
    _record(update, user, "withdrawn" + (f": {reason.strip()[:200]}" if reason.strip() else ""), AuditAction.WITHDRAWN)
    if was_counted:
        refresh_current_status(actor_id=update.actor_id, recommendation_id=update.recommendation_id)
    return update
