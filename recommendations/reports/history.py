"""Over time: how many actors (or items) stood at each status, year by year; the history CSV."""

import datetime
import statistics
from collections import Counter

from ..filters import StatusFilter
from ..models import REPORT_STATUSES, Kind, ProgressUpdate, plain_number, status_label


def history_by_year(
    *, recommendation=None, actor=None, since: int | None = None, filterset: StatusFilter | None = None
) -> dict:
    """Counts at each status at the end of each year, replaying verified history once.

    For an item, counts actors; for an actor, counts items; for a report's ``filterset``, the pairs of its
    items and actors (up to its ``on`` date). Returns {"years": [...], "statuses": [...], "series": {status:
    [count per year]}, "values": [median measured value per year, or None]} — the values of quantitative
    items, which can fall (8.5 % to 5.4 %) while the status stays the same.
    """
    updates = ProgressUpdate.objects.counted()
    last_day = datetime.date.today()
    if recommendation is not None:
        updates = updates.filter(recommendation=recommendation)
    if actor is not None:
        updates = updates.filter(actor=actor)
    if filterset is not None:
        updates = updates.filter(filterset.items("recommendation__"), filterset.actors("actor__"))
        if filterset.snapshot_date:
            last_day = filterset.snapshot_date
            updates = updates.filter(as_of__lte=last_day)
    rows = updates.oldest_first().values_list("actor_id", "recommendation_id", "as_of", "status", "value")
    state: dict[tuple[int, int], str] = {}
    values: dict[tuple[int, int], object] = {}
    years, snapshots, medians = [], [], []
    year = None

    def close_year():
        years.append(year)
        snapshots.append(Counter(state.values()))
        medians.append(statistics.median(values.values()) if values else None)

    for actor_id, item_id, as_of, status, value in rows.iterator(chunk_size=5000):
        if year is None:
            year = min(as_of.year, since or as_of.year)
        while as_of.year > year:
            close_year()
            year += 1
        state[(actor_id, item_id)] = status
        if value is not None:
            values[(actor_id, item_id)] = value
        else:
            values.pop((actor_id, item_id), None)
    if year is None:
        return {"years": [], "statuses": [], "series": {}, "values": []}
    while year <= last_day.year:
        close_year()
        year += 1
    statuses = [s for s in REPORT_STATUSES if any(snap.get(s) for snap in snapshots)]
    return {
        "years": years,
        "statuses": statuses,
        "series": {s: [snap.get(s, 0) for snap in snapshots] for s in statuses},
        "values": medians if any(v is not None for v in medians) else [],
    }


HISTORY_COLUMNS = [
    "actor_code",
    "actor_name",
    "recommendation_code",
    "as_of",
    "status",
    "status_label",
    "previous_status",
    "value",
    "previous_value",
    "unit",
    "verified_at",
]


def iter_history_rows(filterset: StatusFilter, *, chunk: int = 5000):
    """Every verified update on the filter's items and actors (up to its ``on`` date), in as-of order per pair,
    with the status and value before it: the history behind the over-time charts, for a CSV."""
    chosen = ProgressUpdate.objects.counted().filter(filterset.items("recommendation__"), filterset.actors("actor__"))
    if filterset.snapshot_date:
        chosen = chosen.filter(as_of__lte=filterset.snapshot_date)
    # Through a subquery: a theme filter joins the items' themes, which must not repeat an update.
    updates = ProgressUpdate.objects.filter(pk__in=chosen.values("pk"))
    rows = updates.oldest_first("actor__name", "actor_id", "recommendation__position")
    previous: dict[tuple[int, int], tuple[str, str]] = {}
    for update in rows.select_related("actor", "recommendation").iterator(chunk_size=chunk):
        key = (update.actor_id, update.recommendation_id)
        value = plain_number(update.value) if update.value is not None else ""
        before_status, before_value = previous.get(key, ("", ""))
        yield [
            update.actor.code,
            update.actor.name,
            update.recommendation.code,
            update.as_of_iso(),
            update.status,
            status_label(update.status),
            before_status,
            value,
            before_value,
            update.recommendation.unit if update.recommendation.kind == Kind.QUANTITATIVE else "",
            update.reviewed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if update.reviewed_at else "",
        ]
        previous[key] = (update.status, value)
