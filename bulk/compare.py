"""Compare before verifying: what each pending update would change (reads only).

For each update: the pair's current status (``CurrentStatus``), the move
"from → to" that verifying it would make, whether that move goes backwards
on the item's scale (``PROGRESS_SCORE``, the scales' one order), whether the
update is older than the current status (verifying it then changes nothing
shown), and the other updates pending on the same pair (a conflict the
reviewer should settle). Two queries whatever the number of updates.
"""

import functools
import operator
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from recommendations.models import (
    PROGRESS_SCORE,
    CurrentStatus,
    DatePrecision,
    ProgressUpdate,
    ReviewState,
    as_of_phrase,
    status_label,
)


@dataclass
class Change:
    current: str | None  # the pair's current status (None: no information yet)
    current_label: str
    current_as_of: object  # date or None
    proposed: str
    proposed_label: str
    older: bool = False  # the update's as-of date is before the current status's: verifying changes nothing shown
    backwards: bool = False  # verifying moves the pair down its scale
    others: list = field(default_factory=list)  # [(pk, status label)] of other pending updates on the pair
    current_as_of_precision: str = DatePrecision.DAY

    @property
    def current_as_of_phrase(self) -> str:
        """ "as of 31 March 2017", "en mars 2017": the current status's date at its precision (``as_of_phrase``)."""
        return as_of_phrase(self.current_as_of, self.current_as_of_precision) if self.current_as_of else ""

    @property
    def moves(self) -> bool:
        return not self.older and self.current != self.proposed

    @property
    def conflict(self) -> bool:
        return bool(self.others)


def _pairs(updates) -> Q:
    pairs = {(u.actor_id, u.recommendation_id) for u in updates}
    return functools.reduce(operator.or_, (Q(actor_id=a, recommendation_id=r) for a, r in sorted(pairs)))


def changes(updates) -> dict[int, Change]:
    """Each update's Change, keyed by its id. Two queries, for a page of any length."""
    updates = list(updates)
    if not updates:
        return {}
    where = _pairs(updates)
    current = {
        (c.actor_id, c.recommendation_id): c
        for c in CurrentStatus.objects.filter(where).only(
            "actor_id", "recommendation_id", "status", "as_of", "as_of_precision"
        )
    }
    pending: dict[tuple[int, int], list[tuple[int, str]]] = {}
    rows = (
        ProgressUpdate.objects.filter(where, state=ReviewState.PENDING)
        .order_by("created_at", "pk")
        .values_list("actor_id", "recommendation_id", "pk", "status")
    )
    for actor_id, recommendation_id, pk, status in rows:
        pending.setdefault((actor_id, recommendation_id), []).append((pk, status))
    result = {}
    for update in updates:
        pair = (update.actor_id, update.recommendation_id)
        now = current.get(pair)
        change = Change(
            current=now.status if now else None,
            current_label=status_label(now.status) if now else _("No information"),
            current_as_of=now.as_of if now else None,
            current_as_of_precision=now.as_of_precision if now else DatePrecision.DAY,
            proposed=update.status,
            proposed_label=status_label(update.status),
            others=[(pk, status_label(status)) for pk, status in pending.get(pair, []) if pk != update.pk],
        )
        if now is not None:
            change.older = update.as_of < now.as_of
            change.backwards = not change.older and PROGRESS_SCORE[update.status] < PROGRESS_SCORE[now.status]
        result[update.pk] = change
    return result


def decorate_page(page) -> None:
    """Give each update of a page of the review queue its ``change``."""
    page.object_list = list(page.object_list)
    found = changes(page.object_list)
    for update in page.object_list:
        update.change = found[update.pk]
