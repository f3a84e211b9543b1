"""Over time: how many actors (or items) stood at each status, year by year; the history CSV."""

import datetime
import statistics
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear

from languages.names import english

from ..chart_cache import cached_chart, page_scope_key
from ..filters import StatusFilter
from ..models import (
    REPORT_STATUSES,
    Actor,
    Kind,
    ProgressUpdate,
    Recommendation,
    StatusInterval,
    YearEndChange,
    plain_number,
    status_label_en,
)
from .scope import _held_on_sql, _sql, _tracks


def history_by_year(
    *, recommendation=None, actor=None, since: int | None = None, filterset: StatusFilter | None = None
) -> dict:
    """Counts at each status at the end of each year, from the status intervals (or the changes kept from them)
    in one aggregate query.

    For an item, counts actors; for an actor, counts items; for a report's ``filterset``, the pairs of its
    items and actors (up to its ``on`` date). Returns {"years": [...], "statuses": [...], "series": {status:
    [count per year]}, "values": [median measured value per year, or None]} — the values of quantitative
    items, which can fall (8.5 % to 5.4 %) while the status stays the same.

    A pair counts at the end of year Y (or on the ``on`` date, in its year) with the interval holding then
    (``StatusInterval.objects.on``): from the year of its ``valid_from`` until before the year of its
    ``valid_to``. The database groups the scope's intervals by (status, first year, end year, value) — the
    value is NULL except on quantitative items — and a running sum over the years gives the counts.
    ``_replayed_history_by_year`` (the replay of the verified updates) is the definition the tests compare
    it with.

    Only the intervals that hold at a year end are read (``crossing_year_ends``, through the partial
    indexes of migration 0023): one that begins and ends in the same year adds a pair and takes it away in
    that year, so no year-end count or median sees it. A pair's intervals are a chain from its first
    as-of date to its open one, so its first year is still that of the first interval read, and the last
    one read is still its latest. The work per pair is bounded by the years shown, not by the updates:
    several updates a year cost nothing more.

    With ``on``, the year ends before the date's year come from the intervals crossing them that began
    before that year (ended, for the chart, in the date's year at the latest), and the date's own point
    from the intervals held on it (``_held_on_counts_sql``: the snapshot's one interval per pair). Reading
    instead the intervals of the date's year that ended after it read every later update of that year
    (321 → 1,453 ms from 1M to 10M updates at the same pairs). A pair first seen in the date's year before
    the date is among those held on it, so the first year shown does not change.

    A scope that names items only (the summary, the snapshots, an item's page, a theme or a kind) reads
    instead the changes kept per item (``YearEndChange``: how many of an item's crossing intervals begin and
    end in each year, per status and value), summed over its items: the same running sums from a few thousand
    rows, however deep the history. The crossing intervals were ~3.7 per pair at 1M updates and ~20 at 10M
    (one item's chart on a date: 178 → 1,377 ms). A scope with actors cannot be told apart in those sums and
    reads the intervals as above (``_interval_history_by_year``, which the tests compare the kept rows with).
    """
    kept = actor is None and (filterset is None or not filterset.actors())
    return _history_by_year(recommendation=recommendation, actor=actor, since=since, filterset=filterset, kept=kept)


def _interval_history_by_year(
    *, recommendation=None, actor=None, since: int | None = None, filterset: StatusFilter | None = None
) -> dict:
    """``history_by_year`` from the intervals whatever the scope: the definition the kept rows are checked against."""
    return _history_by_year(recommendation=recommendation, actor=actor, since=since, filterset=filterset, kept=False)


