"""Imports: one batch from upload to confirmation."""

import datetime
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from languages.dates import long_date_and_time

from .. import kept_uploads
from ..models import (
    OPEN_IMPORT_STATES,
    Actor,
    ActorKind,
    AuditAction,
    ImportBatch,
    ImportState,
    ProgressUpdate,
    ReviewState,
)
from .audit import record_event
from .current_status import refresh_current_statuses
from .people import check_can_file
from .progress import can_review
from .validation import _UNSAFE_CHARACTERS, HISTORY_REASON_MAX, unsafe_text
from .writers import SystemActor, _person, acting

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
    from .. import imports

    who = acting(user, system)
    person = _person(who)
    if organization is None or organization.kind != ActorKind.ORGANIZATION:
        raise ValidationError({"organization": _("Choose the organization these updates are filed for.")})
    check_can_file(who, organization)
    source = (source or "").strip()
    if verified:
        if person is not None and not person.has_perm("recommendations.review_progress"):
            raise PermissionDenied(_("Only reviewers can import updates as verified."))
        if not source:
            raise ValidationError({"source": _("Cite the source that makes these updates verified.")})
        if problem := unsafe_text(source, "source"):
            raise ValidationError({"source": problem})
        if len(source) > 500:
            raise ValidationError({"source": _("Keep the source under 500 characters.")})
    # The name is only shown; control characters (a NUL would fail on PostgreSQL) are dropped.
    shown = _UNSAFE_CHARACTERS.sub("", Path(filename or "").name).strip()[:200] or "upload"
    suffix = Path(shown).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise ValidationError({"file": _("Upload a .csv or .xlsx file (the formats the status export writes).")})
    if getattr(file, "size", 0) > imports.MAX_UPLOAD_BYTES:
        limit = imports.MAX_UPLOAD_BYTES // 1_048_576
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": f"{file.size / 1_048_576:.1f}", "limit": limit}
            }
        )
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
    from .. import imports

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
    from .. import imports

    who = acting(user, system)
    person = _person(who)
    with transaction.atomic():
        batch = _locked_batch(batch_id)
        own = batch.created_by_id == getattr(person, "pk", None) and bool(batch.system_reason) == (person is None)
        if batch.state == ImportState.AWAITING_REVIEW:
            if person is None or not person.has_perm("recommendations.review_progress"):
                raise PermissionDenied(_("Only reviewers can confirm an import as verified."))
            if not can_review(person, batch):
                raise PermissionDenied(
                    _("A second reviewer must confirm your import as verified; it waits in the review queue.")
                )
        elif batch.state in (ImportState.PREVIEWED, ImportState.UPLOADED):
            if not own:
                raise PermissionDenied(_("Only the person who uploaded this file can confirm its import."))
            if batch.state == ImportState.UPLOADED:
                raise ValidationError(_("This file has not been previewed yet: preview it first."))
            if batch.verified and person is not None:
                if not person.has_perm("recommendations.review_progress"):
                    raise PermissionDenied(_("Only reviewers can import updates as verified."))
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
            raise ValidationError(_("Nothing was written: %(error)s") % {"error": error}) from error
        if plan.rejected:
            raise ValidationError(
                _(
                    "Nothing was written: %(n)s row(s) are rejected now (the tracker changed since "
                    "the preview). Preview the file again to see why."
                )
                % {"n": plan.rejected_rows}
            )
        if not plan.create:
            raise ValidationError(_("Nothing was written: every row is already in the tracker now."))
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
                perspective=row.perspective,
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
        raise ValidationError({"reason": _("Say why the import is returned, so the importer can fix the file.")})
    if problem := unsafe_text(reason, "reason"):
        raise ValidationError({"reason": problem})
    batch = _locked_batch(batch_id)
    if batch.state != ImportState.AWAITING_REVIEW:
        raise ImportAlreadyDone(_closed_message(batch))
    if not can_review(user, batch):
        raise PermissionDenied(_("A second reviewer must review your own import; you can discard it instead."))
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
        raise PermissionDenied(_("Only the person who uploaded this file can discard it."))
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
            _("This import is not there any more (discarded, or swept after a day); upload the file again.")
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
        return _("This file was already imported on %(when)s (%(n)s updates). Nothing was written again.") % {
            "when": long_date_and_time(when),
            "n": batch.created,
        }
    if batch.state == ImportState.AWAITING_REVIEW:
        return _("This import was already sent to a second reviewer; it waits in the review queue.")
    if batch.state == ImportState.RETURNED:
        return _("This import was returned by a reviewer: %(note)s Upload a corrected file.") % {
            "note": batch.review_note
        }
    if batch.state == ImportState.REJECTED:
        return _("This import was refused because of errors in the file; upload a corrected file.")
    return _("This import was discarded; upload the file again.")


def _name(who) -> str:
    if isinstance(who, SystemActor):
        return "the tracker (system)"
    return who.get_full_name() or who.username
