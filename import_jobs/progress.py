"""How far a running import is, written where the page can read it while the import's transaction is open.

The confirm plans and writes in one transaction (all or nothing), so
nothing it writes is visible before the commit. Its progress is therefore
written through a second, autocommitting connection to the same database
(PostgreSQL), to the job's row only — a row the import's own transaction
never touches while it runs, so the two never wait on each other (and a
short lock timeout makes sure of it). Progress is a courtesy: any failure
to record it is ignored and never stops an import. On SQLite (one writer
at a time) progress is written only outside a transaction.
"""

import contextlib
import logging
import time

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

EVERY_SECONDS = 0.5


class Reporter:
    """``reporter(step, done)``: ``step`` "check" (rows read and checked) or "write" (updates written).

    The bar counts rows: a preview's ``total`` is the file's rows; a confirm's
    is its rows (checked again) plus the updates it writes.
    """

    def __init__(self, job_id: int, *, total: int, offsets: dict[str, int] | None = None):
        self.job_id, self.total = job_id, total
        self.offsets = offsets or {}
        self.side = None
        self.broken = False
        self.last = 0.0

    def __call__(self, step: str, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < EVERY_SECONDS:
            return
        self.last = now
        self.save(min(self.offsets.get(step, 0) + done, self.total))

    def save(self, rows_done: int) -> None:
        from .models import ImportJob

        if self.broken:
            return
        try:
            if not transaction.get_connection().in_atomic_block:
                ImportJob.objects.filter(pk=self.job_id).update(rows_done=rows_done, heartbeat_at=timezone.now())
                return
            if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
                return
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
                with self.side.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '2s'")
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET rows_done = %s, heartbeat_at = %s WHERE id = %s",  # noqa: S608  # nosec B608 - a table name; the values are parameters
                    [rows_done, timezone.now(), self.job_id],
                )
        except Exception:  # noqa: BLE001 — progress must never stop an import
            log.warning("could not record the progress of import job %s", self.job_id, exc_info=True)
            self.broken = True

    def close(self) -> None:
        if self.side is not None:
            with contextlib.suppress(Exception):
                self.side.close()
            self.side = None