def _history_by_year(*, recommendation, actor, since, filterset, kept: bool) -> dict:
    # A report's chart reads the same track as its counts: the consolidated one, or the chosen perspective's.
    intervals = StatusInterval.objects.all() if filterset is None else _tracks(filterset)[1]
    last_day = datetime.date.today()
    cut = None
    if filterset is not None and filterset.snapshot_date:
        last_day = cut = filterset.snapshot_date
    if kept:
        sql, params = _kept_changes_sql(recommendation=recommendation, filterset=filterset, cut=cut)
        sql = f"SELECT c.*, 0 FROM ({sql}) c"  # noqa: S608  # nosec B608 - ORM-compiled SQL
    else:
        sql, params = _interval_groups_sql(intervals, recommendation=recommendation, actor=actor, filterset=filterset)
    if cut is not None:
        held, held_params = _held_on_counts_sql(filterset, cut)
        if kept:
            held = f"SELECT k.status, k.start, k.value, k.n, 0, 1 FROM ({held}) k"  # noqa: S608  # nosec B608
        sql, params = f"{sql} UNION ALL {held}", [*params, *held_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not kept:
        rows = _changes_of_groups(rows, cut)
    return _chart(rows, since=since, last_day=last_day, cut=cut)


def _kept_changes_sql(*, recommendation, filterset, cut) -> tuple[str, list]:
    """The scope's changes from the rows kept per item (``YearEndChange``): for scopes that name items only.

    Summed over the scope's items, whatever the depth of the history: the summary's chart reads every item's
    rows (a few thousand), one item's chart its own (a few dozen). With ``cut``, only the years before its year
    (the date's point is the intervals held on it).
    """
    track = YearEndChange.CONSOLIDATED
    if filterset is not None and filterset.chosen_perspective is not None:
        track = filterset.chosen_perspective
    changes = YearEndChange.objects.filter(track=track)
    if recommendation is not None:
        changes = changes.filter(recommendation=recommendation)
    if filterset is not None:
        changes = changes.filter(filterset.items("recommendation__"))
    if cut is not None:
        changes = changes.filter(year__lt=cut.year)
    # Two sums: per (status, year) for the counts, and per (year, value) for the medians (measured items only),
    # so the values are not also split by status (the summary: 22,000 groups at 10M updates, against ~10,000).
    statuses = changes.order_by().values("status", "year").annotate(starts=Sum("starts"), ends=Sum("ends"))
    values = (
        changes.filter(measured=True)
        .order_by()
        .values("year", "value")
        .annotate(starts=Sum("starts"), ends=Sum("ends"))
    )
    status_sql, params = _sql(statuses.values_list("status", "year", "starts", "ends"))
    value_sql, value_params = _sql(values.values_list("year", "value", "starts", "ends"))
    # The values as text, as the intervals' (``_interval_groups_sql``) and the held ones' are read.
    return (
        f"SELECT s.status, s.year, NULL AS value, s.starts, s.ends FROM ({status_sql}) s "  # noqa: S608  # nosec B608
        "WHERE s.starts <> 0 OR s.ends <> 0 UNION ALL "
        f"SELECT NULL, v.year, CAST(v.value AS TEXT), v.starts, v.ends FROM ({value_sql}) v "
        "WHERE v.starts <> 0 OR v.ends <> 0",
        [*params, *value_params],
    )


def _interval_groups_sql(intervals, *, recommendation, actor, filterset) -> tuple[str, list]:
    """The scope's crossing intervals as rows (status, first year, end year, value as text, how many): for scopes
    with actors, whose pairs the rows kept per item cannot tell apart.

    Grouped by the expressions of the extended statistics of migration 0027 (word for word, as the planner
    matches them): with them it expects the few thousand groups there are and hashes them; without, it guessed
    80,000 and sorted every interval read on disk (the summary's chart at 1M: 0.9–1.4 s → 0.3 s).
    """
    if recommendation is not None:
        intervals = intervals.filter(recommendation=recommendation)
    if actor is not None:
        intervals = intervals.filter(actor=actor)
    if filterset is not None:
        intervals = intervals.filter(filterset.items("recommendation__"), filterset.actors("actor__"))
    crossing = intervals.crossing_year_ends()
    if filterset is not None and filterset.snapshot_date:
        crossing = crossing.filter(valid_from__lt=datetime.date(filterset.snapshot_date.year, 1, 1))
    grouped = (
        crossing.order_by()
        .values("status", "value", start=ExtractYear("valid_from"), end=ExtractYear("valid_to"))
        .annotate(n=Count("*"))
        .values_list("status", "start", "end", "value", "n")
    )
    sql, params = _sql(grouped)
    qn = connection.ops.quote_name
    # The values as text (``Decimal`` in Python) on every database, as the reports' other unions carry them.
    sql = f"SELECT g.status, g.start, g.{qn('end')}, CAST(g.value AS TEXT), g.n FROM ({sql}) g"  # noqa: S608  # nosec B608 - ORM-compiled SQL
    return sql, params


def _changes_of_groups(groups, cut) -> list[tuple]:
    """Interval groups (status, first year, end year, value, how many) as the chart's changes: each adds its
    pairs in its first year and takes them away in its end year. With ``cut``, the groups of the date's year
    are the pairs held on it, and the end years from it on are left out (the date's point replaces them)."""
    rows = []
    for status, start, end, value, n in groups:
        start = int(start)
        if cut is not None and start >= cut.year:
            rows.append((status, start, value, n, 0, 1))
            continue
        rows.append((status, start, value, n, 0, 0))
        if end is not None and (cut is None or int(end) < cut.year):
            rows.append((status, int(end), value, 0, n, 0))
    return rows


def _chart(rows, *, since, last_day, cut) -> dict:
    """The chart from its changes: rows (status or NULL, year, value as text or NULL, beginning, ending, held),
    where held rows are the pairs held on the ``cut`` date (the date's point replaces the running sum in its year).

    A running sum over the years of (beginning minus ending), per status and, for the medians, per value: what
    ``_replayed_history_by_year`` gives (the tests compare them).
    """
    change: dict[int, Counter] = defaultdict(Counter)  # year -> status -> intervals beginning minus ending
    value_change: dict[int, Counter] = defaultdict(Counter)  # year -> value -> the same, for measured values
    held, held_values = Counter(), Counter()
    first = last = None
    for status, year, value, starts, ends, on_cut in rows:
        year, starts, ends = int(year), int(starts), int(ends)
        if starts:
            first = year if first is None else min(first, year)
            last = year if last is None else max(last, year)
        if on_cut:
            held[status] += starts
            if value is not None:
                held_values[Decimal(value)] += starts
            continue
        if status is not None:  # the kept rows give the values' changes apart (status NULL)
            change[year][status] += starts - ends
        if value is not None:
            value_change[year][Decimal(value)] += starts - ends
    if first is None:
        return {"years": [], "statuses": [], "series": {}, "values": []}
    first = min(first, since or first)
    # Like the replay: up to the last day's year (a later as-of date closes the years before its own).
    years = list(range(first, max(last_day.year, last - 1) + 1))
    running: Counter = Counter()
    values: Counter = Counter()
    snapshots, medians = [], []
    for year in years:
        if cut is not None and year == cut.year:
            running, values = Counter(held), Counter(held_values)
        else:
            running.update(change.get(year, {}))
            values.update(value_change.get(year, {}))
        snapshots.append(+running)
        medians.append(_median_of_counts(+values))
    statuses = [s for s in REPORT_STATUSES if any(snap.get(s) for snap in snapshots)]
    return {
        "years": years,
        "statuses": statuses,
        "series": {s: [snap.get(s, 0) for snap in snapshots] for s in statuses},
        "values": medians if any(v is not None for v in medians) else [],
    }


def _median_of_counts(counts: Counter):
    """``statistics.median`` of a multiset given as value -> how many (as the replay computes it), or None."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts.items())

    def nth(index: int):
        for value, n in ordered:
            if index < n:
                return value
            index -= n
        raise IndexError(index)

    middle = total // 2
    if total % 2:
        return nth(middle)
    return (nth(middle - 1) + nth(middle)) / 2


def cached_history_by_year(
    *, filterset: StatusFilter | None = None, recommendation=None, actor=None, since: int | None = None
) -> dict:
    """``history_by_year`` for a report's filters (or an item's or an actor's page), through the shared cache
    (``chart_cache``): the same result, recomputed only after the verified history changes (or the day does).
    Without it an item's report aggregated the item's intervals on every view (222 ms at 10M updates)."""
    if filterset is not None:
        return cached_chart(filterset, lambda: history_by_year(filterset=filterset))
    key = page_scope_key(recommendation=recommendation, actor=actor, since=since)
    return cached_chart(None, lambda: history_by_year(recommendation=recommendation, actor=actor, since=since), key=key)


def _held_on_counts_sql(filterset: StatusFilter, cut: datetime.date) -> tuple[str, list]:
    """SQL of the chart's point on ``cut``, as rows (status, the date's year, NULL, value as text, how many): the
    scope's intervals held on the date, read as the snapshot reads them (``scope._held_on_sql``: one per pair
    through the interval tree on PostgreSQL, whatever the depth of the history).

    The tree's indexes carry the status but not the value: grouping every held interval by value read a
    table page per pair (38,000 buffers against 1,900 at 1M updates). Values belong to quantitative items only
    (``services.validation``), so only their pairs are read with the value.

    The other pairs are read for every item and actor and only then kept if in scope (``OFFSET 0``: PostgreSQL
    does not push conditions into such a subquery). Given the scope's conditions, it joined a region's 1,434
    actors to their intervals one by one, every interval of each actor, a share of the history (0.4 s at 1M
    updates); all the pairs held on the date are 260,000 index entries at any depth. Only the items the filter
    names go inside, as ids: then the tree keyed by item (migration 0030) reads their held intervals alone.
    """
    intervals = _tracks(filterset)[1]
    items, actors = filterset.items(), filterset.actors()
    measured = Q(kind=Kind.QUANTITATIVE)
    year = int(cut.year)
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    # Items the filter names go inside (their ids, no join): the tree keyed by item first (migration 0030) then
    # reads only their held intervals, not every pair's (one item's chart on a date was 140-315 ms at 1M-10M).
    named = filterset.data_.get("item")
    in_named = filterset.ITEM_CONDITIONS["item"](named, "recommendation__") if named else Q()
    held, params = _held_on_sql(intervals, in_named, Q(), cut, ("status", "recommendation_id", "actor_id"))
    in_items, item_params = _sql(Recommendation.objects.filter(items).exclude(measured).values("pk"))
    sql = (
        f"SELECT h.status, {year} AS start, NULL AS stop, NULL AS value, COUNT(*) AS n FROM ({held}{fence}) h "  # noqa: S608  # nosec B608 - ORM-compiled SQL, an int
        f"WHERE h.recommendation_id IN ({in_items})"
    )
    params += item_params
    if actors:
        in_actors, actor_params = _sql(Actor.objects.filter(actors).values("pk"))
        sql += f" AND h.actor_id IN ({in_actors})"
        params += actor_params
    values, value_params = _held_on_sql(
        intervals,
        filterset.items("recommendation__") & Q(recommendation__kind=Kind.QUANTITATIVE),
        filterset.actors("actor__"),
        cut,
        ("status", "value"),
    )
    sql += (
        f" GROUP BY h.status UNION ALL SELECT v.status, {year}, NULL, CAST(v.value AS TEXT), COUNT(*) "  # noqa: S608  # nosec B608 - ORM-compiled SQL, an int
        f"FROM ({values}) v GROUP BY v.status, v.value"
    )
    return sql, [*params, *value_params]


def _median_held(valued: list, year: int):
    """The median of the values held at the end of ``year`` (statistics.median, as the replay), or None."""
    held = [value for start, end, value, n in valued if start <= year and (end is None or end > year) for _ in range(n)]
    return statistics.median(held) if held else None


def _replayed_history_by_year(
    *, recommendation=None, actor=None, since: int | None = None, filterset: StatusFilter | None = None
) -> dict:
    """The definition of ``history_by_year``: counts at each status at the end of each year, replaying the
    verified history once in Python. Kept as the tests' oracle (its cost grows with the history's depth).

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
    "perspective",  # last, as in the status export (EXPORT_COLUMNS)
]


