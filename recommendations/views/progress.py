"""Logging progress, reviewing it, and each person's own updates.

Every view here checks permissions on the server: anonymous visitors are
sent to log in for any write, roles are Django permissions
(``log_progress``, ``review_progress``), and an update someone may not see
is a 404 whatever its id.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bulk import compare
from bulk import services as bulk

from .. import history, services
from ..filters import review_queue_filter
from ..forms import ChooseForm, ProgressUpdateForm, ReviewForm, WithdrawForm, apply_service_errors
from ..models import Actor, ImportBatch, Perspective, ProgressUpdate, Recommendation, ReviewState
from .pages import paginate, render_filtered_list

can_log = permission_required("recommendations.log_progress", raise_exception=True)
can_review = permission_required("recommendations.review_progress", raise_exception=True)


def _visible_update(request, pk) -> ProgressUpdate:
    queryset = ProgressUpdate.objects.visible_to(request.user).select_related(
        "actor", "recommendation__document", "reported_by_organization", "created_by", "reviewed_by", "withdrawn_by"
    )
    return get_object_or_404(queryset, pk=pk)


def _own_update(request, pk) -> ProgressUpdate:
    """The user's own update, or 404: someone else's update is not there for them."""
    return get_object_or_404(
        ProgressUpdate.objects.select_related("actor", "recommendation"), pk=pk, created_by=request.user
    )


@login_required
@can_log
@require_http_methods(["GET", "POST"])
def progress_new(request):
    organizations = services.organizations_of(request.user)  # read once: the form and the service reuse it
    if not organizations:
        return render(request, "recommendations/progress_no_organization.html", status=403)

    # The post of the update reads only the columns the write needs of the item and the actor (forms.py).
    posted = request.method == "POST"
    chosen = ChooseForm(request.GET, to_write=posted) if {"item", "actor"} <= set(request.GET) else None
    if chosen is None or not chosen.is_valid():
        initial = {key: request.GET.get(key, "") for key in ("item", "actor")}
        context = {
            "form": chosen or ChooseForm(initial=initial),
            "items": Recommendation.objects.only("code", "title"),
            "countries": Actor.objects.countries().only("code", "name"),
        }
        return render(request, "recommendations/progress_choose.html", context)

    item, actor = chosen.cleaned_data["item"], chosen.cleaned_data["actor"]
    form = ProgressUpdateForm(
        request.POST or None, request.FILES or None, recommendation=item, actor=actor, user=request.user
    )
    if posted and form.is_valid():
        try:
            # A repeated submission token returns the update the first submission created (the service checks).
            update = services.log_progress(
                actor=actor,
                recommendation=item,
                organization=form.cleaned_data["organization"],
                user=request.user,
                submission_token=form.cleaned_data["submission_token"],
                **form.service_arguments(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if getattr(update, "repeated", False):
                messages.info(request, _("This form was already submitted; here is the update it created."))
                return redirect(update)
            messages.success(
                request,
                _("Thank you. Your update on %(item)s for %(actor)s awaits review.")
                % {"item": item.code, "actor": actor.name},
            )
            return redirect(update)
    if posted:
        form.keep_evidence_file()
        # Refused: the page shown again shows the whole item and actor (their titles and names in the reader's
        # language, the quotations), which the write's narrow rows do not hold.
        item = Recommendation.objects.select_related("document").get(pk=item.pk)
        actor = Actor.objects.get(pk=actor.pk)
    return render(request, "recommendations/progress_form.html", {"form": form, "item": item, "actor": actor})


def _may_withdraw(user, update) -> bool:
    """Whether the page offers to withdraw: the service's own check (``check_can_withdraw``)."""
    if not user.is_authenticated:
        return False
    try:
        services.check_can_withdraw(user, update)
    except PermissionDenied:
        return False
    return True


