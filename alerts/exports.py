"""Large exports built by a worker and offered as a download link when ready.

The CSV and JSON exports stream and never come here; an XLSX workbook must
be written whole before its first byte leaves, so above
``EXPORT_IN_BACKGROUND_ABOVE`` rows the status view hands the request over:
``start_export`` records a job (or reuses an identical recent one) and
enqueues ``tasks.build_export``; the job page refreshes itself (no
JavaScript needed) until the file is ready.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation

from .models import ExportJob, ExportState

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# The same export asked again within this time gets the same job (a reload, a second click, a colleague).
REUSE = datetime.timedelta(minutes=30)


def export_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def start_export(*, format: str, query: str, user=None, language: str | None = None) -> str:
    """Record (or reuse) a background export and enqueue it; returns the job page's URL.

    ``language`` (the request's, by default the active one) is recorded on the job: the worker has no request, and
    the workbook's "about" sheet speaks the requester's language. The same query in another language is another job.
    """
    from . import tasks

    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}")
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with transaction.atomic():
        recent = (
            ExportJob.objects.filter(
                format=format, query=query, language=language, created_at__gte=timezone.now() - REUSE
            )
            .exclude(state=ExportState.FAILED)
            .first()
        )
        job = recent or ExportJob.objects.create(
            format=format,
            query=query,
            language=language,
            user=user if getattr(user, "is_authenticated", False) else None,
        )
        if recent is None:
            tasks.build_export.delay(job.pk)
    return reverse("alerts:export", args=[job.token])


def build_export(*, job_id: int) -> ExportJob | None:
    """Write the job's file (idempotent: a finished job is left alone). The file appears whole or not at all."""
    from recommendations import reports
    from recommendations.filters import StatusFilter
    from recommendations.views.status import write_xlsx

    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state == ExportState.READY:
            return job
        job.state = ExportState.RUNNING
        job.save(update_fields=["state"])
    # The worker has no request: the "about" sheet and a filter error speak the requester's language.
    with translation.override(job.language):
        filterset = StatusFilter(QueryDict(job.query) if job.query else None)
        if filterset.is_bound and not filterset.is_valid():
            ExportJob.objects.filter(pk=job.pk).update(
                state=ExportState.FAILED, error=" ".join(filterset.error_messages()), finished_at=timezone.now()
            )
            return job
        scope = reports.build_scope(filterset)
        folder = export_dir()
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{job.token}.{job.format}"
        partial = final.with_suffix(".part")
        with partial.open("wb") as handle:
            write_xlsx(filterset, scope, handle, query=job.query)
        partial.replace(final)  # atomic: a reader never sees half a workbook
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportState.READY,
            file=final.name,
            rows=reports.count_pairs(scope),
            finished_at=timezone.now(),
            error="",
        )
    job.refresh_from_db()
    return job


def fail_export(*, job_id: int, error):
    """``error`` may be a lazy translation: it is written in the requester's language."""
    language = ExportJob.objects.filter(pk=job_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        error = str(error)
    ExportJob.objects.filter(pk=job_id).exclude(state=ExportState.READY).update(
        state=ExportState.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def delete_old_exports(*, now=None) -> int:
    """Remove prepared files after EXPORT_KEEP_HOURS, and their jobs."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(created_at__lt=now - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS))
    for name in old.exclude(file="").values_list("file", flat=True):
        (export_dir() / name).unlink(missing_ok=True)
    deleted, _ = old.delete()
    return deleted


def file_path(job: ExportJob) -> Path | None:
    if job.state != ExportState.READY or not job.file:
        return None
    path = export_dir() / job.file
    return path if path.exists() else None
