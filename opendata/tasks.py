"""Background task of the opendata app: the nightly open-data release (schedule: migration 0001)."""

from celery import shared_task
from django.conf import settings

from alerts.tasks import RETRY

from .package import build_package


@shared_task(name="opendata.build_package", soft_time_limit=3000, time_limit=3300, **RETRY)
def build_open_data() -> str:
    """Write today's release under settings.OPEN_DATA_DIR (replacing an earlier one of the same day)."""
    return str(build_package(settings.OPEN_DATA_DIR))
