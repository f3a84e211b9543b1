"""Status reports under /reports/: summary, matrix, table, and their exports.

Every page and export builds the same ``StatusFilter`` from the query
string, so a URL reproduces a report exactly, and an invalid value gets a
message (400) instead of silently different numbers.
"""

import datetime
import json
import tempfile
from functools import partial

from django.conf import settings
from django.db import connection
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET

from languages import names
from languages.dates import long_date
from languages.regions import region_name
from languages.sentences import clauses
from languages.templatetags.names import shown

from .. import charts, citing, editorial, reports
from ..exports import stream_copy_csv, stream_csv, xlsx_row
from ..filters import StatusFilter
from ..models import (
    NO_INFORMATION,
    REPORT_STATUSES,
    STATUS_SHORT,
    ActorKind,
    Kind,
    Recommendation,
    as_of_heading,
    english,
    iso_as_of,
    status_label,
    status_label_en,
)

TABLE_PAGE_SIZE = 50
TABLE_COLUMNS = [
    ("actor", gettext_lazy("Country or organization")),
    ("region", gettext_lazy("Region")),
    ("item", gettext_lazy("Item")),
    ("status", gettext_lazy("Status")),
    ("as_of", gettext_lazy("As of")),
    ("", gettext_lazy("Value")),
    ("", gettext_lazy("Reported by")),
    ("", gettext_lazy("Evidence")),
]
MATRIX_PAGE_SIZE = 200


def _filtered(request):
    """(filterset, scope or None, errors)."""
    filterset = StatusFilter(request.GET or None)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, None, filterset.error_messages()
    return filterset, reports.build_scope(filterset), []


# Far beyond any real report, and small enough for every database's OFFSET (a huge one is an error there).
MAX_PAGE = 1_000_000


