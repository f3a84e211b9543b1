"""Writes in bulk: a reviewer's bulk review of the queue, and the editors' bulk actions in the admin.

Every update of a bulk review goes through the single action's service
(``services.verify_update`` / ``services.return_update``): the same rules
(the four-eyes rule, the version check), the same history and audit trail,
one transaction per update together with the record of its outcome. A
selection above ``background_above()`` updates runs on the background worker;
its page shows the progress.

The editors' actions (themes, addressees and SDG targets on items; type,
based-in country and reporting cycle of organizations) each write, in one
transaction, the change of every selected object with its history entry
(django-simple-history, with who and why) and its line in the audit trail.
"""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext

from alerts.models import ReportingCycle
from recommendations import services
from recommendations.chart_cache import bump_history_version
from recommendations.filters import review_queue_filter
from recommendations.models import (
    Actor,
    ActorKind,
    Addressee,
    AuditAction,
    OrganizationType,
    ProgressUpdate,
    Recommendation,
    SDGTarget,
    Theme,
)

from .models import BulkReview, BulkReviewItem, Decision, JobState, Outcome


def background_above() -> int:
    """Larger selections run on the background worker (the page shows their progress); smaller ones at once."""
    return settings.BULK_REVIEW_IN_BACKGROUND_ABOVE


def max_selection() -> int:
    """One bulk review takes at most this many updates: "all matching" an unfiltered queue is narrowed first."""
    return settings.BULK_REVIEW_MAX


def parse_selection(values) -> list[tuple[int, int]]:
    """Checkbox values "<id>:<version>" → [(id, version)]; anything else is refused with a message."""
    selection, bad = {}, []
    for value in values:
        pk, _, version = str(value).partition(":")
        if pk.isdigit() and version.isdigit() and len(pk) < 19 and len(version) < 9:
            selection[int(pk)] = int(version)
        else:
            bad.append(str(value)[:40])
    if bad:
        raise ValidationError(gettext("These selections are not updates: %(values)s.") % {"values": ", ".join(bad[:5])})
    return list(selection.items())


def _check_request(*, user, decision: str, reason: str) -> str:
    if not user.has_perm("recommendations.review_progress"):
        raise PermissionDenied(gettext("Only reviewers review updates."))
    if decision not in Decision.values:
        raise ValidationError({"decision": gettext("Choose verify or return.")})
    reason = (reason or "").strip()
    if decision == Decision.RETURN and not reason:
        raise ValidationError({"reason": gettext("Say why the updates are returned, so the reporters can fix them.")})
    if problem := services.unsafe_text(reason, "reason"):
        raise ValidationError({"reason": problem})
    return reason


def matching(query: str):
    """The queue's own selection for these filters (as on its page), or a ValidationError naming the bad filter."""
    filterset = review_queue_filter(QueryDict(query or ""))
    if filterset.is_bound and not filterset.is_valid():
        raise ValidationError(filterset.error_messages())
    return filterset.qs


def start_bulk_review(
    *,
    user,
    submission_token: uuid.UUID,
    decision: str,
    reason: str = "",
    selection: list[tuple[int, int]] | None = None,
    query: str | None = None,
) -> tuple[BulkReview, bool]:
    """Record a bulk review of ``selection`` ([(update id, version seen)]) or of all updates matching ``query``.

    Returns (job, created). A repeated ``submission_token`` of the same person
    (double click, browser resend) returns their first job, and nothing is
    recorded or processed twice. Nothing is reviewed here: ``run_bulk_review``
    (at once, or on the worker above ``background_above()`` updates) does it.
    """
    existing = BulkReview.objects.filter(user=user, submission_token=submission_token).first()
    if existing is not None:
        return existing, False
    reason = _check_request(user=user, decision=decision, reason=reason)
    all_matching = query is not None
    if all_matching:
        rows = list(matching(query).order_by("created_at", "pk").values_list("pk", "version")[: max_selection() + 1])
    else:
        if len(selection or []) > max_selection():
            raise ValidationError(gettext("Select at most %(max)s updates at once.") % {"max": f"{max_selection():,}"})
        wanted = dict(selection or [])
        found = ProgressUpdate.objects.filter(pk__in=list(wanted)).values_list("pk", flat=True)
        rows = [(pk, wanted[pk]) for pk in sorted(found)]
    if not rows:
        raise ValidationError(gettext("Select at least one update awaiting review."))
    if len(rows) > max_selection():
        raise ValidationError(
            gettext("That is more than %(max)s updates: narrow the filters (organization, item, age) first.")
            % {"max": f"{max_selection():,}"}
        )
    try:
        with transaction.atomic():
            job = BulkReview.objects.create(
                user=user,
                submission_token=submission_token,
                decision=decision,
                reason=reason,
                query=query or "",
                all_matching=all_matching,
                total=len(rows),
            )
            BulkReviewItem.objects.bulk_create(
                [BulkReviewItem(job=job, update_id=pk, expected_version=version) for pk, version in rows],
                batch_size=1000,
            )
    except IntegrityError:
        # Two copies of one submission raced; the other one recorded the job.
        existing = BulkReview.objects.filter(user=user, submission_token=submission_token).first()
        if existing is None:
            raise
        return existing, False
    return job, True


