"""Every write with side effects.

Views, the admin and management commands call these functions; none of
them writes models directly. Each function takes keyword-only arguments,
runs in one transaction and raises ``django.core.exceptions.ValidationError``
(with per-field messages where a field is to blame) before writing anything
when the input is wrong.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from .models import (
    Actor,
    ActorKind,
    CurrentStatus,
    DatePrecision,
    Kind,
    ProgressUpdate,
    Recommendation,
    Status,
    Theme,
)

# ---------------------------------------------------------------------------
# Progress updates and the current-status table
# ---------------------------------------------------------------------------


def _status_label(status: str) -> str:
    return Status(status).label if status in Status.values else status


def _check_update(
    *,
    actor: Actor,
    recommendation: Recommendation,
    status: str | None,
    value: Decimal | None,
    as_of: datetime.date,
    as_of_precision: str,
    evidence_urls: list[str],
    organization: Actor | None,
    historical: bool,
) -> str:
    """Validate one update; return the status it will carry."""
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    if recommendation.kind == Kind.RATIFICATION and actor.kind != ActorKind.COUNTRY:
        error("actor", "Only a country can sign, ratify or accede to an instrument; choose a country.")

    if recommendation.kind == Kind.QUANTITATIVE:
        if value is None:
            error("value", f"Enter the measured value ({recommendation.unit}) for this quantitative item.")
        elif value < 0:
            error("value", "The value cannot be negative.")
        else:
            derived = recommendation.status_for_value(value)
            if status not in (None, "", derived):
                error(
                    "status",
                    f"On this item the status follows from the value: {value} {recommendation.unit} "
                    f"is “{Status(derived).label}”, not “{_status_label(status)}”.",
                )
            status = derived
    else:
        if value is not None:
            error("value", "Only quantitative items take a measured value.")
        if not status:
            error("status", "Choose a status.")
        elif status not in recommendation.scale:
            labels = ", ".join(Status(s).label for s in recommendation.scale)
            error("status", f"“{_status_label(status)}” is not on this item's scale. Choose one of: {labels}.")

    if as_of_precision not in DatePrecision.values:
        error("as_of_precision", "Precision must be day, month or year.")
    if as_of > timezone.localdate():
        error("as_of", "The as-of date cannot be in the future.")
    elif as_of < recommendation.document.date and not historical:
        error(
            "as_of",
            f"The as-of date is before the source document ({recommendation.document.date:%d %B %Y}); "
            "tick “historical” if you are recording an earlier fact.",
        )

    validate_url = URLValidator(schemes=["http", "https"])
    for url in evidence_urls:
        try:
            validate_url(url)
        except ValidationError:
            error("evidence_urls", f"“{url}” is not a web address (it must start with http:// or https://).")

    if organization is not None and organization.kind != ActorKind.ORGANIZATION:
        error("reported_by_organization", "Updates are filed on behalf of an organization, not a country.")

    if errors:
        raise ValidationError(errors)
    return status


@transaction.atomic
def log_progress(
    *,
    actor: Actor,
    recommendation: Recommendation,
    as_of: datetime.date,
    status: str | None = None,
    value: Decimal | None = None,
    as_of_precision: str = DatePrecision.DAY,
    narrative: str = "",
    evidence_urls: Iterable[str] = (),
    organization: Actor | None = None,
    user=None,
    historical: bool = False,
    created_at: datetime.datetime | None = None,
) -> ProgressUpdate:
    """Record an update and bring the pair's current status up to date."""
    evidence_urls = [url.strip() for url in evidence_urls if url and url.strip()]
    status = _check_update(
        actor=actor,
        recommendation=recommendation,
        status=status,
        value=value,
        as_of=as_of,
        as_of_precision=as_of_precision,
        evidence_urls=evidence_urls,
        organization=organization,
        historical=historical,
    )
    update = ProgressUpdate.objects.create(
        actor=actor,
        recommendation=recommendation,
        kind=recommendation.kind,
        actor_kind=actor.kind,
        status=status,
        as_of=as_of,
        as_of_precision=as_of_precision,
        narrative=narrative.strip(),
        evidence_urls=evidence_urls,
        value=value,
        reported_by_organization=organization,
        created_by=user,
        historical=historical,
        created_at=created_at or timezone.now(),
    )
    refresh_current_status(actor_id=actor.pk, recommendation_id=recommendation.pk)
    return update


def refresh_current_status(*, actor_id: int, recommendation_id: int) -> CurrentStatus | None:
    """Make the pair's CurrentStatus row match its latest counted update.

    Must run inside the transaction that changed the pair's history. It locks
    the actor row first, so two writers on the same actor take turns and the
    second one reads what the first committed (READ COMMITTED re-reads per
    statement); on SQLite the write transaction already serialises writers.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("refresh_current_status must run inside the writing transaction")
    list(Actor.objects.select_for_update().filter(pk=actor_id).values_list("pk"))
    latest = (
        ProgressUpdate.objects.counted()
        .filter(actor_id=actor_id, recommendation_id=recommendation_id)
        .latest_first()
        .only("pk", "kind", "actor_kind", "status", "as_of")
        .first()
    )
    if latest is None:
        CurrentStatus.objects.filter(actor_id=actor_id, recommendation_id=recommendation_id).delete()
        return None
    current, _ = CurrentStatus.objects.update_or_create(
        actor_id=actor_id,
        recommendation_id=recommendation_id,
        defaults={
            "update": latest,
            "kind": latest.kind,
            "actor_kind": latest.actor_kind,
            "status": latest.status,
            "as_of": latest.as_of,
        },
    )
    return current


@transaction.atomic
def rebuild_current_statuses() -> int:
    """Recompute the whole current-status table from history (repair tool)."""
    latest = ProgressUpdate.objects.latest_per_pair()
    CurrentStatus.objects.all().delete()
    updates = ProgressUpdate.objects.filter(pk__in=latest.values()).only(
        "pk", "actor_id", "recommendation_id", "kind", "actor_kind", "status", "as_of"
    )
    rows = [
        CurrentStatus(
            actor_id=u.actor_id,
            recommendation_id=u.recommendation_id,
            update_id=u.pk,
            kind=u.kind,
            actor_kind=u.actor_kind,
            status=u.status,
            as_of=u.as_of,
        )
        for u in updates.iterator(chunk_size=5000)
    ]
    CurrentStatus.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# ---------------------------------------------------------------------------
# Taxonomy maintenance
# ---------------------------------------------------------------------------


@transaction.atomic
def merge_themes(*, source: Theme, target: Theme) -> int:
    """Move every item from ``source`` to ``target`` and delete ``source``.

    Returns how many items were moved.
    """
    if source.pk == target.pk:
        raise ValidationError("A theme cannot be merged into itself.")
    moved = 0
    for recommendation in source.recommendations.all():
        recommendation.themes.remove(source)
        recommendation.themes.add(target)
        moved += 1
    source.delete()
    return moved
