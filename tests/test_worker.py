"""The real thing: a Celery worker (in a thread) against the real Redis runs the digest end to end.

Redis DB 13 and a queue name of its own keep other test runs on this machine out of the way.
`.ci/run` starts Redis when it is not answering and sets REDIS_TESTS=required, so there the
test fails instead of skipping when Redis is missing.
"""

import datetime
import os
import smtplib
import time
import uuid

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as Mailbox
from django.db import OperationalError, connection
from django.db.backends.signals import connection_created
from django.utils import timezone

from alerts import services, tasks
from alerts.models import Digest, Watermark
from recommendations import services as tracker
from recommendations.models import Recommendation

from .factories import filed
from .redis_server import require_redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def real_worker(seeded_transactional_db):
    import redis
    from celery.contrib.testing.worker import start_worker

    from tracker.celery import app

    require_redis(REDIS_URL)
    _reads_pass_the_workers_writes()
    queue = f"tracker-test-{uuid.uuid4().hex[:10]}"
    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    _reconnect(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"):
            yield app
    finally:
        connection_created.disconnect(_read_uncommitted)
        app.conf.update(saved)
        _reconnect(app)
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(queue, *client.keys(f"{queue}*"))


def _read_uncommitted(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


def _reads_pass_the_workers_writes():
    """On SQLite the tests' in-memory database is shared between the test's thread (the web requests) and the
    worker's through SQLite's shared cache, where a read that meets the worker's open write transaction fails at once
    with "database table is locked" (SQLITE_LOCKED: the busy timeout does not apply to the shared cache's table locks)
    -- a page read while the worker imports failed so in CI. A file database in WAL mode, as `make run` serves, lets
    readers pass a writer; read-uncommitted is the shared cache's way to let them: every connection opened while the
    worker runs (the worker's own included) reads without table locks."""
    if connection.vendor != "sqlite":
        return
    connection_created.connect(_read_uncommitted)
    if connection.connection is not None:
        _read_uncommitted(None, connection)


def _reconnect(app):
    """Forget connections, producers and queues made for the previous configuration (eager tests make some)."""
    app._pool = None
    app.__dict__.pop("amqp", None)  # a cached property: rebuilt from the current configuration


def wait_for(condition, seconds=90):
    """Polls ``condition`` until it holds. On SQLite the tests' in-memory database is shared between this thread and
    the worker's through SQLite's shared cache, where a read that meets the worker's open write transaction fails at
    once with "database table is locked" (SQLITE_LOCKED: the busy timeout does not apply to the shared cache's table
    locks). That answers "not yet", as a read of the row before the write would: poll again."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError as error:
            if "is locked" not in str(error):
                raise
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_digest_once_and_retries_a_failed_send(real_worker, people, monkeypatch):
    from django.contrib.auth.models import User

    follower = User.objects.create_user("follower", email="follower@example.org")
    services.follow(user=follower, target=Recommendation.objects.get(code="R56"))
    Watermark.objects.create(name="notifications", at=timezone.now() - datetime.timedelta(hours=1))
    update = filed(user=people.reporter_a, organization=people.org_a)
    tracker.verify_update(update=update, reviewer=people.reviewer2, expected_version=update.version)
    # The mail server drops the first message it is given: the task retries (bounded, with backoff).
    attempts = []
    real_send = Mailbox.send_messages

    def flaky_send(self, messages):
        attempts.append(messages[0].to)
        if len(attempts) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, messages)

    monkeypatch.setattr(Mailbox, "send_messages", flaky_send)
    mail.outbox.clear()
    tasks.send_digests.delay()
    recipients = {"follower@example.org", "reporter_a@example.org", "reviewer@example.org"}
    assert wait_for(lambda: {m.to[0] for m in mail.outbox} >= recipients), ([m.to for m in mail.outbox], attempts)
    # The dropped message was retried. (On SQLite a worker thread can also meet a locked database and
    # retry once more; what must hold is that the failure was retried and nobody gets two digests.)
    assert attempts.count(attempts[0]) >= 2, attempts
    # Running the whole digest task again on the worker sends nothing more.
    before = Watermark.objects.get(name="notifications").at
    tasks.send_digests.delay()
    assert wait_for(lambda: Watermark.objects.get(name="notifications").at > before)  # the second run has collected
    time.sleep(1)  # and had time to enqueue anything it found (it found nothing)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(recipients)
    follower_digest = Digest.objects.get(user=follower)
    assert follower_digest.sent_at is not None and follower_digest.items == 1
