"""A read (GET, HEAD) that loses its database connection is served again once, inside the server.

When PostgreSQL restarts, a query that was running gets its connection cut; behind a balancer the other
server's queries are cut at the same moment, so nginx's own retry may land on a second failure. Served again
after the connection is re-opened (which waits for the database, tracker/postgresql/base.py), the read
succeeds. A POST is never run twice: it gets the clear 503 (nothing was saved) and the person sends it again.

The failures are real driver errors: a connection to a port (or a file) where there is no database.
"""

import contextlib

import pytest
from django.db import connection
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

# Committed transactions, as in a server: the test's own transaction around a view could not be started again.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls(__name__)]
calls = []


def lose_the_database():
    """What a request whose connection was cut sees: the driver's error for a database it cannot reach."""
    changes = (
        {"PORT": "1", "HOST": "127.0.0.1"}
        if connection.vendor == "postgresql"
        else {"NAME": "/nonexistent-folder/tracker.sqlite3"}
    )
    settings_dict = {**connection.settings_dict, **changes}
    other = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="other")
    try:
        other.cursor().execute("SELECT 1")
    finally:
        with contextlib.suppress(Exception):
            other.close()


@csrf_exempt
def flaky(request, failures):
    calls.append(request.method)
    if len(calls) <= failures:
        lose_the_database()
    return HttpResponse("served")


urlpatterns = [path("flaky/<int:failures>/", flaky)]


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.DATABASE_CONNECT_WAIT = 0  # the lost database stays lost: no waiting in these tests
    calls.clear()


def test_a_read_that_lost_the_database_is_served_again_once():
    response = Client(raise_request_exception=False).get("/flaky/1/")
    assert response.status_code == 200 and response.content == b"served"
    assert calls == ["GET", "GET"]


def test_a_post_is_never_run_twice():
    response = Client(raise_request_exception=False).post("/flaky/1/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert calls == ["POST"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the wait is the PostgreSQL backend's")
def test_a_read_whose_connection_already_waited_for_the_database_is_not_served_again(settings):
    settings.DATABASE_CONNECT_WAIT = 0.3  # the database stays away for longer: a long outage, not a restart
    response = Client(raise_request_exception=False).get("/flaky/1/")
    assert response.status_code == 503
    assert calls == ["GET"]


def test_a_read_that_fails_again_gets_the_clear_503():
    response = Client(raise_request_exception=False).get("/flaky/2/")
    assert response.status_code == 503 and "Nothing you just sent was saved" in response.content.decode()
    assert calls == ["GET", "GET"]
