"""Serve a read again, once, when its database connection was lost in the middle (a PostgreSQL restart).

A fast restart of PostgreSQL cuts every open connection at once: a query running at that moment fails, on
every app server together, so the balancer's retry on another server can meet the same failure. A GET or
HEAD changes nothing, so it is safe to run the view again: this closes the lost connection and calls the view
once more; opening a new connection waits for the database to be back (``DATABASE_CONNECT_WAIT``,
tracker/postgresql/base.py). Anything else — a POST, a second failure, a connection lost inside a
transaction that is still open — is left to recommendations.middleware.DatabaseUnavailableMiddleware, whose
clear 503 says nothing was saved.

Placed after DatabaseUnavailableMiddleware in MIDDLEWARE, so that its process_exception runs first.
"""

import logging

from django.db import connections

from recommendations.middleware import is_connection_failure

logger = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD"})


class RetrySafeRequestsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.method not in SAFE_METHODS or getattr(request, "_served_again", False):
            return None
        if not is_connection_failure(exception) or request.resolver_match is None:
            return None
        if getattr(exception.__cause__, "waited_for_database", False):
            return None  # the connection already waited DATABASE_CONNECT_WAIT for it: a long outage, not a restart
        open_transactions = [c for c in connections.all(initialized_only=True) if c.in_atomic_block]
        if open_transactions:
            return None  # a transaction around the view (a test, ATOMIC_REQUESTS) cannot be started again
        request._served_again = True
        for connection in connections.all(initialized_only=True):
            connection.close()
        logger.warning("database connection lost on %s; serving it again: %s", request.path, exception)
        match = request.resolver_match
        try:
            return match.func(request, *match.args, **match.kwargs)
        except Exception as again:
            if is_connection_failure(again):
                return None  # the clear 503
            raise
