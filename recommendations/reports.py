"""Read-side report queries. They take a ``StatusFilter`` and return plain data.

A report covers *pairs* (actor, item):

- reported pairs: a row of ``CurrentStatus`` (today), or the latest verified
  ``ProgressUpdate`` on or before a date (a snapshot from history);
- "No information" pairs: a country and an item addressed to countries, or an
  organization that reports on at least one item and an item addressed to
  organizations, with no verified update (by that date).

Both kinds are combined in SQL (``UNION ALL``), so counting, sorting and
paging happen in the database and every page runs a fixed number of queries
whatever the data size. The SQL is built from the ORM querysets the
FilterSet describes, so the filters are written once.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import QueryDict

from .filters import StatusFilter
from .models import (
    NO_INFORMATION,
    PROGRESS_SCORE,
    REPORT_STATUSES,
    STAGES,
    Actor,
    ActorKind,
    CurrentStatus,
    Kind,
    ProgressUpdate,
    Recommendation,
    ReviewState,
    Theme,
    status_label,
)

PAIR_COLUMNS = ("actor_id", "recommendation_id", "status", "as_of", "update_id")


def _sql(queryset) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _case(column: str, mapping: dict, default="0") -> str:
    """A SQL CASE over a status column, from a Python dict of literal values."""
    whens = " ".join(f"WHEN '{key}' THEN {value}" for key, value in mapping.items())
    return f"(CASE {column} {whens} ELSE {default} END)"


STATUS_RANK_SQL = _case("p.status", {s: i for i, s in enumerate(REPORT_STATUSES)})
SCORE_SQL = _case("p.status", PROGRESS_SCORE)
# An organization's region is that of its base country.
REGION_SQL = "COALESCE(NULLIF(a.region, ''), b.region, '')"
SUBREGION_SQL = (
    "COALESCE(NULLIF(a.intermediate_region, ''), NULLIF(a.subregion, ''), "
    "NULLIF(b.intermediate_region, ''), b.subregion, '')"
)


@dataclass
class Scope:
    """The pairs a filtered report covers, as SQL not yet run."""

    filterset: StatusFilter
    snapshot: datetime.date | None
    pairs_sql: str = ""
    pairs_params: list = field(default_factory=list)

    @property
    def joined(self) -> str:
        """The pairs with their actor (a), base country (b) and item (r), for sorting and grouping."""
        return (
            f"({self.pairs_sql}) p "
            f"JOIN {Actor._meta.db_table} a ON a.id = p.actor_id "
            f"LEFT JOIN {Actor._meta.db_table} b ON b.id = a.base_country_id "
            f"JOIN {Recommendation._meta.db_table} r ON r.id = p.recommendation_id"
        )

    def run(self, select: str, tail: str = "", params=()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {select} FROM {self.joined} {tail}", [*self.pairs_params, *params])
            return cursor.fetchall()


def build_scope(filterset: StatusFilter) -> Scope:
    if filterset.is_bound and not filterset.is_valid():
        # Never report on a filter that could not be applied: the numbers would be silently wrong.
        raise ValueError(f"invalid report filters: {filterset.error_messages()}")
    snapshot = filterset.snapshot_date
    item_q, actor_q = filterset.items("recommendation__"), filterset.actors("actor__")
    if snapshot is None:
        reported = CurrentStatus.objects.filter(item_q, actor_q, filterset.row_filters()).values_list(*PAIR_COLUMNS)
    else:
        winners = (
            ProgressUpdate.objects.counted()
            .filter(item_q, actor_q, as_of__lte=snapshot)
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("actor_id"), F("recommendation_id")],
                    order_by=[F("as_of").desc(), F("created_at").desc(), F("pk").desc()],
                )
            )
            .filter(rank=1)
            .values("pk")
        )
        reported = (
            ProgressUpdate.objects.filter(pk__in=winners)
            .filter(filterset.row_filters())
            .annotate(update_id=F("pk"))
            .values_list(*PAIR_COLUMNS)
        )
    parts, all_params = [], []
    statuses = filterset.statuses
    if statuses is None or statuses - {NO_INFORMATION}:
        sql, params = _sql(reported.order_by())
        parts.append(f"SELECT * FROM ({sql}) reported")
        all_params += params
    if filterset.includes_no_information:
        unreported_sql, unreported_params = _unreported_pairs(filterset, snapshot)
        parts.append(unreported_sql)
        all_params += unreported_params
    if not parts:  # cannot happen with valid filters, but never build invalid SQL
        parts.append(f"SELECT {', '.join(f'NULL AS {c}' for c in PAIR_COLUMNS)} WHERE 1 = 0")
    return Scope(filterset=filterset, snapshot=snapshot, pairs_sql=" UNION ALL ".join(parts), pairs_params=all_params)


def _unreported_pairs(filterset: StatusFilter, snapshot) -> tuple[str, list]:
    """SQL for the "No information" pairs in scope."""
    item_q, actor_q = filterset.items(), filterset.actors()
    items = Recommendation.objects.filter(item_q)
    country_items = items.filter(addressees__applies_to=ActorKind.COUNTRY).values("pk").distinct()
    organization_items = (
        items.filter(addressees__applies_to=ActorKind.ORGANIZATION)
        .exclude(kind=Kind.RATIFICATION)
        .values("pk")
        .distinct()
    )
    countries = Actor.objects.filter(actor_q, kind=ActorKind.COUNTRY).values("pk")
    if snapshot is None:
        reporting = CurrentStatus.objects.values("actor_id")
    else:
        reporting = ProgressUpdate.objects.counted().filter(as_of__lte=snapshot).values("actor_id")
    organizations = Actor.objects.filter(actor_q, kind=ActorKind.ORGANIZATION, pk__in=reporting).values("pk")

    pieces = [_sql(q.order_by()) for q in (countries, country_items, organizations, organization_items)]
    (c_sql, c_p), (ci_sql, ci_p), (o_sql, o_p), (oi_sql, oi_p) = pieces
    if snapshot is None:
        not_reported = (
            f"NOT EXISTS (SELECT 1 FROM {CurrentStatus._meta.db_table} cs "
            "WHERE cs.actor_id = a.id AND cs.recommendation_id = r.id)"
        )
        not_params = []
    else:
        not_reported = (
            f"NOT EXISTS (SELECT 1 FROM {ProgressUpdate._meta.db_table} pu "
            "WHERE pu.actor_id = a.id AND pu.recommendation_id = r.id AND pu.state = %s AND pu.as_of <= %s)"
        )
        not_params = [ReviewState.VERIFIED.value, snapshot]
    sql = (
        f"SELECT a.id AS actor_id, r.id AS recommendation_id, '{NO_INFORMATION}' AS status, "
        "NULL AS as_of, NULL AS update_id "
        f"FROM {Actor._meta.db_table} a CROSS JOIN {Recommendation._meta.db_table} r "
        f"WHERE ((a.id IN ({c_sql}) AND r.id IN ({ci_sql})) OR (a.id IN ({o_sql}) AND r.id IN ({oi_sql}))) "
        f"AND {not_reported}"
    )
    return sql, [*c_p, *ci_p, *o_p, *oi_p, *not_params]


# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------


@dataclass
class Summary:
    total: int
    by_status: list[tuple[str, str, int]]  # (status, label, count), report order
    parties: int | None  # "Party" stage total, when ratification statuses are present
    by_item: list[dict]
    by_theme: list[dict]
    by_region: list[dict]


def _ordered(counter: Counter) -> list[tuple[str, str, int]]:
    return [(s, status_label(s), counter[s]) for s in REPORT_STATUSES if counter.get(s)]


def summary(scope: Scope) -> Summary:
    """Counts by status overall, per item, per theme and per region: one grouped query."""
    rows = scope.run(
        f"p.recommendation_id, {REGION_SQL}, p.status, COUNT(*)",
        f"GROUP BY p.recommendation_id, {REGION_SQL}, p.status",
    )
    overall, per_item, per_region = Counter(), defaultdict(Counter), defaultdict(Counter)
    for item_id, region, status, n in rows:
        overall[status] += n
        per_item[item_id][status] += n
        per_region[region or "No region (organization without a base country)"][status] += n

    items = Recommendation.objects.filter(pk__in=per_item).only("code", "title", "kind").order_by("position")
    themes_of = defaultdict(list)
    through = Recommendation.themes.through
    for item_id, theme_id in through.objects.filter(recommendation_id__in=per_item).values_list(
        "recommendation_id", "theme_id"
    ):
        themes_of[item_id].append(theme_id)
    per_theme = defaultdict(Counter)
    for item_id, counts in per_item.items():
        for theme_id in themes_of[item_id]:
            per_theme[theme_id].update(counts)
    theme_names = dict(Theme.objects.filter(pk__in=per_theme).values_list("pk", "name"))

    parties = sum(n for s, n in overall.items() if STAGES.get(s) == "party")
    return Summary(
        total=sum(overall.values()),
        by_status=_ordered(overall),
        parties=parties if any(s in STAGES for s in overall) else None,
        by_item=[
            {"item": item, "counts": _ordered(per_item[item.pk]), "total": sum(per_item[item.pk].values())}
            for item in items
        ],
        by_theme=sorted(
            ({"name": theme_names[t], "counts": _ordered(c), "total": sum(c.values())} for t, c in per_theme.items()),
            key=lambda row: row["name"],
        ),
        by_region=sorted(
            ({"name": r, "counts": _ordered(c), "total": sum(c.values())} for r, c in per_region.items()),
            key=lambda row: row["name"],
        ),
    )


# ---------------------------------------------------------------------------
# Table (one row per pair) and exports
# ---------------------------------------------------------------------------

TABLE_SORTS = {
    "actor": "a.name, r.position",
    "-actor": "a.name DESC, r.position",
    "region": f"{REGION_SQL}, {SUBREGION_SQL}, a.name, r.position",
    "item": "r.position, a.name",
    "status": f"{STATUS_RANK_SQL}, a.name, r.position",
    "-status": f"{STATUS_RANK_SQL} DESC, a.name, r.position",
    "as_of": "CASE WHEN p.as_of IS NULL THEN 1 ELSE 0 END, p.as_of, a.name, r.position",
    "-as_of": "CASE WHEN p.as_of IS NULL THEN 1 ELSE 0 END, p.as_of DESC, a.name, r.position",
}


@dataclass
class PairRow:
    actor: Actor
    item: Recommendation
    status: str
    update: ProgressUpdate | None

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def count_pairs(scope: Scope) -> int:
    return scope.run("COUNT(*)")[0][0]


def _hydrate(raw: list[tuple], actors: dict | None = None, items: dict | None = None) -> list[PairRow]:
    """Turn (actor_id, item_id, status, as_of, update_id) tuples into rows with their objects: 3 queries at most."""
    actors = {} if actors is None else actors
    items = {} if items is None else items
    missing_actors = {r[0] for r in raw} - actors.keys()
    if missing_actors:
        actors.update(Actor.objects.select_related("base_country").in_bulk(missing_actors))
    missing_items = {r[1] for r in raw} - items.keys()
    if missing_items:
        items.update(Recommendation.objects.in_bulk(missing_items))
    update_ids = [r[4] for r in raw if r[4]]
    updates = (
        ProgressUpdate.objects.select_related("reported_by_organization").in_bulk(update_ids) if update_ids else {}
    )
    return [PairRow(actors[a], items[i], status, updates.get(u)) for a, i, status, _, u in raw]


def table_page(scope: Scope, *, sort: str, offset: int, limit: int) -> list[PairRow]:
    raw = scope.run(
        "p.actor_id, p.recommendation_id, p.status, p.as_of, p.update_id",
        f"ORDER BY {TABLE_SORTS[sort]} LIMIT %s OFFSET %s",
        [limit, offset],
    )
    return _hydrate(raw)


def iter_pairs(scope: Scope, *, sort: str = "actor", chunk: int = 2000):
    """Every pair in scope, in table order, in constant memory (a server-side cursor on PostgreSQL)."""
    sql = (
        f"SELECT p.actor_id, p.recommendation_id, p.status, p.as_of, p.update_id FROM {scope.joined} "
        f"ORDER BY {TABLE_SORTS[sort]}"
    )
    actors, items = {}, {}
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql, scope.pairs_params)
        while True:
            raw = cursor.fetchmany(chunk)
            if not raw:
                break
            yield from _hydrate(raw, actors, items)
            if len(actors) > 20_000:  # keep memory flat on very large exports
                actors.clear()
    finally:
        cursor.close()


EXPORT_COLUMNS = [
    "actor_code",
    "actor_name",
    "actor_kind",
    "country_iso3",
    "region",
    "subregion",
    "recommendation_code",
    "recommendation_title",
    "kind",
    "status",
    "as_of",
    "value",
    "unit",
    "reported_by_organization",
    "evidence_urls",
    "verified_at",
]


def export_record(row: PairRow) -> list:
    """One pair as the export columns (also what the import accepts)."""
    actor, item, update = row.actor, row.item, row.update
    place = actor if actor.kind == ActorKind.COUNTRY else actor.base_country
    return [
        actor.code,
        actor.name,
        actor.kind,
        actor.iso3 or (actor.base_country.iso3 if actor.base_country else ""),
        place.region if place else "",
        (place.intermediate_region or place.subregion) if place else "",
        item.code,
        item.title,
        item.kind,
        row.status,
        update.as_of_iso() if update else "",
        _plain(update.value) if update and update.value is not None else "",
        item.unit if item.kind == Kind.QUANTITATIVE else "",
        update.reported_by_organization.code if update and update.reported_by_organization else "",
        " ".join(update.evidence_urls) if update else "",
        update.reviewed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if update and update.reviewed_at else "",
    ]


def _plain(value) -> str:
    from .models import plain_number

    return plain_number(value)


# ---------------------------------------------------------------------------
# Matrix (actors × items)
# ---------------------------------------------------------------------------

MATRIX_SORTS = {
    "actor": "a.name",
    "region": f"{REGION_SQL}, {SUBREGION_SQL}, a.name",
    "progress": f"AVG({SCORE_SQL}) DESC, a.name",
    "-progress": f"AVG({SCORE_SQL}), a.name",
}


@dataclass
class Matrix:
    actors: list[tuple[Actor, int]]  # with their progress score
    items: list[Recommendation]
    cells: dict[tuple[int, int], str]


def count_actors(scope: Scope) -> int:
    return scope.run("COUNT(DISTINCT p.actor_id)")[0][0]


def matrix(scope: Scope, *, sort: str, offset: int, limit: int) -> Matrix:
    ranked = scope.run(
        f"p.actor_id, AVG({SCORE_SQL})",
        f"GROUP BY p.actor_id, a.name, {REGION_SQL}, {SUBREGION_SQL} ORDER BY {MATRIX_SORTS[sort]} LIMIT %s OFFSET %s",
        [limit, offset],
    )
    actor_ids = [actor_id for actor_id, _ in ranked]
    cells = {}
    if actor_ids:
        placeholders = ", ".join(["%s"] * len(actor_ids))
        for actor_id, item_id, status in scope.run(
            "p.actor_id, p.recommendation_id, p.status", f"WHERE p.actor_id IN ({placeholders})", actor_ids
        ):
            cells[(actor_id, item_id)] = status
    actors = Actor.objects.in_bulk(actor_ids)
    items = list(
        Recommendation.objects.filter(scope.filterset.items()).only("code", "title", "kind").order_by("position")
    )
    return Matrix(
        actors=[(actors[a], round(float(score or 0))) for a, score in ranked],
        items=items,
        cells=cells,
    )


# ---------------------------------------------------------------------------
# Over time: how many actors (or items) stood at each status, year by year
# ---------------------------------------------------------------------------


def history_by_year(*, recommendation=None, actor=None, since: int | None = None) -> dict:
    """Counts at each status at the end of each year, replaying verified history once.

    For an item, counts actors; for an actor, counts items. Returns
    {"years": [...], "statuses": [...], "series": {status: [count per year]}}.
    """
    updates = ProgressUpdate.objects.counted()
    if recommendation is not None:
        updates = updates.filter(recommendation=recommendation)
    if actor is not None:
        updates = updates.filter(actor=actor)
    rows = updates.order_by("as_of", "created_at", "pk").values_list("actor_id", "recommendation_id", "as_of", "status")
    today = datetime.date.today()
    state: dict[tuple[int, int], str] = {}
    years, snapshots = [], []
    year = None
    for actor_id, item_id, as_of, status in rows.iterator(chunk_size=5000):
        if year is None:
            year = min(as_of.year, since or as_of.year)
        while as_of.year > year:
            years.append(year)
            snapshots.append(Counter(state.values()))
            year += 1
        state[(actor_id, item_id)] = status
    if year is None:
        return {"years": [], "statuses": [], "series": {}}
    while year <= today.year:
        years.append(year)
        snapshots.append(Counter(state.values()))
        year += 1
    statuses = [s for s in REPORT_STATUSES if any(snap.get(s) for snap in snapshots)]
    return {
        "years": years,
        "statuses": statuses,
        "series": {s: [snap.get(s, 0) for snap in snapshots] for s in statuses},
    }


def for_item(recommendation: Recommendation) -> StatusFilter:
    """The FilterSet of one item's report: the same as /reports/?item=<code>."""
    return StatusFilter(QueryDict(f"item={recommendation.code}"))


def headline_figures() -> dict:
    """For the home page: items, actors reporting, verified updates, last update."""
    verified = ProgressUpdate.objects.counted()
    last = verified.order_by("-reviewed_at").values_list("reviewed_at", flat=True).first()
    return {
        "items": Recommendation.objects.count(),
        "actors_reporting": CurrentStatus.objects.values("actor_id").distinct().count(),
        "verified_updates": verified.count(),
        "last_update": last,
    }


def recent_updates(limit: int = 8):
    return (
        ProgressUpdate.objects.counted()
        .select_related("actor", "recommendation", "reported_by_organization")
        .order_by("-reviewed_at", "-pk")[:limit]
    )


def actors_by_status(scope: Scope, limit: int = 2000) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """[(status, label, [(actor code, actor name)])] in report order, for an item's page."""
    rows = scope.run("p.status, a.code, a.name", f"ORDER BY {STATUS_RANK_SQL}, a.name LIMIT %s", [limit])
    grouped = defaultdict(list)
    for status, code, name in rows:
        grouped[status].append((code, name))
    return [(s, status_label(s), grouped[s]) for s in REPORT_STATUSES if grouped.get(s)]
