"""Status reports under /reports/: summary, matrix, table, and their exports.

Every page and export builds the same ``StatusFilter`` from the query
string, so a URL reproduces a report exactly, and an invalid value gets a
message (400) instead of silently different numbers.
"""

import json
import tempfile

from django.conf import settings
from django.db import connection
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from .. import charts, editorial, reports
from ..exports import stream_copy_csv, stream_csv, xlsx_row
from ..filters import StatusFilter
from ..models import REPORT_STATUSES, STATUS_SHORT, status_label

TABLE_PAGE_SIZE = 50
TABLE_COLUMNS = [
    ("actor", "Country or organization"),
    ("region", "Region"),
    ("item", "Call to action"),
    ("status", "Status"),
    ("as_of", "As of"),
    ("", "Value"),
    ("", "Reported by"),
    ("", "Evidence"),
]
MATRIX_PAGE_SIZE = 200


def _filtered(request):
    """(filterset, scope or None, errors)."""
    filterset = StatusFilter(request.GET or None)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, None, filterset.error_messages()
    return filterset, reports.build_scope(filterset), []


def _page(request, count: int, per_page: int):
    """(page number, offset, pages, error message) for a count; a bad page value gets a message."""
    pages = max(1, -(-count // per_page))
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except ValueError:
        return 1, 0, pages, f"“{raw}” is not a page number; showing page 1."
    if number < 1 or number > pages:
        return pages, (pages - 1) * per_page, pages, f"There is no page {raw}; the last page is {pages}, shown below."
    return number, (number - 1) * per_page, pages, None


# Far beyond any real report, and small enough for every database's OFFSET (a huge one is an error there).
MAX_PAGE = 1_000_000


def _page_number(request) -> int:
    """The page to query first: the requested one if it is a plausible number, else page 1.

    Checked before any query; ``_page`` then holds it against the count and explains a bad value.
    """
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


def _sort(request, allowed, errors: list, refusal: str) -> tuple[str, list]:
    """The requested sort if it is one of `allowed`, else the default with a message saying so."""
    sort = request.GET.get("sort", "actor")
    if sort in allowed:
        return sort, errors
    return "actor", [*errors, f"“{sort}” is not a way to sort {refusal}."]


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _context(request, filterset, errors, **extra):
    return {
        "filter": filterset,
        "errors": errors,
        "threshold_notes": [] if errors else reports.threshold_notes(filterset),
        "description": filterset.describe(),
        "snapshot": filterset.snapshot_date,
        "query": request.GET.urlencode(),
        "query_without_page": _query_without(request, "page"),
        "query_without_sort": _query_without(request, "page", "sort"),
        **extra,
    }


@require_GET
def report_summary(request):
    filterset, scope, errors = _filtered(request)
    summary = reports.summary(scope) if scope else None
    legend = charts.legend([s for s, _, _ in summary.by_status]) if summary else ""
    context = _context(request, filterset, errors, summary=summary, legend=legend, tab="summary")
    if summary:
        context["overall_bar"] = charts.stacked_bar(summary.by_status, label="All pairs", height=28)
        for group in (summary.by_item, summary.by_theme, summary.by_region):
            for row in group:
                name = row["item"].code if "item" in row else row["name"]
                row["bar"] = charts.stacked_bar(row["counts"], label=name)
    return render(request, "recommendations/report_summary.html", context, status=400 if errors else 200)


@require_GET
def report_table(request):
    filterset, scope, errors = _filtered(request)
    sort, errors = _sort(request, reports.TABLE_SORTS, errors, "this table; sorted by country or organization")
    rows, count, number, pages = [], 0, 1, 1
    if scope:
        number = _page_number(request)
        rows, count = reports.table_page(scope, sort=sort, offset=(number - 1) * TABLE_PAGE_SIZE, limit=TABLE_PAGE_SIZE)
        number, offset, pages, page_error = _page(request, count, TABLE_PAGE_SIZE)
        if page_error:
            errors.append(page_error)
            if count:  # show the page the message names (the last one, or the first)
                rows, count = reports.table_page(scope, sort=sort, offset=offset, limit=TABLE_PAGE_SIZE)
    context = _context(
        request,
        filterset,
        errors,
        rows=rows,
        table_columns=TABLE_COLUMNS,
        count=count,
        page_number=number,
        pages=pages,
        sort=sort,
        tab="table",
        page_range=range(max(1, number - 4), min(pages, number + 4) + 1),
    )
    return render(request, "recommendations/report_table.html", context, status=400 if errors and not rows else 200)


@require_GET
def report_matrix(request):
    filterset, scope, errors = _filtered(request)
    sort, errors = _sort(request, reports.MATRIX_SORTS, errors, "the matrix; sorted by name")
    grid, number, pages, actor_count = None, 1, 1, 0
    if scope:
        number = _page_number(request)
        grid, actor_count = reports.matrix(
            scope, sort=sort, offset=(number - 1) * MATRIX_PAGE_SIZE, limit=MATRIX_PAGE_SIZE
        )
        number, offset, pages, page_error = _page(request, actor_count, MATRIX_PAGE_SIZE)
        if page_error:
            errors.append(page_error)
            grid, actor_count = reports.matrix(scope, sort=sort, offset=offset, limit=MATRIX_PAGE_SIZE)
    context = _context(
        request,
        filterset,
        errors,
        grid=grid,
        sort=sort,
        page_number=number,
        pages=pages,
        tab="matrix",
        actor_count=actor_count if grid else 0,
    )
    if grid:
        shown = set(grid.cells.values())
        context["legend_statuses"] = [(s, status_label(s), STATUS_SHORT[s]) for s in REPORT_STATUSES if s in shown]
        context["matrix_html"] = _matrix_html(grid)
        context["page_list"] = range(1, pages + 1)
    context["matrix_sorts"] = MATRIX_SORT_LABELS
    return render(request, "recommendations/report_matrix.html", context, status=400 if errors and not grid else 200)


MATRIX_SORT_LABELS = [
    ("actor", "name"),
    ("region", "region"),
    ("progress", "most progress"),
    ("-progress", "least progress"),
]


def _matrix_html(grid) -> str:
    """The matrix body, built in Python: ~18,000 cells are too many for template tags on every request.

    Each cell carries the status as a letter (visible), as the link's
    accessible name and as a tooltip, so colour is never the only carrier.
    """
    actors_url = reverse("recommendations:actors")  # cells link to the pair's timeline below it
    cell = {
        s: (
            f'<td class="c-{s}"><a href="{actors_url}{{a}}/{{i}}/" title="{escape(status_label(s))}" '
            f'aria-label="{escape(status_label(s))}">{escape(STATUS_SHORT[s])}</a></td>'
        )
        for s in STATUS_SHORT
    }
    head = "".join(
        f'<th scope="col"><a href="{escape(item.get_absolute_url())}" title="{escape(item.title)}">'
        f"{escape(item.code)}</a></th>"
        for item in grid.items
    )
    out = [
        '<table class="matrix"><caption class="visually-hidden">Status of each country or organization (rows) '
        "on each call to action (columns)</caption>",
        f'<thead><tr><th scope="col">Country or organization</th>{head}<th scope="col">Progress</th></tr>'
        "</thead><tbody>",
    ]
    for actor, score in grid.actors:
        code = escape(actor.code)
        out.append(f'<tr><th scope="row"><a href="{actors_url}{code}/">{escape(actor.name)}</a></th>')
        for item in grid.items:
            status = grid.cells.get((actor.pk, item.pk))
            if status is None:
                out.append('<td class="na"></td>')
            else:
                out.append(cell[status].replace("{a}", code, 1).replace("{i}", item.code, 1))
        out.append(f"<td>{score}%</td></tr>")
    out.append("</tbody></table>")
    return mark_safe("".join(out))  # nosec B308 B703 # noqa: S308 - every value above is escaped


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------


def _bad_filter(errors) -> HttpResponse:
    return HttpResponse(
        "Invalid filter: " + " ".join(errors) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )


def _stamp(filterset) -> str:
    day = filterset.snapshot_date or timezone.localdate()
    return day.isoformat()


@require_GET
def status_csv(request):
    filterset, scope, errors = _filtered(request)
    if errors:
        return _bad_filter(errors)
    filename = f"status-{_stamp(filterset)}.csv"
    if connection.vendor == "postgresql":  # the database writes the CSV itself (COPY), at its own speed
        sql, params = reports.export_copy_sql(scope)
        return stream_copy_csv(filename, reports.EXPORT_COLUMNS, sql, params)
    return stream_csv(filename, reports.EXPORT_COLUMNS, reports.iter_export_rows(scope))


@require_GET
def status_json(request):
    filterset, scope, errors = _filtered(request)
    if errors:
        return _bad_filter(errors)

    def chunks():
        head = {
            "filters": filterset.describe(),
            "as_of": (filterset.snapshot_date or timezone.localdate()).isoformat(),
            "generated_at": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "columns": reports.EXPORT_COLUMNS,
            "editorial_layer": editorial.metadata(reports.threshold_notes(filterset)),
        }
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
        first = True
        for values in reports.iter_export_rows(scope):
            record = dict(zip(reports.EXPORT_COLUMNS, values, strict=True))
            yield ("" if first else ",") + "\n" + json.dumps(record, ensure_ascii=False)
            first = False
        yield "\n]}\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="status-{_stamp(filterset)}.json"'
    return response


@require_GET
def status_xlsx(request):
    filterset, scope, errors = _filtered(request)
    if errors:
        return _bad_filter(errors)
    if reports.count_pairs(scope) > settings.EXPORT_IN_BACKGROUND_ABOVE:
        # Too large to build while the browser waits: a worker builds it (alerts/exports.py).
        from alerts.exports import start_export

        return redirect(start_export(format="xlsx", query=request.GET.urlencode(), user=request.user))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    write_xlsx(filterset, scope, handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"status-{_stamp(filterset)}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def write_xlsx(filterset, scope, handle):
    """The XLSX status export into a binary file (also used by the background export)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("status")
    sheet.append(reports.EXPORT_COLUMNS)
    for values in reports.iter_export_rows(scope):
        sheet.append(xlsx_row(sheet, values))
    about = workbook.create_sheet("about")
    for line in [
        ["Report", "Status of the calls to action, 2006 hearings on international migration and development"],
        ["Filters", "; ".join(filterset.describe()) or "none"],  # filter values are typed by visitors
        ["Statuses as of", _stamp(filterset)],
        ["Generated", timezone.now().strftime("%Y-%m-%d %H:%M UTC")],
        ["Source", editorial.SOURCE_LAYER],
        ["Editorial layer", editorial.EDITORIAL_LAYER + " recommendation_title is the editors' title."],
        *(["Automatic statuses", note] for note in reports.threshold_notes(filterset)),
    ]:
        about.append(xlsx_row(about, line))
    workbook.save(handle)
