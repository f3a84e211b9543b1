"""Streaming CSV output shared by every export, and the spreadsheet-formula guard of CSV and XLSX.

Rows are written one at a time to the response, so memory stays flat
whatever the number of rows. Every row a spreadsheet export writes passes
through ``guard_row``, which guards every text cell, whatever its column: a
value such as ``=HYPERLINK(...)`` cannot run as a formula when the file is
opened in a spreadsheet, and a column added later is guarded without anyone
having to remember it. Numbers and dates are not text and pass unchanged.
"""

import contextlib
import csv
import io
import queue
import threading
from collections.abc import Iterable, Sequence

from django.http import StreamingHttpResponse

FORMULA_FIRST = frozenset("=+-@\t\r")


def spreadsheet_safe(value) -> str:
    """Render a cell as text; prefix a quote to text a spreadsheet would run as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text and text[0] in FORMULA_FIRST:
        return "'" + text
    return text


def guard_row(row: Iterable) -> list:
    """The row with a quote before every text cell a spreadsheet would run as a formula; other cells as they are."""
    return [("'" + cell) if isinstance(cell, str) and cell[:1] in FORMULA_FIRST else cell for cell in row]


def stream_csv(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, batch: int = 1000
) -> StreamingHttpResponse:
    """A CSV download sent ``batch`` rows at a time: few large writes, flat memory; every row guarded."""

    def lines():
        buffer = io.StringIO()
        # CRLF line ends (RFC 4180): the writer then quotes a field holding a bare CR, which would
        # otherwise end the row early in a spreadsheet (a way to inject rows and cells).
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        yield buffer.getvalue()  # the header leaves at once, before the query has run
        buffer.seek(0)
        buffer.truncate()
        chunk = []
        for row in rows:
            chunk.append(guard_row(row))
            if len(chunk) >= batch:
                writer.writerows(chunk)
                chunk = []
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        writer.writerows(chunk)
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_row(sheet, row: Iterable, formats: dict[int, str] | None = None) -> list:
    """One guarded row of write-only XLSX cells: text cells are typed as text (never a formula), numbers as numbers,
    dates as dates; ``formats`` gives a column's number format (e.g. ``yyyy`` for a year-precision date)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for n, value in enumerate(guard_row(row)):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        elif formats and n in formats and value is not None:
            cell.number_format = formats[n]
        cells.append(cell)
    return cells


_DONE = object()


def copy_csv_chunks(sql: str, params, *, flush_bytes: int = 65536):
    """PostgreSQL: the rows of ``sql`` as CSV bytes from ``COPY (sql) TO STDOUT``, streamed as the server sends them.

    psycopg2's ``copy_expert`` writes into a file object and returns only at
    the end, so it runs in a thread writing ~64 KB chunks into a small queue
    (the first chunk leaves at once), and this generator yields them: memory
    stays flat and the first rows leave before the last are read. The thread
    uses the request's connection while this generator waits (psycopg2
    connections are shared between threads). If the download is abandoned,
    the query is cancelled and the thread ends before the generator does.
    """
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params)
    chunks: queue.Queue = queue.Queue(maxsize=16)
    stopped = threading.Event()

    class Sink:
        def __init__(self):
            self.parts, self.size, self.first = [], 0, True

        def write(self, data):
            if stopped.is_set():
                return  # abandoned: drop what is left while the cancellation arrives
            self.parts.append(data)
            self.size += len(data)
            if self.first or self.size >= flush_bytes:
                self.flush()

        def flush(self):
            if self.parts and not stopped.is_set():
                chunks.put(b"".join(self.parts))
            self.parts, self.size, self.first = [], 0, False

    def run():
        sink = Sink()
        try:
            with raw.cursor() as cursor:
                # Without JIT compilation, as every connection opens (tracker/settings.py): compiling the
                # export's expressions took 3.4 s before its first row (docs/performance.md). Nothing of its
                # own: DATABASE_JIT=1, the one switch, gives the export PostgreSQL's JIT too (jit_above_cost
                # decides; at 1M updates its first row then waits 2.7 s, not 0.1 s), as every statement:
                # overridden here, the switch would mislead whoever measures with it.
                cursor.copy_expert(b"COPY (" + query + b") TO STDOUT WITH (FORMAT csv)", sink, size=65536)
            sink.flush()
            chunks.put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the generator, which raises it
            chunks.put(error)

    worker = threading.Thread(target=run, name="csv-copy", daemon=True)
    worker.start()
    ended = False  # the thread's last word (the end or its error) received: nothing to cancel
    try:
        while True:
            chunk = chunks.get()
            if chunk is _DONE:
                ended = True
                return
            if isinstance(chunk, BaseException):
                ended = True
                raise chunk
            yield chunk
    finally:
        # Abandoned only if the thread had more to say. A thread still alive is not enough: after its last
        # put() it may not have returned yet (a busy machine), and a cancel then would hit the connection's
        # next statement and mark the caller's transaction for rollback.
        if not ended and worker.is_alive():
            stopped.set()
            raw.cancel()
            while worker.is_alive():  # unblock a put() waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    chunks.get(timeout=0.05)
        worker.join()
        if stopped.is_set() and connection.in_atomic_block:
            connection.needs_rollback = True  # the cancelled COPY aborted the transaction it ran in


def stream_copy_csv(filename: str, header: Sequence[str], statements) -> StreamingHttpResponse:
    """A CSV download whose rows PostgreSQL writes itself (``copy_csv_chunks``); the header leaves first.

    ``statements``: (SQL, parameters) pairs whose rows follow each other, each run when the previous
    one is done (``reports.export_copy_statements``). The rows' cells must already be guarded in the
    SQL (``reports.export_copy_sql``).
    Lines end with LF, as COPY writes them (the header too, so the file is consistent);
    a cell holding a CR or an LF is quoted, as the csv module quotes it.
    """

    def lines():
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(header)
        yield buffer.getvalue().encode()
        for sql, params in statements:
            yield from copy_csv_chunks(sql, params)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