def _paged(request, fetch, per_page: int, notices: list):
    """(rows, count, page number, pages): the requested page of a report, one query when it exists.

    ``fetch(offset=…, limit=…)`` returns (rows, count). The requested page is fetched first if it is a
    plausible number (else page 1), then held against the count. A page that is not there gets the nearest one
    that is, with a notice in ``notices`` naming it: page 1 for a number below 1 or not a number, the last page
    for one past the end. The figures are still those of the filters, so the page is shown (200), unlike a
    refused filter (400): a cited address whose report has since grown shorter still shows that report. (The
    plain lists answer 404 past their end, ``pages.paginated_list``: a list page is no report to cite.)
    """
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except ValueError:
        number = None
    first = number if number is not None and 1 <= number <= MAX_PAGE else 1
    rows, count = fetch(offset=(first - 1) * per_page, limit=per_page)
    pages = max(1, -(-count // per_page))
    if number is None:
        notices.append(_("“%(raw)s” is not a page number; showing page 1.") % {"raw": raw})
        return rows, count, 1, pages
    if 1 <= number <= pages:
        return rows, count, number, pages
    if number < 1:  # page 1 was fetched above
        notices.append(_("There is no page %(raw)s; showing page 1.") % {"raw": raw})
        return rows, count, 1, pages
    notices.append(_("There is no page %(raw)s; the last page is %(last)s, shown below.") % {"raw": raw, "last": pages})
    if count:
        rows, count = fetch(offset=(pages - 1) * per_page, limit=per_page)
    return rows, count, pages, pages


def _sort(request, allowed, notices: list, refusal: str) -> str:
    """The requested sort if it is one of `allowed`, else the default with a notice saying so."""
    sort = request.GET.get("sort", "actor")
    if sort in allowed:
        return sort
    notices.append(refusal % {"sort": sort})
    return "actor"


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _context(request, filterset, errors, *, title: str, notices=(), **extra):
    """What every report page shows. ``errors``: the filter values refused, so no figures are shown;
    ``notices``: what was made of a value the page could not take as it was (a page, a sort), beside figures."""
    return {
        "notices": notices,
        "citation": None if errors else citing.for_request(request, title=title, snapshot=filterset.snapshot_date),
        "filter": filterset,
        "errors": errors,
        "threshold_notes": [] if errors else reports.threshold_notes(filterset),
        "description": filterset.describe(),
        "snapshot": filterset.snapshot_date,
        "compare_date": None if errors else filterset.compare_date,
        "query": request.GET.urlencode(),
        "query_without_page": _query_without(request, "page"),
        "query_without_sort": _query_without(request, "page", "sort"),
        **extra,
    }


def _then_scope(filterset):
    """The scope of the ``compare=`` date: the same items and actors on that date (``StatusFilter.at``)."""
    day = filterset.compare_date
    return reports.build_scope(filterset.at(day)) if day else None


def _comparison(summary, then) -> list[tuple]:
    """[(status, label, then, now, change)] for every status present on either date."""
    now_counts = {s: n for s, _, n in summary.by_status}
    then_counts = {s: n for s, _, n in then.by_status}
    return [
        (s, status_label(s), then_counts.get(s, 0), now_counts.get(s, 0), now_counts.get(s, 0) - then_counts.get(s, 0))
        for s in REPORT_STATUSES
        if s in now_counts or s in then_counts
    ]


def _over_time(filterset, query: str) -> dict:
    """The filtered over-time charts of a report: statuses year by year and, for one quantitative item, values."""
    history = reports.cached_history_by_year(filterset=filterset)
    if not history["years"]:
        return {}
    items = list(Recommendation.objects.filter(filterset.items()).distinct().only("code", "title", "kind", "unit")[:2])
    single = items[0] if len(items) == 1 else None
    context = {
        # The chart and the numbers behind it (``_over_time.html``), from the same history: no query more.
        **charts.over_time(history, label=_("Pairs by status at the end of each year")),
        "history_legend": charts.legend(history["statuses"]),
        "chart_query": query,
    }
    if single is not None and single.kind == Kind.QUANTITATIVE:
        if any(value is not None for value in history["values"] or []):
            context["values_chart"] = charts.values_over_time(
                history["years"],
                history["values"],
                label=_("%(code)s: median measured value") % {"code": single.code},
                unit=names.shown(single, "unit").text,
            )
            context["values_item"] = single
        else:  # a history of statuses without a measured value yet: why there is no values chart (``_chart_file``)
            context["unmeasured_item"] = single
    return context


@require_GET
def report_summary(request):
    filterset, scope, errors = _filtered(request)
    summary = reports.summary(scope) if scope else None
    legend = charts.legend([s for s, _, _ in summary.by_status]) if summary else ""
    context = _context(
        request, filterset, errors, title=_("Status report"), summary=summary, legend=legend, tab="summary"
    )
    if summary:
        then_scope = _then_scope(filterset)
        if then_scope is not None:
            then = reports.summary(then_scope)
            context["comparison"] = _comparison(summary, then)
            then_by_item = {row["item"].pk: row["counts"] for row in then.by_item}
            for row in summary.by_item:
                row["then"] = then_by_item.get(row["item"].pk, [])
        context.update(_over_time(filterset, _query_without(request, "page", "sort", "chart")))
        context["disagreements"] = reports.disagreements(scope)
        context["disagree_query"] = _query_without(request, "page", "sort", "chart", "disagree")
    if summary:
        context["overall_bar"] = charts.stacked_bar(summary.by_status, label=_("All statuses"), height=28)
        for group in (summary.by_item, summary.by_theme, summary.by_region):
            for row in group:
                # A region's English M49 name (as stored) in the reader's language, as its row heading shows it.
                name = row["item"].code if "item" in row else region_name(row["name"])
                if "theme" in row:  # the theme's name in the reader's language
                    theme = names.shown(row["theme"], "name")
                    # Not yet translated: its English name inside the bar's spoken label (an attribute, read in
                    # the page's language) could not be marked as English; the row's heading gives it, marked.
                    name = _("This theme") if theme.missing else theme.text
                row["bar"] = charts.stacked_bar(row["counts"], label=name)
    return render(request, "recommendations/report_summary.html", context, status=400 if errors else 200)


@require_GET
def report_table(request):
    filterset, scope, errors = _filtered(request)
    notices = []
    refusal = _("“%(sort)s” is not a way to sort this table; sorted by country or organization.")
    sort = _sort(request, reports.TABLE_SORTS, notices, refusal)
    rows, count, number, pages = [], 0, 1, 1
    if scope:
        rows, count, number, pages = _paged(
            request, partial(reports.table_page, scope, sort=sort), TABLE_PAGE_SIZE, notices
        )
        then_scope = _then_scope(filterset)
        if then_scope is not None:  # one more query, whatever the page holds
            then = reports.pair_statuses(then_scope, [(row.actor.pk, row.item.pk) for row in rows])
            for row in rows:
                row.compare_with(then)
    context = _context(
        request,
        filterset,
        errors,
        title=_("Status table"),
        notices=notices,
        rows=rows,
        # The as-of column's heading worded for the dates this page shows ("Au" over days in French, "En" over years).
        table_columns=[
            (key, as_of_heading(r.update.as_of_precision for r in rows if r.update) if key == "as_of" else label)
            for key, label in TABLE_COLUMNS
        ],
        count=count,
        page_number=number,
        pages=pages,
        sort=sort,
        tab="table",
        page_range=range(max(1, number - 4), min(pages, number + 4) + 1),
    )
    return render(request, "recommendations/report_table.html", context, status=400 if errors else 200)


@require_GET
def report_matrix(request):
    filterset, scope, errors = _filtered(request)
    notices = []
    sort = _sort(
        request, reports.MATRIX_SORTS, notices, _("“%(sort)s” is not a way to sort the matrix; sorted by name.")
    )
    # layout=items: one block per call to action, its countries and organizations wrapping as lines of
    # cells (a phone shows it whole; the grid shows one column at a time there).
    layout = request.GET.get("layout", "grid")
    if layout not in MATRIX_LAYOUTS:
        notices.append(_("“%(layout)s” is not a layout of the matrix; showing the grid.") % {"layout": layout})
        layout = "grid"
    grid, number, pages, actor_count = None, 1, 1, 0
    if scope:
        grid, actor_count, number, pages = _paged(
            request, partial(reports.matrix, scope, sort=sort), MATRIX_PAGE_SIZE, notices
        )
    context = _context(
        request,
        filterset,
        errors,
        title=_("Status matrix"),
        notices=notices,
        grid=grid,
        sort=sort,
        page_number=number,
        pages=pages,
        tab="matrix",
        actor_count=actor_count if grid else 0,
        layout=layout,
        query_without_layout=_query_without(request, "layout", "page"),
    )
    if grid:
        shown = set(grid.cells.values())
        context["legend_statuses"] = [(s, status_label(s), STATUS_SHORT[s]) for s in REPORT_STATUSES if s in shown]
        context["matrix_html"] = _per_item_html(grid) if layout == "items" else _matrix_html(grid)
        context["page_list"] = range(1, pages + 1)
    context["matrix_sorts"] = MATRIX_SORT_LABELS
    return render(request, "recommendations/report_matrix.html", context, status=400 if errors else 200)


MATRIX_LAYOUTS = {"grid", "items"}
MATRIX_SORT_LABELS = [
    # "name" and "region" alone read as nouns of many senses: the context says what a translator sorts by.
    ("actor", pgettext_lazy("sort the matrix by", "name")),
    ("region", pgettext_lazy("sort the matrix by", "region")),
    ("progress", pgettext_lazy("sort the matrix by", "most progress")),
    ("-progress", pgettext_lazy("sort the matrix by", "least progress")),
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
        f'<th scope="col"><a href="{escape(item.get_absolute_url())}" '
        f'title="{escape(names.shown(item, "title").text)}"{names.lang_attribute(item, "title")}>'
        f"{escape(item.code)}</a></th>"
        for item in grid.items
    )
    out = [
        '<table class="matrix"><caption class="visually-hidden">'
        + escape(_("Status of each country or organization (rows) on each item (columns)"))
        + "</caption>",
        f'<thead><tr><th scope="col">{escape(_("Country or organization"))}</th>{head}'
        f'<th scope="col">{escape(_("Progress"))}</th></tr>'
        "</thead><tbody>",
    ]
    for actor, score in grid.actors:
        code = escape(actor.code)
        out.append(f'<tr><th scope="row"><a href="{actors_url}{code}/">{escape(names.actor_name(actor))}</a></th>')
        for item in grid.items:
            status = grid.cells.get((actor.pk, item.pk))
            if status is None:
                out.append('<td class="na"></td>')
            else:
                out.append(cell[status].replace("{a}", code, 1).replace("{i}", item.code, 1))
        if score is None:  # nothing known is not "0 %" done
            title, spoken = escape(status_label(NO_INFORMATION)), escape(pgettext("read aloud", "no information"))
            out.append(f'<td title="{title}">—<span class="visually-hidden"> {spoken}</span></td></tr>')
        else:
            out.append(f"<td>{score}%</td></tr>")
    out.append("</tbody></table>")
    return mark_safe("".join(out))  # nosec B308 B703 # noqa: S308 - every value above is escaped


def _per_item_html(grid) -> str:
    """The matrix turned around for a phone: per call to action, its countries and organizations as cells that
    wrap (code and status letter, the status in words for screen readers and as a tooltip)."""
    actors_url = reverse("recommendations:actors")
    out = ['<div class="per-item">']
    for item in grid.items:
        cells = []
        for actor, _place in grid.actors:
            status = grid.cells.get((actor.pk, item.pk))
            if status is None:
                continue
            label = escape(f"{names.actor_name(actor)}: {status_label(status)}")
            cells.append(
                f'<li><a class="cell-chip c-{status}" href="{actors_url}{escape(actor.code)}/{escape(item.code)}/" '
                f'title="{label}" aria-label="{label}">{escape(actor.code)} {escape(STATUS_SHORT[status])}</a></li>'
            )
        if not cells:
            continue
        out.append(
            f'<section class="mb-3"><h2 class="h6 mb-1"><a href="{escape(item.get_absolute_url())}">'
            f'<span class="code-badge">{escape(item.code)}</span> {conditional_escape(shown(item, "title"))}</a></h2>'
            f'<ul class="cell-flow list-unstyled">{"".join(cells)}</ul></section>'
        )
    out.append("</div>")
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
        return stream_copy_csv(filename, reports.EXPORT_COLUMNS, reports.export_copy_statements(scope))
    return stream_csv(filename, reports.EXPORT_COLUMNS, reports.iter_export_rows(scope))


@require_GET
def status_json(request):
    filterset, scope, errors = _filtered(request)
    if errors:
        return _bad_filter(errors)

    citation = _export_citation(request, filterset)

    def chunks():
        head = {
            # Dates as the export writes every other date (ISO 8601), whatever the language of the words.
            "filters": filterset.describe(dates=datetime.date.isoformat),
            "as_of": (filterset.snapshot_date or timezone.localdate()).isoformat(),
            "generated_at": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "columns": reports.EXPORT_COLUMNS,
            "editorial_layer": editorial.metadata(reports.threshold_notes(filterset)),
            "citation": citation.as_dict(),
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

        return redirect(
            start_export(
                format="xlsx", query=request.GET.urlencode(), user=request.user, language=request.LANGUAGE_CODE
            )
        )
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    write_xlsx(filterset, scope, handle, citation=_export_citation(request, filterset))
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"status-{_stamp(filterset)}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _source_lines():
    """(key, label in the active language, value) for the source document."""
    document = editorial.source_document()
    return [
        ("source", _("Source document"), document["citation"]),
        ("official", _("Official document"), document["url"]),
    ]


@require_GET
def history_csv(request):
    """The verified history behind the over-time charts, filtered like the report: one row per update."""
    filterset, scope, errors = _filtered(request)
    if errors:
        return _bad_filter(errors)
    return stream_csv(f"history-{_stamp(filterset)}.csv", reports.HISTORY_COLUMNS, reports.iter_history_rows(filterset))


def _chart_file(request):
    """(standalone SVG, file stem) of the report's over-time chart (``chart=values`` for the values), or an error."""
    filterset, scope, errors = _filtered(request)
    if errors:
        return None, _bad_filter(errors)
    kind = request.GET.get("chart", "statuses")
    over_time = _over_time(filterset, "")
    chart = over_time.get("values_chart" if kind == "values" else "history_chart")
    if not chart:
        if not over_time:  # nothing to chart, whichever chart
            message = _("No verified history matches these filters, so there is no chart.")
        elif over_time.get("unmeasured_item"):
            message = _(
                "%(code)s has no measured values in the verified history yet, so there is no chart of them."
            ) % {"code": over_time["unmeasured_item"].code}
        else:
            message = _("Values are charted for one quantitative item, e.g. ?item=R17&chart=values.")
        message += "\n"
        return None, HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    query = _query_without(request, "chart")
    page = request.build_absolute_uri(reverse("recommendations:report_summary")) + (f"?{query}" if query else "")
    citation = citing.suggested(title=_("Status report, over time"), url=page, snapshot=filterset.snapshot_date)
    subject = ("", "")
    if kind == "values":
        item = over_time["values_item"]
        item_title = names.shown(item, "title")
        words = {"code": item.code, "title": item_title.text, "unit": names.shown(item, "unit").text}
        if item_title.missing:
            # Its English title inside the sentence (the spoken name, an attribute) could not be marked as
            # English: the sentence names the item by its code, and the title is drawn above it, marked.
            title = _("%(code)s: median measured value (%(unit)s) at the end of each year") % words
            subject = names.coded_title(item)
        else:
            title = _("%(code)s %(title)s: median measured value (%(unit)s) at the end of each year") % words
        legend = []
        line_label = _("Median of the latest measured values (%(unit)s) at the end of each year") % {
            "unit": names.shown(item, "unit").text
        }
    else:
        line_label = ""
        title = _("Items: countries and organizations at each status, end of each year")
        legend = reports.cached_history_by_year(filterset=filterset)["statuses"]
    day = filterset.snapshot_date or timezone.localdate()
    lines = [
        (
            # Translators: %(when)s is "as of 1 January 2018" (contexts "as of a day", "as of a month", "as of a
            # year"), worded for its precision.
            _("Verified history up to %(day)s; data %(when)s.") % {"day": long_date(day), "when": citation.as_of_phrase}
            if citation.as_of
            else _("Verified history up to %(day)s; data as of — (no verified update).") % {"day": long_date(day)}
        ),
        _("Filters: %(filters)s.") % {"filters": clauses(filterset.describe()) or _("none")},
    ]
    source = [
        _("Source: %(url)s (retrieved %(date)s).") % {"url": citation.url, "date": long_date(citation.retrieved)},
        _("Source document: %(source)s. Licence: %(licence)s.")
        % {"source": citation.source, "licence": citation.licence},
    ]
    svg = charts.standalone(
        chart, title=title, lines=lines, legend_statuses=legend, source=source, line_label=line_label, subject=subject
    )
    return (svg, f"chart-{kind}-{day.isoformat()}"), None


@require_GET
def chart_svg(request):
    result, error = _chart_file(request)
    if error:
        return error
    svg, stem = result
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.svg"'
    return response


@require_GET
def chart_png(request):
    from atlas.svg import png

    result, error = _chart_file(request)
    if error:
        return error
    svg, stem = result
    response = HttpResponse(png(svg), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{stem}.png"'
    return response


def _export_citation(request, filterset) -> citing.Citation:
    """An export cites the table report it is a download of (the same filters, the same rows)."""
    return citing.for_request(
        request,
        title=_("Status of the items (table)"),
        snapshot=filterset.snapshot_date,
        path=reverse("recommendations:report_table"),
    )


def report_citation(filterset, query: str) -> citing.Citation:
    """The citation of a report built without a request (the background export): its address from SITE_URL."""
    url = settings.SITE_URL.rstrip("/") + reverse("recommendations:report_table") + (f"?{query}" if query else "")
    return citing.suggested(title=_("Status of the items (table)"), url=url, snapshot=filterset.snapshot_date)


# The XLSX sheet: the export's columns, each code followed by its label in words.
XLSX_LABELS = {"actor_kind": "actor_kind_label", "kind": "kind_label", "status": "status_label"}
XLSX_COLUMNS = [name for column in reports.EXPORT_COLUMNS for name in (column, XLSX_LABELS.get(column)) if name]
_AS_OF_FORMATS = {4: "yyyy", 7: "yyyy-mm", 10: "yyyy-mm-dd"}


def _xlsx_values(values: list) -> tuple[list, dict[int, str]]:
    """An export row for a spreadsheet: numbers as numbers, dates as dates (formatted to their precision),
    labels beside codes. Returns the values and the number formats by column position."""
    from decimal import Decimal

    row = dict(zip(reports.EXPORT_COLUMNS, values, strict=True))
    formats = {}
    as_of = row["as_of"]
    if as_of:
        formats["as_of"] = _AS_OF_FORMATS[len(as_of)]
        row["as_of"] = datetime.date.fromisoformat((as_of + "-01-01")[:10] if len(as_of) < 10 else as_of)
    else:
        row["as_of"] = None
    row["value"] = Decimal(row["value"]) if row["value"] else None
    if row["verified_at"]:
        row["verified_at"] = datetime.datetime.fromisoformat(row["verified_at"].rstrip("Z"))
        formats["verified_at"] = "yyyy-mm-dd hh:mm:ss"
    else:
        row["verified_at"] = None
    # Export columns: English whatever the request's language (a contract, like the codes beside them).
    row["actor_kind_label"] = english(ActorKind(row["actor_kind"]).label)
    row["kind_label"] = english(Kind(row["kind"]).label)
    row["status_label"] = status_label_en(row["status"])
    return [row[c] for c in XLSX_COLUMNS], {XLSX_COLUMNS.index(c): f for c, f in formats.items()}


def write_xlsx(filterset, scope, handle, *, citation: citing.Citation | None = None, query: str = ""):
    """The XLSX status export into a binary file (also used by the background export, which gives ``query``)."""
    from openpyxl import Workbook

    citation = citation or report_citation(filterset, query)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("status")
    sheet.append(XLSX_COLUMNS)
    for values in reports.iter_export_rows(scope):
        typed, formats = _xlsx_values(values)
        sheet.append(xlsx_row(sheet, typed, formats))
    about = workbook.create_sheet("about")
    as_of_format = _AS_OF_FORMATS[len(iso_as_of(citation.as_of, citation.as_of_precision))] if citation.as_of else ""
    # The about sheet's row labels speak the active language; the status sheet's columns never change.
    for line in [
        [
            _("Report"),
            _("Status of the items: the calls to action of the 2006 hearings on migration and development"),
        ],
        [_("Suggested citation"), citation.text],
        [_("Address"), citation.url],
        [_("Data as of"), citation.as_of],
        [_("Retrieved"), citation.retrieved],
        [_("Source document"), citation.source],
        [_("Licence"), f"{citation.licence} ({citation.licence_url})"],
        # Filter values are typed by visitors; their dates as the sheet's other dates (ISO 8601).
        [_("Filters"), clauses(filterset.describe(dates=datetime.date.isoformat)) or _("none")],
        [_("Statuses as of"), _stamp(filterset)],
        [_("Generated"), timezone.now().strftime("%Y-%m-%d %H:%M UTC")],
        *([label, value] for key, label, value in _source_lines() if value and key != "source"),
        [_("Source"), editorial.SOURCE_LAYER],
        *([_("Words: %(term)s") % {"term": term}, meaning] for term, meaning in editorial.words().items()),
        [_("Editorial layer"), editorial.EDITORIAL_LAYER + " recommendation_title is the editors' title."],
        *([_("Automatic statuses"), note] for note in reports.threshold_notes(filterset)),
    ]:
        # The data's as-of date at its precision, as the status sheet formats its dates ("yyyy" for a year).
        day_format = as_of_format if citation.as_of and line[1] is citation.as_of else "yyyy-mm-dd"
        about.append(xlsx_row(about, line, {1: day_format}))
    workbook.save(handle)
