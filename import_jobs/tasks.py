"""Imports on the background worker. Payloads are the batch's id (and the confirming person's), and the language
they asked in; safe to run twice."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from alerts.tasks import RETRY, TRANSIENT

from . import services

TOO_LONG = _("It took too long and was stopped; nothing was written. Retry, or split the file.")
GAVE_UP = _("The database did not answer several times; nothing was written. Retry in a moment.")
UNEXPECTED = _("An unexpected error stopped it; nothing was written. Retry, or tell the editors if it happens again.")


def _guarded(task, run, batch_id, *, language=None, **kwargs):
    # In the language of the person who asked (``services._send``); a task queued before it was passed: the site's.
    with translation.override(language or settings.LANGUAGE_CODE):
        return _run(task, run, batch_id, **kwargs)


def _run(task, run, batch_id, **kwargs):
    try:
        return run(batch_id=batch_id, **kwargs)
    except SoftTimeLimitExceeded:
        services.fail(batch_id=batch_id, error=TOO_LONG)
        raise
    except TRANSIENT:
        if task.request.retries >= task.max_retries:
            services.fail(batch_id=batch_id, error=GAVE_UP)
        raise  # retried (bounded, with backoff): the job stays "running" meanwhile
    except Exception:
        services.fail(batch_id=batch_id, error=UNEXPECTED)
        raise


@shared_task(name="import_jobs.preview_import", bind=True, soft_time_limit=900, time_limit=960, **RETRY)
def preview_import(self, batch_id: str, language: str | None = None) -> None:
    """Read and check an uploaded file (nothing is written but the batch's counts and the job's plan)."""
    _guarded(self, services.run_preview, batch_id, language=language)


@shared_task(name="import_jobs.confirm_import", bind=True, soft_time_limit=900, time_limit=960, **RETRY)
def confirm_import(self, batch_id: str, user_id: int, language: str | None = None) -> None:
    """Write a previewed batch's rows in one transaction (all or nothing; once, however often it runs)."""
    _guarded(self, services.run_confirm, batch_id, language=language, user_id=user_id)
