"""The world map (/reports/map/, .svg, .png) and the comparison (/compare/, .csv).

Thin handlers: build the report filter from the query string, ask maps.py or
compare.py for plain data, render. Bad input gets a message and a 4xx.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from languages.names import actor_name
from recommendations import citing
from recommendations.exports import stream_csv
from recommendations.filters import StatusFilter
from recommendations.models import Actor, ActorKind, Recommendation

from . import compare, maps, svg
from .world import BOUNDARIES_NOTE, CREDIT


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _map_request(request):
    """(filterset, world map or None, errors, items chosen)."""
    errors = maps.map_errors(request.GET)
    filterset = StatusFilter(maps.country_query(request.GET))
    if not errors and not filterset.is_valid():
        errors = filterset.error_messages()
    items = [] if errors else maps.chosen_items(filterset)
    if not errors and len(items) > 1:
        codes = ", ".join(item.code for item in items)
        errors = [
            _("A map shows one item at a time; you chose %(n)s (%(codes)s). Choose one below.")
            % {"n": len(items), "codes": codes}
        ]
    world_map = maps.build_map(filterset) if not errors and len(items) == 1 else None
    return filterset, world_map, errors, items


def _stamp(world_map) -> str:
    return f"map-{world_map.item.code}-{world_map.day.isoformat()}"


@require_GET
def world_map_page(request):
    filterset, world_map, errors, items = _map_request(request)
    query = _query_without(request, "page", "sort")
    context = {
        "filter": filterset,
        "errors": errors,
        "description": filterset.describe() if not errors else [],
        "snapshot": filterset.form.cleaned_data.get("on") if filterset.is_valid() else None,
        "query_without_sort": query,
        "tab": "map",
        "world_map": world_map,
        "chosen": items,
        "all_items": Recommendation.objects.order_by("position").only("code", "title") if not world_map else [],
        "credit": CREDIT,
        "boundaries_note": BOUNDARIES_NOTE,
    }
    if world_map:
        actors_url = reverse("recommendations:actors")
        context.update(svg.figure_context(world_map, link_prefix=actors_url))
        context["table_rows"] = svg.table_rows(world_map, link_prefix=actors_url)
        context["download_query"] = query
    if world_map:
        context["citation"] = citing.for_request(
            request, title=_("Map of %(code)s") % {"code": world_map.item.code}, snapshot=context["snapshot"]
        )
    return render(request, "atlas/map.html", context, status=400 if errors else 200)


def _download(request):
    """The standalone SVG for a download, or an error response."""
    filterset, world_map, errors, items = _map_request(request)
    if not errors and not world_map:
        errors = [_("Choose one item to map, e.g. ?item=R02.")]
    if errors:
        return None, HttpResponse(
            _("Cannot draw the map: %(errors)s") % {"errors": " ".join(errors)} + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    page = request.build_absolute_uri(reverse("atlas:map"))
    query = _query_without(request, "page", "sort")
    standalone = svg.standalone_svg(
        world_map,
        link_prefix=request.build_absolute_uri(reverse("recommendations:actors")),
        source_url=f"{page}?{query}" if query else page,
    )
    return (world_map, standalone), None


def _file(request, extension: str, content_type: str, render):
    result, error = _download(request)
    if error:
        return error
    world_map, standalone = result
    response = HttpResponse(render(standalone), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_stamp(world_map)}.{extension}"'
    return response


@require_GET
def world_map_svg(request):
    return _file(request, "svg", "image/svg+xml; charset=utf-8", lambda standalone: standalone)


@require_GET
def world_map_png(request):
    return _file(request, "png", "image/png", svg.png)


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------


def _compare_request(request):
    """(codes, filterset or None, comparison or None, errors)."""
    codes = compare.parse_codes(request.GET.getlist("actors"))
    if not codes:
        return codes, None, None, []
    filterset = StatusFilter(compare.status_query(request.GET, codes))
    errors = [] if filterset.is_valid() else filterset.error_messages()
    problem = compare.count_error(codes)
    if problem:
        errors.append(problem)
    comparison = compare.build(filterset) if not errors else None
    return codes, filterset, comparison, errors


@require_GET
def compare_page(request):
    codes, filterset, comparison, errors = _compare_request(request)
    filterset = filterset or StatusFilter(None)
    only_differences = request.GET.get("differences") == "1"
    actors = comparison.actors if comparison else []
    anchor = next((a for a in actors if a.kind == ActorKind.COUNTRY), None)
    peers = compare.region_peers(anchor) if anchor else []
    peer_codes = {peer.code for peer in peers}
    context = {
        "codes": ", ".join(codes),
        # Codes shown as ticked boxes are not repeated in the text field, so unticking one removes it.
        "typed_codes": ", ".join(code for code in codes if code not in peer_codes),
        "filter": filterset,
        "errors": errors,
        "comparison": comparison,
        "groups": comparison.by_theme(only_differences=only_differences) if comparison else [],
        "only_differences": only_differences,
        "actors_url": reverse("recommendations:actors"),
        "query": _query_without(request, "differences"),
        "anchor": anchor,
        "subregion": compare.subregion_of(anchor) if anchor else "",
        "peers": peers,
        "chosen_codes": {a.code for a in actors},
        "min_actors": compare.MIN_ACTORS,
        "max_actors": compare.MAX_ACTORS,
        "compared_codes": ", ".join(a.code for a in actors),
        # "A, B and C" in the page's language (Django's own catalogs translate the pattern).
        "compared_names": get_text_list([actor_name(a) for a in actors], _("and")),
    }
    if comparison:
        context["citation"] = citing.for_request(
            request,
            title=_("Comparison of %(names)s") % {"names": ", ".join(actor_name(a) for a in actors)},
            snapshot=comparison.snapshot,
        )
    return render(request, "atlas/compare.html", context, status=400 if errors else 200)


@require_GET
def compare_csv(request):
    codes, filterset, comparison, errors = _compare_request(request)
    if not codes:
        errors = [_("Give the countries or organizations to compare, e.g. ?actors=KEN,UGA,TZA.")]
    if errors:
        return HttpResponse(
            _("Cannot compare: %(errors)s") % {"errors": " ".join(errors)} + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    day = (comparison.snapshot.isoformat() + "-") if comparison.snapshot else ""
    name = f"compare-{day}{'-'.join(a.code for a in comparison.actors)}.csv"
    return stream_csv(name, compare.csv_header(comparison), compare.csv_rows(comparison))


@require_GET
def compare_region(request, code):
    """A country's "compare with its region": it and up to five of its sub-region, nearest first."""
    actor = get_object_or_404(Actor, code__iexact=code, kind=ActorKind.COUNTRY)
    codes = compare.region_selection(actor)
    if len(codes) < compare.MIN_ACTORS:
        return redirect(f"{reverse('atlas:compare')}?{urlencode({'actors': actor.code})}")
    return redirect(f"{reverse('atlas:compare')}?{urlencode({'actors': ','.join(codes)})}")
