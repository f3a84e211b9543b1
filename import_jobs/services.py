"""Imports on the background worker: start a phase (preview, confirm), run it, report how far it is, retry it.

The rules stay in ``recommendations.services`` (``preview_import``,
``confirm_import``: one transaction, all or nothing, once however many
times they run); this module only moves an import's ``ImportJob`` along:
queued → running → done (or failed, with the reason). Every run is safe to
repeat: a run of a phase that is already done does nothing, and a confirm
whose worker died mid-write (its transaction rolled back) writes
everything on the next run. Without ``CELERY_BROKER_URL`` the task runs at
once in the request (Celery's eager mode), so the page needs no worker.
"""

import datetime
import io

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from languages.numbers import count
from recommendations import imports
from recommendations import services as tracker
from recommendations.models import ImportBatch, ImportState

from . import plans
from .models import ImportJob, JobState, Phase
from .progress import Reporter

WAITING = (JobState.QUEUED, JobState.RUNNING)


def stalled_after() -> datetime.timedelta:
    """A job with no sign of life for this long is offered a retry (its worker probably died)."""
    return datetime.timedelta(seconds=settings.IMPORT_JOB_STALLED_AFTER)


def _send(task, *args) -> None:
    from tracker.celery import app

    # The plan and the messages a run stores (reasons, notes, labels) are read by the person who asked, in their
    # language, whatever language the worker's process speaks.
    language = {"language": translation.get_language()}
    if app.conf.task_always_eager:
        task.apply(args=args, kwargs=language)  # no worker: now, in this request (also inside a transaction)
    else:
        task.delay(*args, **language)  # to the worker, once the current transaction commits


def _batch(batch_id) -> ImportBatch:
    try:
        return ImportBatch.objects.select_related("organization", "created_by").get(pk=batch_id)
    except (ImportBatch.DoesNotExist, ValidationError, ValueError):
        raise ValidationError(
            _("This import is not there any more (discarded, or swept after a day); upload the file again.")
        ) from None


def _queue(batch: ImportBatch, phase: str, user, *, total: int) -> ImportJob:
    job, _ = ImportJob.objects.update_or_create(
        batch=batch,
        defaults={
            "phase": phase,
            "state": JobState.QUEUED,
            "requested_by": user,
            "rows_done": 0,
            "rows_total": total,
            "attempts": 0,
            "queued_at": timezone.now(),
            "started_at": None,
            "heartbeat_at": None,
            "finished_at": None,
            "error": "",
            "refused": False,
        },
    )
    return job


def start_preview(*, batch: ImportBatch, user) -> ImportJob:
    """Check a stored upload (``preview_import``) on the worker; returns its job (already done when eager)."""
    from . import tasks

    job = _queue(batch, Phase.PREVIEW, user, total=0)
    _send(tasks.preview_import, str(batch.pk))
    job.refresh_from_db()
    return job


def start_confirm(*, batch_id, user) -> ImportJob:
    """Confirm a previewed batch (``confirm_import``) on the worker; returns its job (already done when eager).

    Only a confirmation the service would accept goes to the worker: the
    importer's, or a second reviewer's for a batch awaiting review. Any
    other (someone else's batch, a closed one) is refused here, by the
    service itself, before anything is queued: it refuses before any work.
    """
    from . import tasks

    batch = _batch(batch_id)
    own = batch.created_by_id == user.pk and not batch.system_reason
    accepted = (batch.state == ImportState.PREVIEWED and own) or (
        batch.state == ImportState.AWAITING_REVIEW and tracker.can_review(user, batch)
    )
    if not accepted:
        tracker.confirm_import(batch_id=batch.pk, user=user)  # raises the service's own refusal
        raise PermissionDenied(_("This import cannot be confirmed by you now."))
    # The job row locked from the look to the queueing: two tabs confirming at once each looked at the job
    # before either queued, both queued, and the later run found the earlier one's work done and said nothing, so
    # both tabs said "Imported". Now the later tab finds the earlier one's job queued (its page) or done (re-run,
    # it says "already imported").
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().filter(batch=batch).first()
        if current and current.phase == Phase.CONFIRM and current.state in WAITING and not is_stalled(current):
            return current  # a second click while it runs: the same job
        job = _queue(batch, Phase.CONFIRM, user, total=batch.rows + batch.to_create)
    _send(tasks.confirm_import, str(batch.pk), user.pk)
    job.refresh_from_db()
    return job