def iter_history_rows(filterset: StatusFilter, *, chunk: int = 5000):
    """Every verified update on the filter's items and actors (up to its ``on`` date), in as-of order per pair,
    with the status and value before it: the history behind the over-time charts, for a CSV.

    "Before it" is within the update's own perspective: each perspective is a track of its own (a government's
    self-report does not follow a civil-society assessment), so the previous values never mix tracks; with
    ``perspective=``, only that track's updates."""
    chosen = ProgressUpdate.objects.counted().filter(filterset.items("recommendation__"), filterset.actors("actor__"))
    if filterset.chosen_perspective:
        chosen = chosen.filter(perspective=filterset.chosen_perspective)
    if filterset.snapshot_date:
        chosen = chosen.filter(as_of__lte=filterset.snapshot_date)
    # Through a subquery: a theme filter joins the items' themes, which must not repeat an update.
    updates = ProgressUpdate.objects.filter(pk__in=chosen.values("pk"))
    rows = updates.oldest_first("actor__name", "actor_id", "recommendation__position")
    previous: dict[tuple[int, int, str], tuple[str, str]] = {}
    for update in rows.select_related("actor", "recommendation").iterator(chunk_size=chunk):
        key = (update.actor_id, update.recommendation_id, update.perspective)
        value = plain_number(update.value) if update.value is not None else ""
        before_status, before_value = previous.get(key, ("", ""))
        yield [
            update.actor.code,
            update.actor.name,
            update.recommendation.code,
            update.as_of_iso(),
            update.status,
            status_label_en(update.status),  # an export column: English whatever the language
            before_status,
            value,
            before_value,
            english(update.recommendation, "unit") if update.recommendation.kind == Kind.QUANTITATIVE else "",
            update.reviewed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if update.reviewed_at else "",
            update.perspective,
        ]
        previous[key] = (update.status, value)
