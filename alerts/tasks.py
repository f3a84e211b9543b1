"""Background tasks of the tracker. Payloads are ids; every task is safe to run twice.

Retries are bounded (``max_retries``), with backoff, and only for failures
that a retry can cure (a lost database connection, a mail server that did
not answer); each task has soft and hard time limits.
"""

import logging
import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError
from django.utils.translation import gettext_lazy

from . import exports, services

log = logging.getLogger(__name__)

TRANSIENT = (DatabaseError, smtplib.SMTPException, ConnectionError, TimeoutError)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": 5, "retry_backoff_max": 300, "max_retries": 3}


@shared_task(name="alerts.send_digests", soft_time_limit=600, time_limit=660, **RETRY)
def send_digests() -> int:
    """Every few minutes: collect new notifications, then enqueue the digests due now, in batches of people."""
    services.collect_notifications()
    due = services.due_digests()
    for batch in services.batches(due):
        send_digest_batch.delay([[user_id, period] for user_id, period in batch])
    return len(due)


@shared_task(name="alerts.send_digest_batch", soft_time_limit=300, time_limit=360, **RETRY)
def send_digest_batch(pairs: list) -> int:
    """The digests of a batch of people ([person id, period] pairs): how many emails left."""
    return services.send_digests(pairs=[(int(user_id), str(period)) for user_id, period in pairs])


@shared_task(name="alerts.send_digest", soft_time_limit=60, time_limit=90, **RETRY)
def send_digest(user_id: int, period: str) -> bool:
    return services.send_digest(user_id=user_id, period=period)


@shared_task(name="alerts.collect_notifications", **RETRY)
def collect_notifications() -> int:
    return services.collect_notifications()


@shared_task(name="alerts.check_current_statuses", soft_time_limit=600, time_limit=660, **RETRY)
def check_current_statuses(sample: int = 500) -> int:
    return len(services.check_current_statuses(sample=sample).differences)


@shared_task(name="alerts.build_export", bind=True, soft_time_limit=1800, time_limit=1900, **RETRY)
def build_export(self, job_id: int) -> None:
    try:
        exports.build_export(job_id=job_id)
    except SoftTimeLimitExceeded:
        exports.fail_export(
            job_id=job_id, error=gettext_lazy("The export took too long; narrow the filters and try again.")
        )
        raise
    except TRANSIENT:
        if self.request.retries >= self.max_retries:
            exports.fail_export(job_id=job_id, error=gettext_lazy("The export failed several times; try again later."))
        raise


@shared_task(name="alerts.delete_old_exports", **RETRY)
def delete_old_exports() -> int:
    return exports.delete_old_exports()


@shared_task(name="alerts.sweep_uploads", soft_time_limit=600, time_limit=660, **RETRY)
def sweep_uploads(hours: int = 24) -> int:
    """Hourly: delete import previews abandoned for a day, stray uploads and kept evidence files past their day."""
    import datetime

    from recommendations import services as tracker

    swept = tracker.sweep_imports(older_than=datetime.timedelta(hours=hours))
    return swept["uploads"] + swept["batches"]


@shared_task(name="alerts.prune", **RETRY)
def prune() -> int:
    return services.prune()


@shared_task(name="alerts.compact_year_end_changes", soft_time_limit=600, time_limit=660, **RETRY)
def compact_year_end_changes() -> dict:
    """Nightly: merge each key's YearEndChange rows into one, beside concurrent writers (the rule and why it is
    safe: ``services.year_ends.compact_year_end_changes``); returns its figures."""
    from recommendations import services as tracker

    return tracker.compact_year_end_changes()