def _begin(batch_id, phase: str) -> ImportJob | None:
    """Mark the job running (one more attempt); None when there is nothing to do (gone, or this phase done)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(batch_id=batch_id).first()
        if job is None or job.phase != phase or job.state == JobState.DONE:
            return None
        now = timezone.now()
        job.state, job.attempts = JobState.RUNNING, job.attempts + 1
        job.started_at, job.heartbeat_at, job.rows_done, job.error = now, now, 0, ""
        job.save(update_fields=["state", "attempts", "started_at", "heartbeat_at", "rows_done", "error"])
    return job


def _finish(job: ImportJob, *, error: str = "", refused: bool = False, failed: bool = False, plan=None) -> None:
    fields = {
        "state": JobState.FAILED if failed or refused else JobState.DONE,
        "error": error[:2000],
        "refused": refused,
        "finished_at": timezone.now(),
        "heartbeat_at": timezone.now(),
    }
    if not (failed or refused):
        fields["rows_done"] = job.rows_total
    if plan is not None:
        fields["plan"] = plan
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def count_rows(batch: ImportBatch) -> int:
    """The data rows of the stored upload (the bar's total); 0 when it cannot be read (the preview says why)."""
    try:
        with default_storage.open(batch.file, "rb") as handle:
            data = handle.read(imports.MAX_UPLOAD_BYTES + 1)
        return sum(1 for _ in imports.read_rows(io.BytesIO(data), batch.filename))
    except (imports.ImportFileError, FileNotFoundError, ValueError, OSError):
        return 0


def run_preview(*, batch_id) -> ImportJob | None:
    job = _begin(batch_id, Phase.PREVIEW)
    if job is None:
        return None
    batch = job.batch
    job.rows_total = count_rows(batch)
    ImportJob.objects.filter(pk=job.pk).update(rows_total=job.rows_total)
    reporter = Reporter(job.pk, total=job.rows_total)
    try:
        plan = tracker.preview_import(batch_id=batch_id, progress=reporter)
    except tracker.ImportAlreadyDone as done:
        _finish(job, error=" ".join(done.messages))
    except imports.ImportFileError as refused:
        _finish(job, error=str(refused), refused=True, plan={})
    except (ValidationError, PermissionDenied) as refused:
        _finish(job, error=" ".join(getattr(refused, "messages", [str(refused)])), refused=True)
    else:
        job.rows_total = max(job.rows_total, plan.rows)
        _finish(job, plan=plans.store(plan))
    finally:
        reporter.close()
    return job


def run_confirm(*, batch_id, user_id: int) -> ImportJob | None:
    job = _begin(batch_id, Phase.CONFIRM)
    if job is None:
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    batch = job.batch
    reporter = Reporter(job.pk, total=job.rows_total, offsets={"write": batch.rows})
    try:
        if user is None:
            raise PermissionDenied(_("The account that confirmed this import no longer exists."))
        tracker.confirm_import(batch_id=batch_id, user=user, progress=reporter)
    except tracker.ImportAlreadyDone as done:
        _finish(job, error=" ".join(done.messages))  # an earlier run (or a second click) did it: done
    except (ValidationError, PermissionDenied) as refused:
        _finish(job, error=" ".join(getattr(refused, "messages", [str(refused)])), refused=True)
    else:
        _finish(job)
    finally:
        reporter.close()
    return job


def fail(*, batch_id, error: str) -> None:
    """A run stopped for a reason a retry may cure (time limit, database gone): failed, and offered a retry."""
    ImportJob.objects.filter(batch_id=batch_id).exclude(state=JobState.DONE).update(
        state=JobState.FAILED, error=error[:2000], refused=False, finished_at=timezone.now()
    )


def is_stalled(job: ImportJob) -> bool:
    if job.state not in WAITING:
        return False
    last = job.heartbeat_at or job.started_at or job.queued_at
    return last is not None and timezone.now() - last > stalled_after()


def can_retry(job: ImportJob | None) -> bool:
    if job is None:
        return False
    return (job.state == JobState.FAILED and not job.refused) or is_stalled(job)


def retry(*, batch_id, user) -> ImportJob:
    """Run a failed or stalled phase again (what a dead run wrote was rolled back; a done phase is not redone)."""
    from . import tasks

    batch = _batch(batch_id)
    if not can_see(user, batch):
        raise PermissionDenied(_("Only the importer can retry this import."))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(batch=batch).first()
        if not can_retry(job):
            raise ValidationError(_("This import is not stopped: there is nothing to retry."))
        job.state, job.error, job.queued_at, job.heartbeat_at = JobState.QUEUED, "", timezone.now(), None
        job.save(update_fields=["state", "error", "queued_at", "heartbeat_at"])
    if job.phase == Phase.PREVIEW:
        _send(tasks.preview_import, str(batch.pk))
    else:
        _send(tasks.confirm_import, str(batch.pk), job.requested_by_id or batch.created_by_id)
    job.refresh_from_db()
    return job


def can_see(user, batch: ImportBatch) -> bool:
    """An import's page is for its importer, whoever confirms it as second reviewer, and staff."""
    if not user.is_authenticated:
        return False
    if user.is_staff or batch.created_by_id == user.pk:
        return True
    return ImportJob.objects.filter(batch=batch, requested_by=user).exists()


def progress(job: ImportJob | None) -> dict:
    """How far a job is, for the page and its JSON: rows done of total, percent, an estimate of the time left."""
    if job is None:
        return {"state": JobState.DONE, "total": 0, "processed": 0, "percent": 100, "seconds_left": None}
    total, done = job.rows_total, min(job.rows_done, job.rows_total)
    seconds_left = None
    if job.state == JobState.RUNNING and done and job.started_at:
        elapsed = (timezone.now() - job.started_at).total_seconds()
        seconds_left = round(elapsed / done * (total - done))
    percent = round(100 * done / total) if total else (100 if job.state == JobState.DONE else 0)
    stalled = is_stalled(job)
    state = job.get_state_display()
    names = {"phase": job.get_phase_display(), "state": state.lower(), "done": count(done), "total": count(total)}
    names["percent"] = percent
    if seconds_left is not None:
        names["left"] = describe_seconds(seconds_left)
        message = _("%(phase)s: %(state)s. %(done)s of %(total)s rows (%(percent)s%%), %(left)s left.") % names
    else:
        message = _("%(phase)s: %(state)s. %(done)s of %(total)s rows (%(percent)s%%).") % names
    if stalled:
        message += " " + _("No news from the worker for a while: you can retry below.")
    return {
        "state": "stalled" if stalled else job.state,
        "phase": job.phase,
        "total": total,
        "processed": done,
        "percent": percent,
        "seconds_left": seconds_left,
        "message": message,
    }


def describe_seconds(seconds: int) -> str:
    if seconds < 60:
        n = max(seconds, 1)
        return ngettext("about %(n)s second", "about %(n)s seconds", n) % {"n": n}
    minutes = round(seconds / 60)
    return ngettext("about %(n)s minute", "about %(n)s minutes", minutes) % {"n": minutes}
