"""Sessions kept in the database as Django's ``db`` engine keeps them, read by a statement built once.

Every request of a logged-in person reads their session first. Django's engine reads it through the ORM
(``Session.objects.get(session_key=…, expire_date__gt=now)``), which compiles the same SELECT afresh on every
request: 0.2 ms of CPU, more than the person with their roles and organizations (issue 21). ``SessionStore``
runs that SELECT (the same columns; the same rule: this key, not expired) built once per database, on
PostgreSQL as the connection's prepared statement (``recommendations.rows.execute_built``), and turns the
row into a ``Session`` with the ORM's own conversions (``rows.reader``). Everything else (creating, saving,
deleting, clearing expired sessions, the cookie) is Django's ``db`` engine, unchanged: the rows are the same.
"""

import functools

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from recommendations.rows import execute_built, reader


@functools.cache
def _session_sql(vendor: str) -> str:
    """The ORM's read of a session, built once from the model's own table and columns (the key and the time
    are parameters)."""
    q = connection.ops.quote_name
    columns = ", ".join(q(f.column) for f in Session._meta.concrete_fields)
    key, expires = (q(Session._meta.get_field(name).column) for name in ("session_key", "expire_date"))
    return f"SELECT {columns} FROM {q(Session._meta.db_table)} WHERE {key} = %s AND {expires} > %s"  # noqa: S608  # nosec B608


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        # The parameters as the ORM prepares them for this database (SQLite takes the time as text).
        params = [
            Session._meta.get_field("session_key").get_db_prep_value(self.session_key, connection),
            Session._meta.get_field("expire_date").get_db_prep_value(timezone.now(), connection),
        ]
        with connection.cursor() as cursor:
            execute_built(cursor, "session", _session_sql(connection.vendor), params)
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: a key that names no live session is dropped
            return None
        return reader(Session, connection.alias)[0](row)
