"""Request guards: a clear 400 for a NUL character in the address, and a clear, retryable 503 when the
database cannot be reached.

Only a connection that cannot be made or was lost gets the 503: any other database error (a missing
column, a deadlock, a statement timeout…) is a real error, left to Django, which logs it with its
traceback and answers 500.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

# PostgreSQL SQLSTATEs of a connection that failed or is going away: class 08 (connection exception),
# 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up or shutting down).
CONNECTION_SQLSTATE_CLASS = "08"
SHUTDOWN_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})
# SQLite: the database file cannot be opened.
SQLITE_CONNECTION_ERRORS = frozenset({"SQLITE_CANTOPEN"})


def is_connection_failure(error: BaseException) -> bool:
    """True when a database error means the database cannot be reached (connect refused, connection lost).

    Decided from the driver's own error (Django's exception wraps it as ``__cause__``): PostgreSQL's
    SQLSTATE when the server sent one; the PostgreSQL client library reports a refused, dropped or
    closed connection without one; SQLite names its error.
    """
    if isinstance(error, OperationalError | InterfaceError):
        cause = error.__cause__
    elif _is_driver_connection_error(error):
        # The driver's own error, which Django did not wrap: Django converts the errors of a cursor's execute and
        # fetch, not of its close, and closing a server-side cursor (a queryset read with iterator()) talks to
        # the server, so a connection cut just before fails there.
        cause = error
    else:
        return False
    if cause is None:
        return False
    sqlstate = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(CONNECTION_SQLSTATE_CLASS) or sqlstate in SHUTDOWN_SQLSTATES
    if type(cause).__module__.split(".")[0] in ("psycopg2", "psycopg"):
        return True
    return getattr(cause, "sqlite_errorname", None) in SQLITE_CONNECTION_ERRORS


def _is_driver_connection_error(error: BaseException) -> bool:
    """An OperationalError or InterfaceError of the PostgreSQL driver itself (psycopg2 or psycopg)."""
    if type(error).__module__.split(".")[0] not in ("psycopg2", "psycopg"):
        return False
    return any(kind.__name__ in ("OperationalError", "InterfaceError") for kind in type(error).__mro__)


class DatabaseUnavailableMiddleware:
    """While the database restarts, say so, and tell clients when to retry (nothing was saved)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_connection_failure(exception):
            return None  # Django logs it with its traceback and answers 500
        logger.warning("database connection failed on %s; answered 503: %s", request.path, exception)
        body = render_to_string("503.html", request=None)
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "5"
        return response


class RefuseNulMiddleware:
    """Refuse an address (path or query string) holding a NUL character, with a message.

    No page needs one, and PostgreSQL cannot compare text that holds one, so a search or a code with a
    NUL would otherwise fail there (SQLite accepts it). Forms refuse a NUL in what they post, field by field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            # xgettext:no-python-format (%00 is how the address writes the character)
            message = gettext(
                "This address contains a NUL character (%00), which no page accepts; remove it and try again."
            )
            if request.path.startswith("/api/"):
                # The API's errors are JSON with "detail" (its schema says so: api/schema.py), this one too.
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")
        return self.get_response(request)
