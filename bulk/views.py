"""Bulk review pages: confirm what a selection from the queue will do, then the job's result (and progress).

Works without JavaScript: every step is a form, and a running job's page
refreshes itself; with JavaScript on, bulk.js fills the progress bar from
the page's JSON instead of reloading.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from languages.numbers import count
from recommendations.models import ProgressUpdate
from recommendations.views.pages import paginate

from . import compare, services
from .models import BulkReview, Decision, JobState, Outcome

can_review = permission_required("recommendations.review_progress", raise_exception=True)
PREVIEW_ROWS = 200  # the confirmation lists at most this many updates, with what each would change


def _queue(query: str) -> str:
    url = reverse("recommendations:review_queue")
    return f"{url}?{query}" if query else url


def _preview(request, *, decision, reason, query, all_matching, selection, errors=()):
    """The confirmation page: what will be done to how many updates, and what each of the first ones would change."""
    if all_matching:
        chosen = services.matching(query)
    else:
        chosen = (
            ProgressUpdate.objects.filter(pk__in=[pk for pk, _ in selection])
            .select_related("actor", "recommendation", "reported_by_organization", "created_by")
            .order_by("created_at", "pk")
        )
    total = chosen.count()
    own = chosen.filter(created_by=request.user).count()
    rows = list(chosen[:PREVIEW_ROWS])
    found = compare.changes(rows)
    for row in rows:
        row.change = found[row.pk]
        row.own = row.created_by_id == request.user.pk
    context = {
        "decision": decision,
        "reason": reason,
        "query": query,
        "all_matching": all_matching,
        "selection": [f"{pk}:{version}" for pk, version in selection],
        "rows": rows,
        "total": total,
        "more": total - len(rows),
        "own": own,
        "backwards": sum(1 for r in rows if r.change.backwards),
        "conflicts": sum(1 for r in rows if r.change.conflict),
        "submission_token": request.POST.get("submission_token") or uuid.uuid4(),
        "errors": list(errors),
        "background": total > services.background_above(),
        "queue_url": _queue(query),
    }
    return render(request, "bulk/confirm.html", context, status=400 if errors else 200)


@login_required
@can_review
@require_POST
def bulk_review(request):
    """From the queue: the confirmation page; from the confirmation page: record and run the bulk review."""
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "")
    query = request.POST.get("query", "")
    all_matching = request.POST.get("scope") == "all"
    try:
        selection = [] if all_matching else services.parse_selection(request.POST.getlist("update"))
        if not all_matching and not selection:
            raise ValidationError(_("Select at least one update (tick its box), or choose all matching updates."))
        if decision not in Decision.values:
            raise ValidationError(_("Choose verify or return."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_queue(query))

    if request.POST.get("step") != "confirm":
        try:
            return _preview(
                request, decision=decision, reason=reason, query=query, all_matching=all_matching, selection=selection
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_queue(query))

    try:
        token = uuid.UUID(request.POST.get("submission_token", ""))
    except ValueError:
        messages.error(request, _("This form is incomplete; choose the updates again."))
        return redirect(_queue(query))
    try:
        job, created = services.start_bulk_review(
            user=request.user,
            submission_token=token,
            decision=decision,
            reason=reason,
            selection=None if all_matching else selection,
            query=query if all_matching else None,
        )
    except PermissionDenied as denied:
        messages.error(request, str(denied))
        return redirect(_queue(query))
    except ValidationError as error:
        return _preview(
            request,
            decision=decision,
            reason=reason,
            query=query,
            all_matching=all_matching,
            selection=selection,
            errors=error.messages,
        )
    if created:
        services.dispatch(job)
    else:
        messages.info(request, _("This bulk review was already submitted; here is its result. Nothing was done twice."))
    return redirect("bulk:review_job", token=job.token)


COUNTS = ("processed", "total", "done", "refused")


def counts_shown(progress: dict) -> dict:
    """The job's counts as the page writes them, grouped the reader's way (``languages.numbers.count``: "1 234" in
    French, "1234" in Chinese): bulk.js rewrites the status line with these, so the script and the server follow
    one rule (``Intl.NumberFormat`` would group Chinese and Arabic where the server does not)."""
    return {key: count(progress[key]) for key in COUNTS}


@login_required
@require_GET
def review_job(request, token):
    """A bulk review's progress, then its result: what was done and, per update, what was refused and why."""
    job = get_object_or_404(BulkReview, token=token, user=request.user)
    progress = services.progress(job)
    if request.GET.get("format") == "json":
        return JsonResponse({**progress, "shown": counts_shown(progress)})
    waiting = job.state in (JobState.QUEUED, JobState.RUNNING)
    items = (
        job.items.exclude(outcome=Outcome.WAITING)
        .select_related("update__actor", "update__recommendation")
        .order_by("-outcome", "pk")  # refused first
    )
    page, page_error = paginate(request, items, per_page=50)
    if page_error:
        messages.error(request, page_error)
    context = {
        "job": job,
        "progress": progress,
        "shown": counts_shown(progress),
        "waiting": waiting,
        "page": page,
        "query": "",
    }
    return render(request, "bulk/job.html", context)
