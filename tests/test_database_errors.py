"""Only a database that cannot be reached gets the "briefly unavailable" 503; every other database error is a
real 500, logged with its traceback, so that a missing column or a deadlock is seen and fixed, not hidden.

The errors are real ones from the database driver: a connection to a port (or a file) where there is no
database, a connection whose server process is terminated, a query on a column that does not exist, a
statement cancelled by its timeout, and the error PostgreSQL raises on a deadlock.
"""

import contextlib
import logging
import time

import pytest
from django.db import connection, transaction
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import Client
from django.urls import path

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
POSTGRES = connection.vendor == "postgresql"


def _other_connection(**changes):
    """A second connection, configured like the default one with ``changes``, as another worker would have."""
    settings_dict = {**connection.settings_dict, **changes}
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="other")


def unreachable(cursor):
    changes = {"PORT": "1", "HOST": "127.0.0.1"} if POSTGRES else {"NAME": "/nonexistent-folder/tracker.sqlite3"}
    other = _other_connection(**changes)
    try:
        other.cursor().execute("SELECT 1")
    finally:
        with contextlib.suppress(Exception):
            other.close()


def _terminate(cursor, other):
    pid = other.connection.get_backend_pid()
    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    for _ in range(100):  # the server ends the process asynchronously
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        if not cursor.fetchone()[0]:
            break
        time.sleep(0.02)


def lost(cursor):
    other = _other_connection()
    try:
        other.ensure_connection()
        _terminate(cursor, other)
        other.cursor().execute("SELECT 1")
    finally:
        with contextlib.suppress(Exception):
            other.close()


def lost_closing_a_cursor(cursor):
    """A queryset read chunk by chunk (``iterator()``; a form's choices) uses a server-side cursor, which Django's
    cursor_iter closes once the rows are read. Django converts the driver's errors from execute and fetch, not
    from close: a connection cut just before the close fails with the driver's own error (what
    `make cluster-faults` met on /reports/table/ while PostgreSQL restarted)."""
    other = _other_connection()
    try:
        chunked = other.chunked_cursor()
        chunked.execute("SELECT generate_series(1, 100)")
        chunked.fetchmany(100)
        _terminate(cursor, other)
        chunked.close()
    finally:
        with contextlib.suppress(Exception):
            other.close()


def missing_column(cursor):
    cursor.execute("SELECT no_such_column FROM recommendations_actor")


def deadlock(cursor):
    # What PostgreSQL raises in the transaction it picks as a deadlock's victim (SQLSTATE 40P01).
    cursor.execute("DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$")


def timeout(cursor):
    cursor.execute("SET LOCAL statement_timeout = '20ms'")
    cursor.execute("SELECT pg_sleep(2)")


FAULTS = {"unreachable": unreachable, "lost": lost, "missing-column": missing_column}
FAULTS_POSTGRES = {"deadlock": deadlock, "timeout": timeout, "lost-closing-a-cursor": lost_closing_a_cursor}


def fault_view(request, fault):
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: the test's transaction survives
        {**FAULTS, **FAULTS_POSTGRES}[fault](cursor)
    return HttpResponse("no error")


urlpatterns = [path("fault/<str:fault>/", fault_view)]


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def logged():
    """Records of Django's request logger (it does not propagate to pytest's capture)."""
    handler, logger = Records(), logging.getLogger("django.request")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


@pytest.mark.parametrize("fault", ["unreachable", "lost", "lost-closing-a-cursor"])
def test_a_database_that_cannot_be_reached_gets_a_retryable_503(fault, logged, caplog):
    if fault.startswith("lost") and not POSTGRES:
        pytest.skip("an SQLite file has no server connection to lose")
    response = Client(raise_request_exception=False).get(f"/fault/{fault}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing you just sent was saved" in response.content.decode()
    assert any("database connection failed" in r.getMessage() for r in caplog.records)
    assert not [r for r in logged if r.exc_info], "not an internal error: no traceback"


@pytest.mark.parametrize("fault", ["missing-column", "deadlock", "timeout"])
def test_other_database_errors_are_real_500s_logged_with_their_traceback(fault, logged):
    if fault in FAULTS_POSTGRES and not POSTGRES:
        pytest.skip("a PostgreSQL error")
    response = Client(raise_request_exception=False).get(f"/fault/{fault}/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    errors = [r for r in logged if r.levelno >= logging.ERROR]
    assert errors and errors[0].exc_info, "the error must be logged with its traceback"
    assert type(errors[0].exc_info[1]).__name__ in ("OperationalError", "ProgrammingError")
