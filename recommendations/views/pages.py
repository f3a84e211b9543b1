"""Public pages: home, the item list and its export, an item, the source text, the health check."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from languages.collation import sorted_by_name
from languages.names import SOURCE_LANGUAGE, english, shown

from .. import charts, editorial, glossary, reports
from ..exports import stream_csv
from ..filters import RecommendationFilter
from ..models import Citation, Kind, Paragraph, Recommendation, SourceDocument, Theme

PAGE_SIZE = 25
EXPORT_COLUMNS = [
    "code",
    "title",
    "text",
    "paragraphs",
    "section",
    "themes",
    "kind",
    "addressees",
    "instruments",
    # The editorial layer (see editorial.FIELDS).
    "context_paragraphs",
    "title_is_editorial",
    "editorial_split",
    "editorial_note",
    "sdg_targets",
]


class PageError(str):
    """A bad page number's message. ``missing``: a number, but no such page (404); otherwise not a number (400).
    A flag, not the message's words, tells them apart: the message is in the reader's language."""

    missing = False

    @classmethod
    def of_missing(cls, message):
        error = cls(message)
        error.missing = True
        return error


def paginate(request, queryset, per_page=PAGE_SIZE):
    """Return (page, error message). A bad page number gets a message, not a 500: not a number or below 1, page 1;
    past the end, the last page (as the report pages do, ``status._paged``)."""
    paginator = Paginator(queryset, per_page)
    raw = request.GET.get("page", "1")
    try:
        return paginator.page(raw), None
    except PageNotAnInteger:
        return paginator.page(1), PageError(_("“%(raw)s” is not a page number; showing page 1.") % {"raw": raw})
    except EmptyPage:
        if int(raw) < 1:
            return paginator.page(1), PageError.of_missing(
                _("There is no page %(raw)s; showing page 1.") % {"raw": raw}
            )
        last = paginator.num_pages
        return paginator.page(last), PageError.of_missing(
            _("There is no page %(raw)s; the last page is %(last)s, shown below.") % {"raw": raw, "last": last}
        )


@require_GET
def home(request):
    document = SourceDocument.objects.first()
    counts = {row["kind"]: row["n"] for row in Recommendation.objects.values("kind").annotate(n=Count("pk")).order_by()}
    context = {
        "document": document,
        "figures": reports.headline_figures(),
        "recent": reports.recent_updates(),
        "item_count": sum(counts.values()),
        "kinds": [(kind.value, kind.label, counts.get(kind.value, 0)) for kind in Kind],
        "themes": sorted_by_name(
            Theme.objects.annotate(n=Count("recommendations")).filter(n__gt=0), key=lambda t: shown(t, "name").text
        ),
    }
    return render(request, "recommendations/home.html", context)


def render_filtered_list(
    request, template: str, filterset, *, per_page: int = PAGE_SIZE, extra=None, decorate=None, arrange=None
):
    """A paginated list behind a FilterSet, as every list page shows one.

    An invalid filter shows what was wrong and no rows (400): results for a
    filter that could not be applied would be silently wrong. A bad page
    number gets a message too (400, or 404 past the last page). ``decorate(page)``, if given,
    adds to the rows of the page shown (a constant number of queries, whatever their number). ``arrange(rows)``,
    if given, orders the filtered rows before they are paged (e.g. by name in the reader's language).
    """
    errors, status = [], 200
    if filterset.is_bound and not filterset.is_valid():
        errors, queryset, status = filterset.error_messages(), filterset.queryset.none(), 400
    else:
        queryset = filterset.qs if arrange is None else arrange(filterset.qs)
    page, page_error = paginate(request, queryset, per_page=per_page)
    if page_error:
        errors.append(page_error)
        status = 404 if page_error.missing else 400
    if decorate is not None:
        decorate(page)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "errors": errors,
        "description": filterset.describe(),
        "query": query.urlencode(),
        **(extra or {}),
    }
    return render(request, template, context, status=status)


@require_GET
def recommendation_list(request):
    filterset = RecommendationFilter(request.GET or None, queryset=Recommendation.objects.for_list())
    return render_filtered_list(request, "recommendations/recommendation_list.html", filterset)


def _export_filter(request):
    """(filterset, None) or (None, a 400 response saying what was wrong)."""
    queryset = Recommendation.objects.for_list().prefetch_related("sdg_targets")
    filterset = RecommendationFilter(request.GET or None, queryset=queryset)
    if filterset.is_bound and not filterset.is_valid():
        message = "Invalid filter: " + " ".join(filterset.error_messages())
        return None, HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    return filterset, None


def _yes_no(flag: bool) -> str:
    return "true" if flag else "false"


@require_GET
def recommendation_export_csv(request):
    filterset, error = _export_filter(request)
    if error:
        return error

    # Titles and names in English whatever the page's language: the export's values are a contract.
    def rows():
        for item in filterset.qs:
            citations = list(item.citations.all())
            yield [
                item.code,
                english(item, "title"),
                "\n\n".join(c.text for c in citations),
                "; ".join(str(c.paragraph.number) for c in citations),
                item.section.code,
                "; ".join(english(t, "name") for t in item.themes.all()),
                item.kind,
                "; ".join(english(a, "name") for a in item.addressees.all()),
                "; ".join(i.short_name for i in item.instruments.all()),
                "; ".join(str(c.paragraph.number) for c in citations if c.is_context),
                _yes_no(item.title_is_editorial),
                _yes_no(item.editorial_split),
                english(item, "editorial_note"),
                "; ".join(t.code for t in item.sdg_targets.all()),
            ]

    return stream_csv("recommendations.csv", EXPORT_COLUMNS, rows())


@require_GET
def recommendation_export_json(request):
    """The items with their quotations and, kept apart, the editorial layer; metadata says which is which."""
    filterset, error = _export_filter(request)
    if error:
        return error
    # Every value in English whatever the page's language (the titles, and the thresholds' wording that the
    # item pages translate): an export's values are a contract, as in the open data built from the same items.
    with translation.override(SOURCE_LANGUAGE):
        items = [
            {
                "code": item.code,
                "kind": item.kind,
                "section": item.section.code,
                "citations": [
                    {"paragraph": c.paragraph.number, "role": c.role, "text": c.text} for c in item.citations.all()
                ],
                "addressees": [a.slug for a in item.addressees.all()],
                "instruments": [i.short_name for i in item.instruments.all()],
                "ratifies": item.ratifies.short_name if item.ratifies else None,
                "editorial": {
                    "title": english(item, "title"),  # in English whatever the page's language (a contract)
                    "title_is_editorial": item.title_is_editorial,
                    "editorial_split": item.editorial_split,
                    "editorial_note": item.editorial_note,
                    "themes": [t.slug for t in item.themes.all()],
                    "sdg_targets": [t.code for t in item.sdg_targets.all()],
                    "thresholds": item.thresholds_explained() or None,
                },
            }
            for item in filterset.qs
        ]
    notes = [item["editorial"]["thresholds"] for item in items if item["editorial"]["thresholds"]]
    body = {
        "filters": filterset.describe(),
        "editorial_layer": editorial.metadata(notes),
        "count": len(items),
        "items": items,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = 'inline; filename="recommendations.json"'
    return response


@require_GET
def recommendation_detail(request, code):
    queryset = Recommendation.objects.select_related(
        "section__parent__parent", "document", "ratifies"
    ).prefetch_related(
        "themes",
        "addressees",
        "instruments",
        "sdg_targets",
        Prefetch("citations", queryset=Citation.objects.select_related("paragraph").order_by("position")),
    )
    item = queryset.filter(code=code.upper()).first()
    if item is None:
        return render(request, "recommendations/not_found.html", {"code": code}, status=404)
    sections = []
    section = item.section
    while section is not None:
        sections.insert(0, section)
        section = section.parent
    # The item report: the same filters and queries as /reports/, for this item.
    scope = reports.build_scope(reports.for_item(item))
    summary = reports.summary(scope)
    history = reports.cached_history_by_year(recommendation=item, since=item.document.date.year)
    citations = list(item.citations.all())
    context = {
        "item": item,
        "call_citations": [c for c in citations if not c.is_context],
        "context_citations": [c for c in citations if c.is_context],
        "sections": sections,
        "summary": summary,
        "status_bar": charts.stacked_bar(
            summary.by_status, label=_("%(code)s by status") % {"code": item.code}, height=28
        ),
        "legend": charts.legend([s for s, _, _ in summary.by_status]),
        "actors_by_status": reports.actors_by_status(scope),
        "actors_url": reverse("recommendations:actors"),
        **charts.over_time(history, label=_("Countries and organizations by status on %(code)s") % {"code": item.code}),
        "report_query": f"item={item.code}",
    }
    return render(request, "recommendations/recommendation_detail.html", context)


@require_GET
def glossary_page(request):
    """What the statuses mean, per kind, with examples; and the tracker's other words."""
    context = {
        "scales": glossary.scales(),
        "no_information": glossary.no_information(),
        "terms": glossary.TERMS,
        "quantitative_items": Recommendation.objects.filter(kind=Kind.QUANTITATIVE).order_by("position"),
    }
    return render(request, "recommendations/glossary.html", context)


@require_GET
def source_document(request):
    document = SourceDocument.objects.first()
    paragraphs = []
    if document is not None:
        paragraphs = (
            Paragraph.objects.filter(document=document)
            .select_related("section")
            .prefetch_related(
                Prefetch(
                    "citations",
                    queryset=Citation.objects.select_related("recommendation").only(
                        "paragraph_id", "recommendation__code", "recommendation__title"
                    ),
                )
            )
        )
    sections = list(document.sections.all()) if document else []
    # Headings go before the first paragraph of each section.
    headings_before: dict[int, list] = {}
    for section in sections:
        headings_before.setdefault(section.first_paragraph, []).append(section)
    rows = [(headings_before.get(p.number, []), p) for p in paragraphs]
    return render(request, "recommendations/source.html", {"document": document, "rows": rows})


@never_cache
@require_GET
def healthz(request):
    """200 when the app and its database answer; 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
