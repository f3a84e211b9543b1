"""Who says so: the default perspective of an update (``default_perspective``), the one rule; and each
perspective's maintained track (``write_tracks``, called by ``refresh_current_status(es)``).

The form's initial choice, an imported row without a ``perspective`` column, an API write without one and
migration 0015's fill of the existing updates all follow it (the migration holds a copy, as migrations
must not import code that may change).
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import (
    Actor,
    OrganizationType,
    Perspective,
    PerspectiveInterval,
    PerspectiveStatus,
    StatusInterval,
    english,
)

# The UN Treaty Collection (``load_icrmw_baseline`` files the ratification baseline under this code) is the
# treaty depositary's record.
TREATY_DEPOSITARY_CODES = frozenset({"un-treaty-collection"})

# An organization reports from its own point of view: a UN entity's reports are a UN mechanism's, a research
# institution's or a financial institution's figures are independent data; every other organization
# (NGOs, migrant associations, trade unions, companies) gives a civil-society assessment. A government's
# self-report is never a default: a reporter transcribing one says so.
BY_ORGANIZATION_TYPE = {
    OrganizationType.INTERNATIONAL: Perspective.UN_MECHANISM,
    OrganizationType.ACADEMIC: Perspective.INDEPENDENT_DATA,
    OrganizationType.FINANCIAL_INSTITUTION: Perspective.INDEPENDENT_DATA,
}


def default_perspective(organization: Actor | None) -> str:
    """The perspective of an update filed for ``organization`` when its reporter does not state one."""
    if organization is None:
        return Perspective.CIVIL_SOCIETY
    if organization.code.lower() in TREATY_DEPOSITARY_CODES:
        return Perspective.UN_TREATY_DEPOSITARY
    return BY_ORGANIZATION_TYPE.get(organization.organization_type, Perspective.CIVIL_SOCIETY)


def parse_perspective(text: str | None, organization: Actor | None) -> str:
    """A perspective as a file or an API gives it (its code or its label, any case; empty: the default),
    or a ValueError with the message to show."""
    text = (text or "").strip()
    if not text:
        return default_perspective(organization)
    for perspective in Perspective:
        # The English label: files and API calls are a contract that does not change with the interface language.
        if text.lower() in (perspective.value, english(perspective.label).lower()):
            return perspective.value
    raise ValueError(
        _("Unknown perspective “%(text)s”. Use one of: %(codes)s (or leave it empty for the organization's usual one).")
        % {"text": text, "codes": ", ".join(p.value for p in Perspective)}
    )


def tracks_from_history(history: list) -> tuple[list, list]:
    """A pair's per-perspective current statuses and intervals from its counted updates, oldest first.

    Each perspective's track follows the consolidated rule on its own updates: the last one is its current
    status, and its intervals are ``intervals_from_history`` of its updates.
    """
    from .current_status import intervals_from_history

    by_perspective: dict[str, list] = {}
    for update in history:
        by_perspective.setdefault(update.perspective, []).append(update)
    statuses, intervals = [], []
    for perspective, updates in by_perspective.items():
        latest = updates[-1]
        statuses.append(
            PerspectiveStatus(
                actor_id=latest.actor_id,
                recommendation_id=latest.recommendation_id,
                update_id=latest.pk,
                **{field: getattr(latest, source) for field, source in PerspectiveStatus.COPIED_FROM_UPDATE.items()},
            )
        )
        intervals += [
            PerspectiveInterval(
                perspective=perspective,
                **{
                    f.attname: getattr(interval, f.attname)
                    for f in StatusInterval._meta.concrete_fields
                    if f.attname not in ("id", "perspective")
                },
            )
            for interval in intervals_from_history(updates)
        ]
    return statuses, intervals


def write_tracks(histories: dict[tuple[int, int], list], pairs: Q) -> None:
    """Replace the per-perspective statuses and intervals of the pairs ``pairs`` selects by those of their
    counted histories (oldest first; a pair missing from ``histories`` has none). Inside the writing
    transaction, after the actors are locked."""
    PerspectiveInterval.objects.filter(pairs).delete()
    PerspectiveStatus.objects.filter(pairs).delete()
    statuses, intervals = [], []
    for history in histories.values():
        pair_statuses, pair_intervals = tracks_from_history(history)
        statuses += pair_statuses
        intervals += pair_intervals
    PerspectiveStatus.objects.bulk_create(statuses, batch_size=2000)
    PerspectiveInterval.objects.bulk_create(intervals, batch_size=2000)
