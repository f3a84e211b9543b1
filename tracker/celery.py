"""The Celery application: background tasks and schedules.

With ``CELERY_BROKER_URL`` set (e.g. ``redis://127.0.0.1:6379/0``) tasks go
to the broker and ``make worker`` runs them (worker + beat, schedules kept
in the database by django-celery-beat and editable in the admin). Without
it, tasks run eagerly inside the process that enqueues them, so ``make run``
works on a bare machine; schedules then do not run.

``TransactionAwareTask`` (pretix's idea) holds a task sent inside a database
transaction until that transaction commits: a worker never looks for a row
that is not there yet, and a rolled-back write enqueues nothing.
"""

import os

from celery import Celery, Task
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")


class TransactionAwareTask(Task):
    # Safe defaults for every task of the tracker: ids as payloads, idempotent bodies.
    acks_late = True  # a task whose worker dies is delivered again
    reject_on_worker_lost = True
    max_retries = 3
    soft_time_limit = 300
    time_limit = 360

    def apply_async(self, args=None, kwargs=None, **options):
        if transaction.get_connection().in_atomic_block:
            # After the commit (eagerly too: then it runs in this process once the write is visible).
            transaction.on_commit(lambda: super(TransactionAwareTask, self).apply_async(args, kwargs, **options))
            return None
        return super().apply_async(args, kwargs, **options)


app = Celery("tracker", task_cls=TransactionAwareTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