def dispatch(job: BulkReview) -> None:
    """Process a new job: at once when small, else on the background worker (the job page shows progress)."""
    from . import tasks

    if job.total > background_above():
        tasks.run_bulk_review.delay(job.pk)
    else:
        run_bulk_review(job_id=job.pk)


def run_bulk_review(*, job_id: int) -> BulkReview | None:
    """Process every item still waiting, one transaction each; safe to run twice or after a stop."""
    with transaction.atomic():
        job = BulkReview.objects.select_for_update().select_related("user").filter(pk=job_id).first()
        if job is None or job.state == JobState.DONE:
            return job
        job.state = JobState.RUNNING
        job.save(update_fields=["state"])
    waiting = BulkReviewItem.objects.filter(job=job, outcome=Outcome.WAITING).order_by("pk")
    for item_id in list(waiting.values_list("pk", flat=True)):
        _process(job, item_id)
    BulkReview.objects.filter(pk=job.pk).update(state=JobState.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _process(job: BulkReview, item_id: int) -> None:
    """One update: the single action's service call and the record of its outcome, in one transaction."""
    with transaction.atomic():
        item = BulkReviewItem.objects.select_for_update().filter(pk=item_id, outcome=Outcome.WAITING).first()
        if item is None:  # another run of this job did it
            return
        update = ProgressUpdate(pk=item.update_id)  # the service re-reads it under a row lock
        try:
            if job.decision == Decision.VERIFY:
                services.verify_update(update=update, reviewer=job.user, expected_version=item.expected_version)
            else:
                services.return_update(
                    update=update, reviewer=job.user, expected_version=item.expected_version, reason=job.reason
                )
        except PermissionDenied as denied:
            item.outcome, item.message = Outcome.REFUSED, str(denied)
        except ValidationError as error:
            item.outcome, item.message = Outcome.REFUSED, " ".join(error.messages)
        else:
            item.outcome = Outcome.DONE
        item.processed_at = timezone.now()
        item.save(update_fields=["outcome", "message", "processed_at"])


def fail_bulk_review(*, job_id: int, error: str) -> None:
    BulkReview.objects.filter(pk=job_id).exclude(state=JobState.DONE).update(
        state=JobState.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def progress(job: BulkReview) -> dict:
    """How far a job is: counts per outcome (one query)."""
    counts = dict.fromkeys(Outcome.values, 0)
    for outcome in job.items.order_by().values_list("outcome", flat=True):
        counts[outcome] += 1
    processed = counts[Outcome.DONE] + counts[Outcome.REFUSED]
    return {
        "state": job.state,
        "total": job.total,
        "processed": processed,
        "done": counts[Outcome.DONE],
        "refused": counts[Outcome.REFUSED],
        "percent": round(100 * processed / job.total) if job.total else 100,
    }


# ---------------------------------------------------------------------------
# The editors' bulk actions (admin)
# ---------------------------------------------------------------------------

ITEM_LINKS = {
    Theme: ("themes", "theme"),
    Addressee: ("addressees", "addressee"),
    SDGTarget: ("sdg_targets", "SDG target"),
}


def _editor(user, *permissions) -> None:
    """Editors (staff with the model's change permission) act in bulk; anyone else is refused."""
    if not getattr(user, "is_staff", False) or not user.has_perms(permissions):
        raise PermissionDenied(gettext("Only editors change items and organizations in bulk."))


def _save_with_history(obj, user, reason: str, *, fields=None) -> None:
    """Save with who and why in the object's history, and add the line to the audit trail."""
    obj._history_user = user
    obj._change_reason = f"bulk: {reason}"[: services.HISTORY_REASON_MAX]
    if fields is not None:
        obj.save(update_fields=fields)
    services.record_event(user=user, action=AuditAction.ADMIN_CHANGED, obj=obj, detail=f"Bulk action: {reason}")


def _link_items(items, link, user, *, add: bool) -> int:
    _editor(user, "recommendations.change_recommendation")
    if type(link) not in ITEM_LINKS:
        raise ValidationError(gettext("Items link to themes, addressees and SDG targets."))
    attribute, noun = ITEM_LINKS[type(link)]
    items = list(items)
    if not items:
        raise ValidationError(gettext("Select at least one item."))
    with transaction.atomic():
        bump_history_version()  # a theme/addressee filter's over-time chart covers other items now
        linked = set(
            Recommendation.objects.filter(pk__in=[i.pk for i in items], **{attribute: link}).values_list(
                "pk", flat=True
            )
        )
        changed = 0
        for item in items:
            if (item.pk in linked) == add:
                continue  # already as asked: no history entry, no audit line
            # The m2m change writes the item's history entry (simple-history tracks these relations).
            item._history_user = user
            item._change_reason = f"bulk: {'added' if add else 'removed'} {noun} {link}"[: services.HISTORY_REASON_MAX]
            getattr(item, attribute).add(link) if add else getattr(item, attribute).remove(link)
            services.record_event(
                user=user,
                action=AuditAction.ADMIN_CHANGED,
                obj=item,
                detail=f"Bulk action: {'added' if add else 'removed'} the {noun} “{link}”.",
            )
            changed += 1
    return changed


def add_item_link(*, items, link, user) -> int:
    """Add a theme, addressee or SDG target to each item that lacks it; returns how many changed."""
    return _link_items(items, link, user, add=True)


def remove_item_link(*, items, link, user) -> int:
    """Remove a theme, addressee or SDG target from each item that has it; returns how many changed."""
    return _link_items(items, link, user, add=False)


def _organizations(actors) -> list[Actor]:
    actors = list(actors)
    if not actors:
        raise ValidationError(gettext("Select at least one organization."))
    countries = [a.name for a in actors if a.kind != ActorKind.ORGANIZATION]
    if countries:
        raise ValidationError(
            gettext(
                "Only organizations have a type, a based-in country and a reporting cycle; nothing was changed. "
                "Unselect: %(names)s."
            )
            % {"names": ", ".join(countries[:10]) + ("…" if len(countries) > 10 else "")}
        )
    return actors


@transaction.atomic
def set_organization_type(*, organizations, organization_type: str, user) -> int:
    _editor(user, "recommendations.change_actor")
    if organization_type not in OrganizationType.values:
        raise ValidationError({"organization_type": gettext("Choose an organization type.")})
    label = OrganizationType(organization_type).label
    bump_history_version()  # an organization-type filter's over-time chart covers other organizations now
    changed = 0
    for organization in _organizations(organizations):
        if organization.organization_type == organization_type:
            continue
        was = organization.get_organization_type_display()
        organization.organization_type = organization_type
        _save_with_history(organization, user, f"type set to {label} (was {was})", fields=["organization_type"])
        changed += 1
    return changed


@transaction.atomic
def set_base_country(*, organizations, country: Actor | None, user) -> int:
    _editor(user, "recommendations.change_actor")
    if country is not None and country.kind != ActorKind.COUNTRY:
        raise ValidationError({"country": gettext("An organization is based in a country.")})
    bump_history_version()  # a region filter's over-time chart covers other organizations now
    changed = 0
    for organization in _organizations(organizations):
        if organization.base_country_id == getattr(country, "pk", None):
            continue
        organization.base_country = country
        _save_with_history(organization, user, f"based-in country set to {country or 'none'}", fields=["base_country"])
        changed += 1
    return changed


@transaction.atomic
def set_reporting_cycle(*, organizations, months: int | None, user) -> int:
    """Every selected organization's assessments due every ``months`` months (None: no cycle of its own)."""
    _editor(user, "recommendations.change_actor", "alerts.change_reportingcycle", "alerts.delete_reportingcycle")
    if months is not None and not 1 <= months <= 120:
        raise ValidationError({"months": gettext("A reporting cycle is between 1 and 120 months.")})
    organizations = _organizations(organizations)
    cycles = {c.organization_id: c for c in ReportingCycle.objects.filter(organization__in=organizations)}
    changed = 0
    for organization in organizations:
        cycle = cycles.get(organization.pk)
        was = f"every {cycle.months} months" if cycle else "none"
        now = f"every {months} months" if months else "none"
        if was == now:
            continue
        reason = f"reporting cycle set to {now} (was {was})"
        cycle = cycle or ReportingCycle(organization=organization)
        cycle._history_user, cycle._change_reason = user, f"bulk: {reason}"[: services.HISTORY_REASON_MAX]
        if months is None:
            cycle.delete()
        else:
            cycle.months = months
            cycle.save()
        services.record_event(
            user=user, action=AuditAction.ADMIN_CHANGED, obj=organization, detail=f"Bulk action: {reason}"
        )
        changed += 1
    return changed
