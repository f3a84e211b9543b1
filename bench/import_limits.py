"""What the import's limits cost: reading the worst files an attacker can send, and the largest accepted ones.

    python bench/import_limits.py          # one line per file
    python bench/import_limits.py --json   # the figures as JSON (bench/run.py puts them in docs/performance.md)

Reading only (``imports.read_rows`` and the archive check, as the preview does
before any database work): seconds, data rows looked at, and the Python heap
peak (tracemalloc). Needs no database.
"""

import argparse
import csv
import io
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from recommendations import imports  # noqa: E402
from recommendations.reports import EXPORT_COLUMNS  # noqa: E402
from tests.xlsx import crafted_xlsx, shared_strings_bomb  # noqa: E402

COLUMNS = [*EXPORT_COLUMNS, "narrative"]
SHORT = ["actor_code", "recommendation_code", "status", "as_of", "evidence_urls", "narrative"]


def row(i: int, columns=COLUMNS) -> list[str]:
    values = dict.fromkeys(COLUMNS, "")
    values.update(
        actor_code="KEN",
        recommendation_code="R56",
        status="limited",
        as_of="2020-01-01",
        evidence_urls=f"https://example.org/evidence/{i}",
        narrative=f"The ministry published programme {i} and its budget in the official gazette.",
    )
    return [values[c] for c in columns]


def largest_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(row(i) for i in range(imports.MAX_ROWS))
    return out.getvalue().encode()


def most_cells() -> bytes:
    """50,000 rows of 20 numeric cells: the cell limit (1,000,000), minus the header."""
    width = imports.MAX_XLSX_CELLS // imports.MAX_ROWS

    def rows(member):
        for number in range(2, imports.MAX_ROWS + 1):
            member.write(f'<row r="{number}">'.encode() + b"<c><v>1</v></c>" * width + b"</row>")

    header = SHORT + [f"extra{i}" for i in range(width - len(SHORT))]
    return crafted_xlsx(dimension="A1:T50001", rows=(header,), sheet_rows=rows)


def most_shared_strings() -> bytes:
    """As many distinct texts as the limit allows, each referenced by no cell (only loading them costs)."""

    def strings(member):
        member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        for i in range(imports.MAX_SHARED_STRINGS):
            member.write(b"<si><t>text %d</t></si>" % i)
        member.write(b"</sst>")

    return crafted_xlsx(dimension="A1:F2", rows=(SHORT, row(0, SHORT)), shared_strings=strings)


def measure(label: str, data: bytes, filename: str) -> dict:
    tracemalloc.start()
    started = time.perf_counter()
    reader = imports.read_rows(io.BytesIO(data), filename)
    outcome, rows = "read", 0
    try:
        rows = sum(1 for _ in reader)
    except imports.ImportFileError as error:
        outcome = f"refused: {error}"
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "file": label,
        "bytes": len(data),
        "seconds": seconds,
        "rows_read": reader.rows_read,
        "data_rows": rows,
        "heap_peak_mb": peak / 1e6,
        "outcome": outcome,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tail = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    cases = [
        ("A1:XFD1048576 declared, one data row", crafted_xlsx(rows=(SHORT, row(0, SHORT)), tail=tail), "x.xlsx"),
        (
            "shared-strings bomb (200 MB unpacked)",
            crafted_xlsx(rows=(SHORT,), shared_strings=shared_strings_bomb),
            "x.xlsx",
        ),
        (f"largest CSV ({imports.MAX_ROWS:,} rows)", largest_csv(), "x.csv"),
        (f"most cells ({imports.MAX_XLSX_CELLS:,})", most_cells(), "x.xlsx"),
        (f"most shared strings ({imports.MAX_SHARED_STRINGS:,})", most_shared_strings(), "x.xlsx"),
    ]
    results = [measure(*case) for case in cases]
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        print(
            f"{r['file']}: {r['bytes'] / 1024:,.0f} KB, {r['seconds']:.2f} s, {r['rows_read']:,} rows looked at, "
            f"heap peak {r['heap_peak_mb']:.0f} MB — {r['outcome'][:100]}"
        )


if __name__ == "__main__":
    main()
