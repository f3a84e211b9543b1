"""Django's PostgreSQL backend, waiting a few seconds for a database that is restarting instead of failing.

While PostgreSQL restarts (a fast shutdown and start take a second or two) a new connection is refused, or
told that the database is starting up or shutting down. Without this, every request in that moment answers
503 — on every app server at once, so the balancer has nowhere to retry it. With it, opening a connection
is tried again, with a growing pause, for up to ``DATABASE_CONNECT_WAIT`` seconds (``settings``; 0 turns it
off): a restart costs those requests a little time instead of an error page. Only opening a connection is
repeated — nothing has been sent to the database yet, so it is safe for a POST too. A query that was running
when the server went away still fails (the request gets the clear 503 of DatabaseUnavailableMiddleware).

Selected by tracker/settings.py for every ``postgres://`` DATABASE_URL.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        wait = float(getattr(settings, "DATABASE_CONNECT_WAIT", 0))
        deadline = time.monotonic() + wait
        pause = 0.05
        while True:
            try:
                return super().get_new_connection(conn_params)
            except self.Database.OperationalError as error:
                # Refused, starting up, shutting down, unreachable: the driver gives no SQLSTATE for any of
                # them, so every failure to connect is tried again until the deadline (a wrong password
                # then takes that long to be reported, and is reported the same way).
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    # It waited the whole time: serving the request again (tracker/middleware.py) would not help.
                    error.waited_for_database = wait > 0
                    raise
                time.sleep(min(pause, remaining))  # the last try at the deadline itself
                pause = min(pause * 2, 0.5)
