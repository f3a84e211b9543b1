"""Countries and organizations: the list, each actor's page, the pair timeline, and the chooser search."""

from collections import Counter

from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from languages.collation import countries_first
from languages.names import actor_name

from .. import charts, reports, services
from ..filters import ActorFilter
from ..models import (
    NO_INFORMATION,
    NO_INFORMATION_LABEL,
    REPORT_STATUSES,
    Actor,
    ActorKind,
    CurrentStatus,
    Kind,
    Perspective,
    ProgressUpdate,
    Recommendation,
    ReviewState,
    Status,
    status_label,
)
from .pages import render_filtered_list


@require_GET
def actor_list(request):
    base = Actor.objects.real().select_related("base_country").annotate(n_statuses=Count("current_statuses"))
    filterset = ActorFilter(request.GET or None, queryset=base.order_by("kind", "name"))
    # Countries, then organizations, each by name in the reader's language (languages/collation.py).
    return render_filtered_list(
        request, "recommendations/actor_list.html", filterset, per_page=50, arrange=_by_kind_and_name
    )


def _by_kind_and_name(actors) -> list:
    return countries_first(actors)


def _actor_or_404(code: str) -> Actor:
    return get_object_or_404(Actor.objects.select_related("base_country"), code__iexact=code)


@require_GET
def actor_detail(request, code):
    actor = _actor_or_404(code)
    statuses = {
        row.recommendation_id: row
        for row in CurrentStatus.objects.filter(actor=actor).select_related("update__reported_by_organization")
    }
    # The items that concern this kind of actor (as in the reports), plus any it has reported on.
    addressed = Recommendation.objects.filter(addressees__applies_to=actor.kind).values("pk")
    if actor.kind == ActorKind.ORGANIZATION:
        addressed = addressed.exclude(kind=Kind.RATIFICATION)  # only countries ratify treaties
    items = list(
        Recommendation.objects.filter(Q(pk__in=addressed) | Q(pk__in=list(statuses)))
        .select_related("section")
        .prefetch_related("themes")
        .order_by("position")
    )
    # The profile: each item once (its themes as labels), the known statuses first; "No information" folded.
    known = [(item, statuses[item.pk]) for item in items if item.pk in statuses]
    unknown = [item for item in items if item.pk not in statuses]
    counts = Counter(row.status for row in statuses.values())
    counts[NO_INFORMATION] = len(items) - len(statuses)
    ordered = [(s, status_label(s), counts[s]) for s in REPORT_STATUSES if counts.get(s)]
    history = reports.cached_history_by_year(actor=actor)
    # Translators: the accessible name of a chart; "items" are the calls to action.
    chart_label = _("%(name)s: items by status") % {"name": actor_name(actor)}
    context = {
        "actor": actor,
        "rows": [(item, statuses.get(item.pk)) for item in items],
        "known": known,
        "as_of_precisions": [current.update.as_of_precision for _item, current in known],
        "unknown": unknown,
        "reported": len(statuses),
        "counts": ordered,
        "status_bar": charts.stacked_bar(ordered, label=chart_label, height=28),
        "legend": charts.legend([s for s, _, _ in ordered]),
        "threshold_notes": [item.thresholds_explained() for item in items if item.kind == Kind.QUANTITATIVE],
        **charts.over_time(history, label=chart_label),
        "NO_INFORMATION": NO_INFORMATION_LABEL,
        # Links built once, not with a {% url %} per row (a profile lists ~150 rows).
        "actor_url": actor.get_absolute_url(),
        "progress_url": reverse("recommendations:progress_new"),
    }
    return render(request, "recommendations/actor_detail.html", context)


@require_GET
def timeline(request, code, item_code):
    """Every update on one (actor, item) pair in as-of order, and what each changed."""
    actor = _actor_or_404(code)
    item = get_object_or_404(Recommendation, code=item_code.upper())
    updates = list(
        ProgressUpdate.objects.visible_to(request.user)
        .filter(actor=actor, recommendation=item)
        .select_related("reported_by_organization", "created_by", "reviewed_by")
        .oldest_first()
    )
    current = CurrentStatus.objects.filter(actor=actor, recommendation=item).first()
    # "What changed" compares each verified update with the verified one before it.
    previous_status = None
    entries = []
    for update in updates:
        change = None
        if update.state == ReviewState.VERIFIED:
            before = Status(previous_status).label if previous_status else NO_INFORMATION_LABEL
            change = (before, update.get_status_display()) if previous_status != update.status else None
            previous_status = update.status
        entries.append({"update": update, "change": change, "is_current": current and current.update_id == update.pk})
    context = {"actor": actor, "item": item, "entries": entries, "current": current, **_tracks(updates)}
    return render(request, "recommendations/timeline.html", context)


def _tracks(updates: list[ProgressUpdate]) -> dict:
    """The pair's updates as parallel tracks, one per perspective, on one timeline: a row per as-of date, a
    column per perspective with updates; and each perspective's latest verified status, where they differ."""
    present = {u.perspective for u in updates}
    perspectives = [p for p in Perspective if p in present]
    rows: dict = {}
    latest: dict = {}
    for update in updates:  # oldest first
        rows.setdefault(update.as_of, {p: [] for p in perspectives})[update.perspective].append(update)
        if update.state == ReviewState.VERIFIED:
            latest[update.perspective] = update
    firsts = [(_first(cells), list(cells.values())) for _, cells in sorted(rows.items())]
    return {
        "perspectives": perspectives,
        # Each row's date as its updates give it (at the precision of the first one), and the column's heading
        # worded for those precisions (``models.as_of_heading``).
        "track_rows": [{"as_of": first.as_of_display(), "cells": cells} for first, cells in firsts],
        "as_of_precisions": [first.as_of_precision for first, _cells in firsts],
        "track_latest": [(Perspective(p).label, latest[p]) for p in perspectives if p in latest],
        "tracks_disagree": services.statuses_disagree(u.status for u in latest.values()),
    }


def _first(cells: dict) -> ProgressUpdate:
    """A row's first update: the row shows its date at that update's precision."""
    return next(u for updates in cells.values() for u in updates)


@require_GET
def actor_search(request):
    """Suggestions for the actor chooser: up to 20 countries or organizations matching ?q=."""
    text = request.GET.get("q", "").strip()
    if len(text) < 2:
        return JsonResponse({"results": [], "message": _("Type at least 2 characters.")})
    actors = Actor.objects.real()
    # With ?item=CODE (the chooser sends the item typed beside it): only what that item accepts — countries
    # for a ratification item — and countries first otherwise.
    item_code = request.GET.get("item", "").strip().split(" ", 1)[0].upper()
    item = Recommendation.objects.filter(code=item_code).only("kind").first() if item_code else None
    if item is not None and item.kind == Kind.RATIFICATION:
        actors = actors.countries()
    actors = actors.search(text).order_by("kind", "name").only("code", "name", "kind", "other_names")[:20]
    # Named and ordered in the reader's language; the label ends with the code, which is what the form reads.
    actors = countries_first(actors)
    results = [
        {
            "code": a.code,
            "name": actor_name(a),
            "kind": a.kind,
            "kind_label": a.get_kind_display(),
            "label": f"{actor_name(a)} ({a.code})",
        }
        for a in actors
    ]
    return JsonResponse({"results": results})
