"""Streaming CSV output shared by every export, and the spreadsheet-formula guard of CSV and XLSX.

Rows are written one at a time to the response, so memory stays flat
whatever the number of rows. Every row a spreadsheet export writes passes
through ``guard_row``, which guards every text cell, whatever its column: a
value such as ``=HYPERLINK(...)`` cannot run as a formula when the file is
opened in a spreadsheet, and a column added later is guarded without anyone
having to remember it. Numbers and dates are not text and pass unchanged.
"""

import csv
import io
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
