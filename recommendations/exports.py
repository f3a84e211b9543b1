"""Streaming CSV output shared by every export.

Rows are written one at a time to the response, so memory stays flat
whatever the number of rows, and every cell passes through
``spreadsheet_safe`` so that a value such as ``=HYPERLINK(...)`` cannot run
as a formula when the file is opened in a spreadsheet.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import StreamingHttpResponse

FORMULA_FIRST = frozenset("=+-@\t\r")


def spreadsheet_safe(value) -> str:
    """Render a cell; prefix a quote to text a spreadsheet would run as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text and text[0] in FORMULA_FIRST:
        return "'" + text
    return text


def stream_csv(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, guarded: bool = False, batch: int = 1000
) -> StreamingHttpResponse:
    """A CSV download sent ``batch`` rows at a time: few large writes, flat memory.

    Every cell goes through ``spreadsheet_safe`` unless the rows say they are
    already ``guarded`` (the status export guards its free-text columns itself).
    """

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        yield buffer.getvalue()  # the header leaves at once, before the query has run
        buffer.seek(0)
        buffer.truncate()
        chunk = []
        for row in rows:
            chunk.append(row if guarded else [spreadsheet_safe(cell) for cell in row])
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
