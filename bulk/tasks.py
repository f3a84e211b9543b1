"""The bulk review on the background worker. The payload is the job's id; running it twice does nothing twice."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _

from alerts.tasks import RETRY, TRANSIENT

from . import services


@shared_task(name="bulk.run_bulk_review", bind=True, soft_time_limit=3600, time_limit=3700, **RETRY)
def run_bulk_review(self, job_id: int) -> None:
    try:
        services.run_bulk_review(job_id=job_id)
    except SoftTimeLimitExceeded:
        services.fail_bulk_review(job_id=job_id, error=_("The bulk review took too long; what was done stays done."))
        raise
    except TRANSIENT:
        if self.request.retries >= self.max_retries:
            services.fail_bulk_review(job_id=job_id, error=_("The bulk review failed several times; try again later."))
        raise