def update_detail(request, pk):
    update = _visible_update(request, pk)
    user = request.user
    own = user.is_authenticated and update.created_by_id == user.pk
    editable = own and update.state in (ReviewState.PENDING, ReviewState.RETURNED)
    reviewer = user.has_perm("recommendations.review_progress")
    context = {
        "update": update,
        "own": own,
        "editable": editable,
        "can_review": update.state == ReviewState.PENDING and reviewer and services.can_review(user, update),
        "own_pending_needs_second": reviewer and own and not services.can_review(user, update),
        "can_withdraw": update.state != ReviewState.WITHDRAWN and _may_withdraw(user, update),
        "review_form": ReviewForm(initial={"version": update.version}),
        "perspectives": Perspective.choices,
        "withdraw_form": WithdrawForm(initial={"version": update.version}),
        "show_history": own or reviewer or user.is_staff,
        "history": history.with_changes(
            update.history.select_related("history_user")
            .prefetch_related("history_user__memberships__organization")
            .order_by("history_date", "history_id")
        )
        if (own or reviewer or user.is_staff)
        else [],
    }
    return render(request, "recommendations/update_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def update_edit(request, pk):
    update = _own_update(request, pk)
    if update.state not in (ReviewState.PENDING, ReviewState.RETURNED):
        messages.error(
            request,
            _("This update is “%(state)s” and can no longer be edited.") % {"state": update.get_state_display()},
        )
        return redirect(update)
    form = ProgressUpdateForm(
        request.POST or None,
        request.FILES or None,
        recommendation=update.recommendation,
        actor=update.actor,
        user=request.user,
        update=update,
        initial=ProgressUpdateForm.initial_from(update),
    )
    if request.method == "POST" and form.is_valid():
        try:
            update = services.edit_update(
                update=update,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                **form.service_arguments(),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Saved. The update awaits review."))
            return redirect(update)
    if request.method == "POST":
        form.keep_evidence_file()
    context = {"form": form, "item": update.recommendation, "actor": update.actor, "update": update}
    return render(request, "recommendations/progress_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def update_withdraw(request, pk):
    update = _visible_update(request, pk)
    own = update.created_by_id == request.user.pk
    if not own and not request.user.has_perm("recommendations.review_progress"):
        raise Http404(_("No such update"))
    try:
        # The service's own check, before any reason is typed: the page says why instead of offering a form.
        services.check_can_withdraw(request.user, update)
    except PermissionDenied as denied:
        context = {"update": update, "form": None, "refusal": str(denied)}
        return render(request, "recommendations/update_withdraw.html", context, status=403)
    form = WithdrawForm(request.POST or None, initial={"version": update.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_update(
                update=update,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as denied:
            messages.error(request, str(denied))
            return redirect(update)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The update was withdrawn. It stays in the record, marked as withdrawn."))
            return redirect(update)
    return render(request, "recommendations/update_withdraw.html", {"update": update, "form": form})


@login_required
@can_review
@require_POST
def update_review(request, pk):
    update = get_object_or_404(ProgressUpdate, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        # What was wrong, field by field: the decision and the version are the page's, not typed, so they get
        # words of their own; any other field its own message.
        own_words = {
            "decision": _("Choose verify or return."),
            "version": _(
                "This review did not say which version of the update you saw; reload the page and review it again."
            ),
        }
        for field, errors in form.errors.items():
            messages.error(request, own_words.get(field) or " ".join(errors))
        return redirect(update)
    decision, version = form.cleaned_data["decision"], form.cleaned_data["version"]
    try:
        if decision == "verify":
            services.verify_update(
                update=update,
                reviewer=request.user,
                expected_version=version,
                perspective=form.cleaned_data["perspective"] or None,
            )
            messages.success(request, _("Verified: the update now counts in the reports."))
        else:
            services.return_update(
                update=update, reviewer=request.user, expected_version=version, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Returned to the reporter with your reason."))
    except PermissionDenied as denied:
        messages.error(request, str(denied))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    next_url = request.POST.get("next", "")
    if next_url == "queue":
        return redirect("recommendations:review_queue")
    return redirect(update)


def evidence_download(request, pk):
    update = _visible_update(request, pk)
    if not update.evidence_file:
        raise Http404(_("This update has no evidence file"))
    extension = update.evidence_file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        update.evidence_file.open("rb"),
        as_attachment=True,
        filename=f"evidence-{update.pk}.{extension}",
        content_type=update.evidence_file_type or "application/octet-stream",
    )
    # Belt and braces: even if a browser tried to render it, it could run nothing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    if update.state != ReviewState.VERIFIED:
        # Only its filer, their organization and reviewers may read an unverified update's file: no cache between
        # them and the server (a proxy, a shared computer's browser) may keep a copy for the next person.
        patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@can_review
def review_queue(request):
    filterset = review_queue_filter(request.GET)
    imports = ImportBatch.objects.awaiting_review().select_related("created_by", "organization")
    imports = imports.order_by("submitted_at")
    return render_filtered_list(
        request,
        "recommendations/review_queue.html",
        filterset,
        extra={"imports": imports, "bulk_above": bulk.background_above()},
        decorate=compare.decorate_page,
    )


@login_required
def my_updates(request):
    state = request.GET.get("state", "")
    queryset = (
        ProgressUpdate.objects.filter(created_by=request.user)
        .select_related("actor", "recommendation", "reported_by_organization")
        .order_by("-created_at", "-pk")
    )
    if state and state not in ReviewState.values:
        messages.error(request, _("“%(state)s” is not a review state; showing all your updates.") % {"state": state})
        state = ""
    if state:
        queryset = queryset.filter(state=state)
    counts = dict.fromkeys(ReviewState.values, 0)
    for value in ProgressUpdate.objects.filter(created_by=request.user).values_list("state", flat=True):
        counts[value] += 1
    page, page_error = paginate(request, queryset)
    if page_error:
        messages.error(request, page_error)
    context = {
        "page": page,
        "state": state,
        "states": [(s.value, s.label, counts[s.value]) for s in ReviewState],
        "query": f"state={state}" if state else "",
        "can_log": request.user.has_perm("recommendations.log_progress"),
    }
    return render(request, "recommendations/my_updates.html", context)
