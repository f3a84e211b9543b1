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
FilterSet describes, so the filters are written once. It is assembled only
from ORM-compiled SQL (with its parameters), model table names, constants
and whitelisted ORDER BY fragments, and every value is a query parameter;
that is what the `# nosec B608` marks below vouch for.
"""

import datetime
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, NullIf
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
    StatusInterval,
    Theme,
    format_as_of,
    plain_number,
    status_label,
)

# Every pair carries what a report or an export shows; the last five as text
# (the "No information" pairs have NULLs there, and text unions on every database).
PAIR_COLUMNS = (
    "actor_id",
    "recommendation_id",
    "status",
    "as_of",
    "update_id",
    "actor_kind",
    "as_of_precision",
    "value_text",
    "reporter_id",
    "verified_text",
    "evidence_text",
)


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


# "By region" breaks a report down one level below its region filter: regions; a region's sub-regions; a
# sub-region's intermediate regions (Sub-Saharan Africa → Western Africa …); below that, the countries.
# Each level: (heading, SQL over a = the actor and b = its base country, the same as an ORM expression on Actor).
REGION_LEVELS = {
    "region": ("By region", REGION_SQL, Coalesce(NullIf("region", Value("")), "base_country__region", Value(""))),
    "subregion": (
        "By sub-region",
        "COALESCE(NULLIF(a.subregion, ''), b.subregion, '')",
        Coalesce(NullIf("subregion", Value("")), "base_country__subregion", Value("")),
    ),
    "intermediate": (
        "By sub-region",
        SUBREGION_SQL,
        Coalesce(
            NullIf("intermediate_region", Value("")),
            NullIf("subregion", Value("")),
            NullIf("base_country__intermediate_region", Value("")),
            "base_country__subregion",
            Value(""),
        ),
    ),
    "country": (
        "By country",
        "CASE WHEN a.kind = 'country' THEN a.name ELSE COALESCE(b.name, '') END",
        Case(When(kind=ActorKind.COUNTRY, then=F("name")), default=Coalesce("base_country__name", Value(""))),
    ),
}


def region_level(filterset) -> str:
    """The level "By region" shows for these filters: the one below the region or sub-region chosen."""
    data = filterset.data_
    if data.get("subregion"):
        has_parts = (
            Actor.objects.countries().filter(subregion=data["subregion"]).exclude(intermediate_region="").exists()
        )
        return "intermediate" if has_parts else "country"
    return "subregion" if data.get("region") else "region"


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

    def run(self, select: str, tail: str = "", params=(), wrap: tuple[str, str] | None = None) -> list[tuple]:
        """SELECT ``select`` over the pairs; with ``wrap`` = (inner select, outer tail), over a subquery."""
        if wrap is None:
            sql = f"SELECT {select} FROM {self.joined} {tail}"  # nosec B608
        else:
            inner, outer = wrap
            sql = f"SELECT {select} FROM ({inner} FROM {self.joined}) w {outer}"  # nosec B608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.pairs_params, *params])
            return cursor.fetchall()


def build_scope(filterset: StatusFilter, *, actor_ids=None) -> Scope:
    """The pairs in scope; with ``actor_ids``, only those actors' (a batch of the export)."""
    if filterset.is_bound and not filterset.is_valid():
        # Never report on a filter that could not be applied: the numbers would be silently wrong.
        raise ValueError(f"invalid report filters: {filterset.error_messages()}")
    snapshot = filterset.snapshot_date
    parts, params = [], []
    statuses = filterset.statuses
    if statuses is None or statuses - {NO_INFORMATION}:
        sql, reported_params = _reported_sql(filterset, snapshot, actor_ids=actor_ids)
        parts.append(sql)
        params += reported_params
    if filterset.includes_no_information:
        sql, unreported_params = _unreported_sql(filterset, snapshot, actor_ids=actor_ids)
        parts.append(sql)
        params += unreported_params
    if not parts:  # cannot happen with valid filters, but never build invalid SQL
        parts.append(
            f"SELECT {', '.join(f'NULL AS {c}' for c in PAIR_COLUMNS)} FROM {Actor._meta.db_table} WHERE 1 = 0"  # nosec B608
        )
    return Scope(filterset=filterset, snapshot=snapshot, pairs_sql=" UNION ALL ".join(parts), pairs_params=params)


def _reported_sql(filterset: StatusFilter, snapshot, *, row_filters: bool = True, actor_ids=None) -> tuple[str, list]:
    """The reported pairs in scope: CurrentStatus rows, or the latest verified update on or before a date.

    The snapshot reads the status interval of each pair that holds on the
    date (``StatusInterval``, kept with CurrentStatus): one row per pair
    through an index, however long the history, with the winners' own
    columns (no re-join). Row filters (status, dates, evidence) apply to the winners, so "ratified
    on 1 January 2010" means the status on that date, not a later one.
    """
    item_q, actor_q = filterset.items("recommendation__"), filterset.actors("actor__")
    if actor_ids is not None:
        actor_q &= Q(actor_id__in=actor_ids)
    columns = (
        "actor_id",
        "recommendation_id",
        "status",
        "as_of",
        "update_id",
        "actor_kind",
        "has_evidence",
        "as_of_precision",
        "value",
        "reporter_id",
        "verified_at",
        "evidence_urls",
    )
    if snapshot is None:
        current = CurrentStatus.objects.filter(item_q, actor_q).annotate(reporter_id=F("reported_by_organization_id"))
        inner, params = _sql(current.values_list(*columns).order_by())
    else:
        inner, params = _held_on_sql(item_q, actor_q, snapshot, columns)
    where, where_params = filterset.row_conditions_sql("x") if row_filters else ("", [])
    selected = (
        "x.actor_id, x.recommendation_id, x.status, x.as_of, x.update_id, x.actor_kind, x.as_of_precision, "
        "CAST(x.value AS TEXT) AS value_text, x.reporter_id, CAST(x.verified_at AS TEXT) AS verified_text, "
        "CAST(x.evidence_urls AS TEXT) AS evidence_text"
    )
    return f"SELECT {selected} FROM ({inner}) x {where}", [*params, *where_params]  # nosec B608


# The relational interval tree of the status intervals (migration 0013, PostgreSQL): day numbers from this
# epoch, and as many tree levels as cover 9999-12-31 (the end of an open interval).
INTERVAL_TREE_EPOCH, INTERVAL_TREE_LEVELS = datetime.date(1899, 12, 31), 22


def interval_tree_path(day: datetime.date) -> tuple[list[int], list[int]]:
    """The nodes on the path from the interval tree's root to ``day``: (at or after it, before it)."""
    d = (day - INTERVAL_TREE_EPOCH).days
    nodes = {((d >> (t + 1)) << (t + 1)) | (1 << t) for t in range(INTERVAL_TREE_LEVELS)}
    return sorted(n for n in nodes if n >= d), sorted(n for n in nodes if n < d)


def _held_on_sql(item_q, actor_q, snapshot, columns) -> tuple[str, list]:
    """SQL of the status interval of each pair in scope that holds on ``snapshot``, as ``columns``.

    On PostgreSQL through the interval tree of migration 0013: an interval holding on the day has its
    fork on the path to the day; forks at or after the day hold if the interval began by then, forks
    before it if it ends after it. Two index range scans that read only the intervals that hold (one
    per pair), whatever the depth of the history; the counting pages read them from the indexes alone.
    Elsewhere ``StatusInterval.objects.on`` (the definition; the tests compare both).
    """
    held = StatusInterval.objects.filter(item_q, actor_q).annotate(
        as_of=F("valid_from"), reporter_id=F("reported_by_organization_id")
    )
    if connection.vendor != "postgresql":
        return _sql(held.on(snapshot).values_list(*columns).order_by())
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    table = connection.ops.quote_name(StatusInterval._meta.db_table)
    after, before = interval_tree_path(snapshot)
    branches = [
        (f"{table}.span_fork = ANY(%s) AND {table}.valid_from <= %s", [after, snapshot]),
        (f"{table}.span_fork = ANY(%s) AND {table}.valid_until > %s", [before, snapshot]),
    ]
    parts, params = [], []
    for condition, values in branches:
        branch = held.filter(RawSQL(condition, values, output_field=BooleanField()))  # noqa: S611  # nosec B611
        sql, branch_params = _sql(branch.values_list(*columns).order_by())
        parts.append(sql)
        params += branch_params
    return " UNION ALL ".join(parts), params


def _universe(filterset: StatusFilter, snapshot):
    """Querysets of the "No information" universe: (countries, items for countries, organizations, items for them)."""
    item_q, actor_q = filterset.items(), filterset.actors()
    items = Recommendation.objects.filter(item_q)
    country_items = items.filter(addressees__applies_to=ActorKind.COUNTRY).values("pk").distinct()
    organization_items = (
        items.filter(addressees__applies_to=ActorKind.ORGANIZATION)
        .exclude(kind=Kind.RATIFICATION)
        .values("pk")
        .distinct()
    )
    countries = Actor.objects.filter(actor_q, kind=ActorKind.COUNTRY)
    if snapshot is None:
        reports_something = Exists(CurrentStatus.objects.filter(actor_id=OuterRef("pk")))
    else:
        reports_something = Exists(StatusInterval.objects.filter(actor_id=OuterRef("pk"), valid_from__lte=snapshot))
    organizations = Actor.objects.filter(actor_q, reports_something, kind=ActorKind.ORGANIZATION)
    return countries, country_items, organizations, organization_items


def _unreported_sql(filterset: StatusFilter, snapshot, *, actor_ids=None) -> tuple[str, list]:
    """SQL for the "No information" pairs in scope: one branch for countries, one for organizations.

    With ``actor_ids`` (a batch of the export), those actors only, and the current statuses they are
    checked against too: else the planner hashes every current status for each batch.
    """
    countries, country_items, organizations, organization_items = _universe(filterset, snapshot)
    if actor_ids is not None:
        countries, organizations = countries.filter(pk__in=actor_ids), organizations.filter(pk__in=actor_ids)
    if snapshot is None:
        batch = f"AND cs.actor_id IN ({', '.join(['%s'] * len(actor_ids))})" if actor_ids is not None else ""
        not_reported = (
            f"NOT EXISTS (SELECT 1 FROM {CurrentStatus._meta.db_table} cs "  # nosec B608
            f"WHERE cs.actor_id = a.id AND cs.recommendation_id = r.id {batch})"
        )
        not_params = list(actor_ids or [])
    else:
        # A pair has an interval from its first verified as-of date on: none by then, nothing reported.
        not_reported = (
            f"NOT EXISTS (SELECT 1 FROM {StatusInterval._meta.db_table} si "  # nosec B608
            "WHERE si.actor_id = a.id AND si.recommendation_id = r.id AND si.valid_from <= %s)"
        )
        not_params = [snapshot]
    branches, params = [], []
    for actors, items in ((countries, country_items), (organizations, organization_items)):
        actors_sql, actors_params = _sql(actors.values("pk").order_by())
        items_sql, items_params = _sql(items.order_by())
        branches.append(
            f"SELECT a.id AS actor_id, r.id AS recommendation_id, '{NO_INFORMATION}' AS status, "  # nosec B608
            "CAST(NULL AS DATE) AS as_of, CAST(NULL AS BIGINT) AS update_id, a.kind AS actor_kind, "
            "CAST(NULL AS TEXT) AS as_of_precision, CAST(NULL AS TEXT) AS value_text, "
            "CAST(NULL AS BIGINT) AS reporter_id, CAST(NULL AS TEXT) AS verified_text, "
            "CAST(NULL AS TEXT) AS evidence_text "
            f"FROM {Actor._meta.db_table} a CROSS JOIN {Recommendation._meta.db_table} r "
            f"WHERE a.id IN ({actors_sql}) AND r.id IN ({items_sql}) AND {not_reported}"
        )
        params += [*actors_params, *items_params, *not_params]
    return " UNION ALL ".join(branches), params


def status_counts(scope: Scope, *, by_region: bool, level: str = "region") -> Counter:
    """Pairs in scope counted by (item id, region or "", status), without listing "No information" pairs.

    "No information" counts are arithmetic: for each item and each kind of
    actor it is addressed to, the actors in scope of that kind minus those
    with a reported status on the item. Only the reported rows are grouped
    in SQL, which keeps the summary fast whatever the number of pairs.
    """
    filterset, snapshot = scope.filterset, scope.snapshot
    # PostgreSQL refuses a constant in GROUP BY: without regions, select a constant but group without it.
    _, place_sql, place_expr = REGION_LEVELS[level]
    region, group_region = (place_sql, f", {place_sql}") if by_region else ("''", "")
    actors = Actor._meta.db_table
    joins = (
        f"JOIN {actors} a ON a.id = p.actor_id LEFT JOIN {actors} b ON b.id = a.base_country_id" if by_region else ""
    )
    counts: Counter = Counter()
    statuses = filterset.statuses
    if not filterset.includes_no_information:
        sql, params = _reported_sql(filterset, snapshot)
        for item_id, where, status, n in _fetch(
            f"SELECT p.recommendation_id, {region}, p.status, COUNT(*) FROM ({sql}) p {joins} "  # nosec B608
            f"GROUP BY p.recommendation_id{group_region}, p.status",
            params,
        ):
            counts[(item_id, where, status)] += n
        return counts

    # All reported rows (the status filter, if any, is applied after counting "No information").
    sql, params = _reported_sql(filterset, snapshot, row_filters=False)
    reported_in_universe: Counter = Counter()
    countries, country_items, organizations, organization_items = _universe(filterset, snapshot)
    addressed = {
        ActorKind.COUNTRY: set(country_items.values_list("pk", flat=True)),
        ActorKind.ORGANIZATION: set(organization_items.values_list("pk", flat=True)),
    }
    for item_id, kind, where, status, n in _fetch(
        f"SELECT p.recommendation_id, p.actor_kind, {region}, p.status, COUNT(*) FROM ({sql}) p {joins} "  # nosec B608
        f"GROUP BY p.recommendation_id, p.actor_kind{group_region}, p.status",
        params,
    ):
        counts[(item_id, where, status)] += n
        if item_id in addressed[kind]:
            reported_in_universe[(item_id, kind, where)] += n
    region_expr = place_expr if by_region else Value("")
    for kind, universe in ((ActorKind.COUNTRY, countries), (ActorKind.ORGANIZATION, organizations)):
        if not addressed[kind]:
            continue
        eligible = universe.annotate(place=region_expr).values("place").annotate(n=Count("pk")).order_by()
        for row in eligible:
            for item_id in addressed[kind]:
                missing = row["n"] - reported_in_universe[(item_id, kind, row["place"])]
                if missing:
                    counts[(item_id, row["place"], NO_INFORMATION)] += missing
    if statuses is not None:
        counts = Counter({key: n for key, n in counts.items() if key[2] in statuses})
    return counts


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
    by_region_heading: str = "By region"


def _ordered(counter: Counter) -> list[tuple[str, str, int]]:
    return [(s, status_label(s), counter[s]) for s in REPORT_STATUSES if counter.get(s)]


def summary(scope: Scope) -> Summary:
    """Counts by status overall, per item, per theme and per region."""
    overall, per_item, per_region = Counter(), defaultdict(Counter), defaultdict(Counter)
    level = region_level(scope.filterset)
    for (item_id, region, status), n in status_counts(scope, by_region=True, level=level).items():
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
        by_region_heading=REGION_LEVELS[level][0],
    )


# ---------------------------------------------------------------------------
# Table (one row per pair) and exports
# ---------------------------------------------------------------------------

# Every order ends with unique keys (actor id, item position), so pages never overlap or skip.
ACTOR_ORDERS = {
    "actor": "a.name, a.id",
    "-actor": "a.name DESC, a.id",
    "region": f"{REGION_SQL}, {SUBREGION_SQL}, a.name, a.id",
}
TABLE_SORTS = {
    **{key: f"{order}, r.position" for key, order in ACTOR_ORDERS.items()},
    "item": "r.position, a.name, a.id",
    "status": f"{STATUS_RANK_SQL}, a.name, a.id, r.position",
    "-status": f"{STATUS_RANK_SQL} DESC, a.name, a.id, r.position",
    "as_of": "CASE WHEN p.as_of IS NULL THEN 1 ELSE 0 END, p.as_of, a.name, a.id, r.position",
    "-as_of": "CASE WHEN p.as_of IS NULL THEN 1 ELSE 0 END, p.as_of DESC, a.name, a.id, r.position",
}


@dataclass
class PairRow:
    actor: Actor
    item: Recommendation
    status: str
    update: ProgressUpdate | None
    # The other side of a comparison (``compare=`` date): the status and value then.
    then_status: str | None = None
    then_value: str | None = None

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def then_label(self) -> str:
        return status_label(self.then_status) if self.then_status else ""

    @property
    def changed(self) -> bool:
        return self.then_status is not None and self.then_status != self.status

    @property
    def value_change(self) -> str:
        """For a quantitative item with a value on both dates: "8.5 → 5.4 (−3.1)"."""
        if self.update is None or self.update.value is None or not self.then_value:
            return ""
        from decimal import Decimal

        then, now = Decimal(self.then_value), self.update.value
        return (
            f"{plain_number(then)} → {plain_number(now)} ({'+' if now >= then else '−'}{plain_number(abs(now - then))})"
        )

    def compare_with(self, statuses: dict) -> None:
        """Set the other date's status and value from ``pair_statuses`` (a missing pair had no information)."""
        self.then_status, self.then_value = statuses.get((self.actor.pk, self.item.pk), (NO_INFORMATION, None))


def count_pairs(scope: Scope) -> int:
    return sum(status_counts(scope, by_region=False).values())


def _hydrate(raw: list[tuple]) -> list[PairRow]:
    """Turn (actor_id, item_id, status, as_of, update_id) tuples into rows with their objects: 3 queries at most."""
    actors = Actor.objects.select_related("base_country").in_bulk({r[0] for r in raw})
    items = Recommendation.objects.in_bulk({r[1] for r in raw})
    # Always one query, even for a page of "No information" rows only, so that a page costs the same
    # number of queries whatever the data (pk 0 never exists).
    update_ids = [r[4] for r in raw if r[4]] or [0]
    updates = ProgressUpdate.objects.select_related("reported_by_organization").in_bulk(update_ids)
    return [PairRow(actors[a], items[i], status, updates.get(u)) for a, i, status, _, u in raw]


def table_page(scope: Scope, *, sort: str, offset: int, limit: int) -> tuple[list[PairRow], int]:
    """One page of the table and the total number of rows.

    Sorting the whole set of pairs to show 50 of them costs as much as the
    set is large. When the order starts with the actor (the default), the
    page is found from per-actor row counts instead: only the few actors on
    the page have their rows listed and sorted.
    """
    select = "p.actor_id, p.recommendation_id, p.status, p.as_of, p.update_id"
    if sort not in ACTOR_ORDERS:
        total = count_pairs(scope)
        raw = scope.run(select, f"ORDER BY {TABLE_SORTS[sort]} LIMIT %s OFFSET %s", [limit, offset])
        return _hydrate(raw), total

    per_actor = _rows_per_actor(scope)
    total = sum(per_actor.values())
    order = Actor.objects.filter(pk__in=list(per_actor)) if len(per_actor) < 900 else Actor.objects.all()
    order = order.alias(
        region_key=Coalesce(NullIf("region", Value("")), "base_country__region", Value("")),
        subregion_key=Coalesce(
            NullIf("intermediate_region", Value("")),
            NullIf("subregion", Value("")),
            NullIf("base_country__intermediate_region", Value("")),
            "base_country__subregion",
            Value(""),
        ),
    )
    fields = {
        "actor": ["name", "pk"],
        "-actor": ["-name", "pk"],
        "region": ["region_key", "subregion_key", "name", "pk"],
    }
    seen, page_actors, skip = 0, [], 0
    for actor_id in order.order_by(*fields[sort]).values_list("pk", flat=True).iterator(chunk_size=5000):
        n = per_actor.get(actor_id, 0)
        if not n:
            continue
        if seen + n > offset and seen < offset + limit:
            if not page_actors:
                skip = offset - seen
            page_actors.append(actor_id)
        seen += n
        if seen >= offset + limit:
            break
    if not page_actors:
        return [], total
    placeholders = ", ".join(["%s"] * len(page_actors))
    raw = scope.run(select, f"WHERE p.actor_id IN ({placeholders}) ORDER BY {TABLE_SORTS[sort]}", page_actors)
    return _hydrate(raw[skip : skip + limit]), total


def _rows_per_actor(scope: Scope) -> Counter:
    """How many rows each actor has in scope, counting "No information" without listing it."""
    filterset, snapshot = scope.filterset, scope.snapshot
    counts: Counter = Counter()
    statuses = filterset.statuses
    if statuses is None or statuses - {NO_INFORMATION}:
        sql, params = _reported_sql(filterset, snapshot)
        for actor_id, n in _fetch(f"SELECT p.actor_id, COUNT(*) FROM ({sql}) p GROUP BY p.actor_id", params):  # nosec B608
            counts[actor_id] += n
    if not filterset.includes_no_information:
        return counts
    countries, country_items, organizations, organization_items = _universe(filterset, snapshot)
    addressed = {
        ActorKind.COUNTRY: list(country_items.values_list("pk", flat=True)),
        ActorKind.ORGANIZATION: list(organization_items.values_list("pk", flat=True)),
    }
    sql, params = _reported_sql(filterset, snapshot, row_filters=False)
    cases, case_params = [], []
    for kind, ids in addressed.items():
        if ids:
            cases.append(f"WHEN p.actor_kind = %s AND p.recommendation_id IN ({', '.join(['%s'] * len(ids))}) THEN 1")
            case_params += [kind.value, *ids]
    in_universe = dict(
        _fetch(
            f"SELECT p.actor_id, SUM(CASE {' '.join(cases)} ELSE 0 END) FROM ({sql}) p GROUP BY p.actor_id",  # nosec B608
            [*case_params, *params],
        )
        if cases
        else []
    )
    for kind, universe in ((ActorKind.COUNTRY, countries), (ActorKind.ORGANIZATION, organizations)):
        if not addressed[kind]:
            continue
        for actor_id in universe.values_list("pk", flat=True).iterator(chunk_size=5000):
            missing = len(addressed[kind]) - (in_universe.get(actor_id) or 0)
            if missing:
                counts[actor_id] += missing
    return counts


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

# The export rows in one SQL statement: no model instances, so hundreds of
# thousands of rows stream at database speed. A country is its own place; an
# organization is placed by its base country.
_EXPORT_PLACE = [
    "a.code",
    "a.name",
    "a.kind",
    "COALESCE(CASE WHEN a.kind = 'country' THEN a.iso3 ELSE b.iso3 END, '')",
    "COALESCE(CASE WHEN a.kind = 'country' THEN a.region ELSE b.region END, '')",
    "COALESCE(CASE WHEN a.kind = 'country' THEN COALESCE(NULLIF(a.intermediate_region, ''), a.subregion) "
    "ELSE COALESCE(NULLIF(b.intermediate_region, ''), b.subregion) END, '')",
    "r.code",
    "r.title",
    "r.kind",
    "p.status",
]
_UNIT_SQL = "CASE WHEN r.kind = 'quantitative' THEN r.unit ELSE '' END"
_EXPORT_SELECT = ", ".join(
    [
        *_EXPORT_PLACE,
        "CAST(p.as_of AS TEXT), p.as_of_precision, p.value_text",
        _UNIT_SQL,
        "COALESCE(o.code, ''), p.evidence_text, p.verified_text",
    ]
)
_EXPORT_FROM = "{joined} LEFT JOIN {actors} o ON o.id = p.reporter_id ORDER BY {order}"


def iter_export_rows(scope: Scope, *, sort: str = "actor", chunk: int = 5000):
    """Every pair in scope as EXPORT_COLUMNS values (strings), in table order, in constant memory.

    Uses a server-side cursor on PostgreSQL, so the first rows leave before
    the last are read. Values come from the database as text and are shaped
    here with string operations only: at 300,000 rows, parsing dates and
    decimals into objects would cost more than the query. The values are the
    exact ones (JSON wants them); the spreadsheet writers guard every text cell
    (``exports.guard_row``).
    """
    for sql, params in export_statements(scope, sort=sort):
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(sql, params)
            while True:
                rows = cursor.fetchmany(chunk)
                if not rows:
                    break
                for row in rows:
                    yield _export_values(row)
        finally:
            cursor.close()


# The keyset of the export's default order (actor name, actor id, item position), with the item id last so that
# a position shared by two items still gives every row one place: the API's cursor walks the export in pages.
EXPORT_KEYSET = "a.name, a.id, r.position, r.id"


# Actors one page query names in ``p.actor_id IN (…)`` (far below SQLite's limit on parameters); a page
# that needs more reads them in several rounds.
PAGE_ACTORS_MAX = 5000


def export_page(scope: Scope, *, after: tuple | None, limit: int) -> tuple[list[list], tuple | None]:
    """Up to ``limit`` export rows (EXPORT_COLUMNS values) after the keyset position ``after``, and the
    position of the last row given (None when no row is left): the export's rows, cut into pages.

    The order starts with the actor, so a page is read actor by actor: the next actors in scope (by name,
    id) after the position are named in the query, which the database pushes into both branches of the
    pairs, so a page costs what its own rows cost, not a sort of the whole scope. How many actors to name
    follows the rows per actor seen so far (carried in the position as a fifth value); another round
    follows when a page is not full (at most ``PAGE_ACTORS_MAX`` actors a round).
    No OFFSET, so walking every page costs about one export and holds one page in memory.
    """
    where, keyset_params, density = "", [], None
    if after is not None:
        name, actor_id, position, item_id = after[:4]
        density = after[4] if len(after) > 4 else None
        where = (
            "(a.name > %s OR (a.name = %s AND (a.id > %s OR (a.id = %s AND "
            "(r.position > %s OR (r.position = %s AND r.id > %s))))))"
        )
        keyset_params = [name, name, actor_id, actor_id, position, position, item_id]
    actors = Actor.objects.filter(scope.filterset.actors()).order_by("name", "pk")
    if after is not None:
        actors = actors.filter(Q(name__gt=after[0]) | Q(name=after[0], pk__gte=after[1]))
    candidates = actors.values_list("pk", flat=True)
    # Rows per actor: from the previous page, else at most one per item (a country's "No information" rows).
    density = density or Recommendation.objects.count() or 1
    rows, taken = [], 0
    while len(rows) <= limit:
        wanted = limit + 1 - len(rows)
        batch = min(PAGE_ACTORS_MAX, -(-wanted * 5 // (4 * max(1, density))) + 1)
        ids = list(candidates[taken : taken + batch])
        if not ids:
            break
        taken += len(ids)
        conditions = [f"p.actor_id IN ({', '.join(['%s'] * len(ids))})", *([where] if where else [])]
        found = _page_rows(scope, conditions, [*ids, *keyset_params], wanted)
        rows += found
        # Fewer rows than hoped: the actors are sparser here (at least four times more actors next round).
        density = max(1, min(density // 4, len(found) // max(1, len(ids))))
    more = len(rows) > limit
    rows = rows[:limit]
    if not (rows and more):
        return [_export_values(row[:-4]) for row in rows], None
    seen = len({row[-3] for row in rows})
    last = (*rows[-1][-4:], max(1, -(-len(rows) // seen)))
    return [_export_values(row[:-4]) for row in rows], last


def _page_rows(scope: Scope, conditions: list[str], params: list, limit: int) -> list[tuple]:
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = (
        f"SELECT {_EXPORT_SELECT}, {EXPORT_KEYSET} FROM {scope.joined} "  # nosec B608
        f"LEFT JOIN {Actor._meta.db_table} o ON o.id = p.reporter_id {where} "
        f"ORDER BY {EXPORT_KEYSET} LIMIT %s"
    )
    return _fetch(sql, [*scope.pairs_params, *params, limit])


def export_copy_statements(scope: Scope, *, sort: str = "actor"):
    """``export_copy_sql`` for each of ``export_statements``: the full CSV's rows, statement after statement."""
    for rows, params in export_statements(scope, sort=sort):
        yield export_copy_sql(scope, rows=(rows, params))


def export_copy_sql(scope: Scope, *, sort: str = "actor", rows: tuple[str, list] | None = None) -> tuple[str, list]:
    """PostgreSQL only: the export rows as the CSV cells ``iter_export_rows`` and ``guard_row`` make, in SQL.

    For ``COPY (…) TO STDOUT WITH (FORMAT csv)``: the same columns in the same
    order, shaped by the same string operations as ``_export_values``, each
    text cell guarded as ``exports.guard_row`` guards it, and an empty cell
    written as NULL so that COPY leaves it unquoted as the csv module does.
    A test compares the two paths on hostile values. Three layers, each
    fenced with ``OFFSET 0`` so the planner keeps them apart: the rows sorted
    with their raw columns, then shaped, then guarded. Only the sort waits for
    all rows; shaping and guarding run as rows stream out, once per cell.
    """
    from .exports import FORMULA_FIRST

    starts = ", ".join(f"'{c}'" if c.isprintable() else f"CHR({ord(c)})" for c in sorted(FORMULA_FIRST))
    raw = [f"c{n}" for n in range(17)]  # _EXPORT_SELECT's columns, in order
    as_of, precision, value, unit, reporter, urls, verified = raw[10:]
    # The fast path of _join_urls (no backslash, no quote inside a link), else the JSON parser.
    inside = f"SUBSTR({urls}, 3, GREATEST(LENGTH({urls}) - 4, 0))"
    shaped = [
        *raw[:10],
        f"CASE {precision} WHEN 'year' THEN LEFT({as_of}, 4) WHEN 'month' THEN LEFT({as_of}, 7) "
        f"ELSE LEFT({as_of}, 10) END",
        f"CASE WHEN POSITION('.' IN {value}) > 0 THEN RTRIM(RTRIM({value}, '0'), '.') ELSE {value} END",
        unit,
        reporter,
        f"CASE WHEN {urls} IS NULL OR {urls} = '[]' THEN '' "  # nosec B608 - column aliases only
        f"WHEN POSITION(CHR(92) IN {urls}) = 0 AND LEFT({urls}, 2) = '[\"' AND RIGHT({urls}, 2) = '\"]' "
        f"AND POSITION('\"' IN REPLACE({inside}, '\", \"', '')) = 0 THEN REPLACE({inside}, '\", \"', ' ') "
        f"ELSE (SELECT STRING_AGG(e.url, ' ' ORDER BY e.n) "
        f"FROM JSONB_ARRAY_ELEMENTS_TEXT(CAST({urls} AS JSONB)) WITH ORDINALITY AS e(url, n)) END",
        f"CASE WHEN COALESCE({verified}, '') = '' THEN '' "
        f"ELSE LEFT({verified}, 10) || 'T' || SUBSTRING({verified} FROM 12 FOR 8) || 'Z' END",
    ]
    guarded = [
        f"NULLIF(CASE WHEN LEFT(v{n}, 1) IN ({starts}) THEN CHR(39) || v{n} ELSE v{n} END, '')"
        for n in range(len(shaped))
    ]
    rows, params = rows or export_rows_sql(scope, sort=sort)
    sorted_rows = f"SELECT * FROM ({rows}) q OFFSET 0"  # nosec B608
    columns = ", ".join(raw)
    shaped_rows = (
        f"SELECT {', '.join(f'{e} AS v{n}' for n, e in enumerate(shaped))} "  # nosec B608
        f"FROM ({sorted_rows}) s ({columns}) OFFSET 0"
    )
    return f"SELECT {', '.join(guarded)} FROM ({shaped_rows}) t", params  # nosec B608


# The export in actor batches (default order, today's statuses, scopes of more than EXPORT_BATCHED_FROM
# possible rows): the first batch small, so its rows leave at once; each next one twice as large, up to
# EXPORT_BATCH_ACTORS actors (~80,000 rows).
EXPORT_BATCHED_FROM, EXPORT_FIRST_BATCH, EXPORT_BATCH_ACTORS = 50_000, 20, 1280


def export_statements(scope: Scope, *, sort: str = "actor"):
    """The export's rows as consecutive statements (SQL, parameters), each in ``sort`` order, together in order.

    The rows of a whole scope sorted in one statement wait for all of them to be read and sorted
    (seconds at 300,000 rows, a sort spilling to disk) before the first one leaves. In the default
    order the whole scope is cut instead into batches of consecutive actors (by name, id): each statement
    reads the pairs of its actors only (``build_scope(actor_ids=…)``: current statuses and "No
    information" through their actor indexes) and sorts only its own rows. Other
    orders, snapshots, filtered and small scopes stay one statement.
    """
    filterset = scope.filterset
    # Only the whole scope (no item or actor filter) is batched: filtered exports keep their one query.
    if sort != "actor" or scope.snapshot is not None or filterset.items() or filterset.actors():
        yield export_rows_sql(scope, sort=sort)
        return
    ids = list(Actor.objects.order_by("name", "pk").values_list("pk", flat=True))
    if len(ids) * Recommendation.objects.count() <= EXPORT_BATCHED_FROM:
        yield export_rows_sql(scope, sort=sort)  # small enough to sort at once
        return
    size, start = EXPORT_FIRST_BATCH, 0
    while start < len(ids):
        yield export_rows_sql(build_scope(scope.filterset, actor_ids=ids[start : start + size]), sort=sort)
        start, size = start + size, min(size * 2, EXPORT_BATCH_ACTORS)


def export_rows_sql(scope: Scope, *, sort: str = "actor") -> tuple[str, list]:
    """The export's rows (``_EXPORT_SELECT``'s columns) in the order of ``sort``, as SQL and parameters."""
    tail = _EXPORT_FROM.format(joined=scope.joined, actors=Actor._meta.db_table, order=TABLE_SORTS[sort])
    return f"SELECT {_EXPORT_SELECT} FROM {tail}", list(scope.pairs_params)  # nosec B608


def _join_urls(text: str) -> str:
    """'["a", "b"]' → 'a b'. Validated URLs have no quotes or backslashes: split them without a JSON parser."""
    if "\\" not in text and text.startswith('["') and text.endswith('"]'):
        parts = text[2:-2].split('", "')
        if all('"' not in part for part in parts):
            return " ".join(parts)
    return " ".join(json.loads(text))


def _export_values(row) -> list:
    values = list(row[:10])
    as_of, precision, value, unit, reporter, urls, verified_at = row[10:]
    if as_of:
        as_of = as_of[:4] if precision == "year" else as_of[:7] if precision == "month" else as_of[:10]
    if value:
        value = value.rstrip("0").rstrip(".") if "." in value else value
    values += [
        as_of or "",
        value or "",
        unit,
        reporter,
        _join_urls(urls) if urls and urls != "[]" else "",
        f"{verified_at[:10]}T{verified_at[11:19]}Z" if verified_at else "",
    ]
    return values


# ---------------------------------------------------------------------------
# Matrix (actors × items)
# ---------------------------------------------------------------------------

MATRIX_SORTS = {
    "actor": "a.name, p.actor_id",
    "region": f"{REGION_SQL}, {SUBREGION_SQL}, a.name, p.actor_id",
    "progress": f"AVG({SCORE_SQL}) DESC, a.name, p.actor_id",
    "-progress": f"AVG({SCORE_SQL}), a.name, p.actor_id",
}


@dataclass
class Matrix:
    actors: list[tuple[Actor, int | None]]  # with their progress score; None where nothing is known
    items: list[Recommendation]
    cells: dict[tuple[int, int], str]


def matrix(scope: Scope, *, sort: str, offset: int, limit: int) -> tuple[Matrix, int]:
    """One page of actors (rows) with their cells, and how many actors there are in all."""
    ranked = scope.run(
        f"p.actor_id, AVG({SCORE_SQL}), COUNT(*) OVER ()",
        f"GROUP BY p.actor_id, a.name, {REGION_SQL}, {SUBREGION_SQL} ORDER BY {MATRIX_SORTS[sort]} LIMIT %s OFFSET %s",
        [limit, offset],
    )
    total = ranked[0][2] if ranked else (count_actors(scope) if offset else 0)
    actor_ids = [actor_id for actor_id, _, _ in ranked]
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
    known = {actor_id for (actor_id, _), status in cells.items() if status != NO_INFORMATION}
    grid = Matrix(
        actors=[(actors[a], round(float(score or 0)) if a in known else None) for a, score, _ in ranked],
        items=items,
        cells=cells,
    )
    return grid, total


def pair_statuses(scope: Scope, pairs) -> dict[tuple[int, int], tuple[str, str | None]]:
    """{(actor id, item id): (status, value as text)} for the given pairs in ``scope``, in one query.

    For a comparison: ``scope`` is the other date's (``StatusFilter.at``); a pair missing from it had no
    information then.
    """
    pairs = list(pairs)
    if not pairs:
        return {}
    actor_ids, item_ids = sorted({a for a, _ in pairs}), sorted({i for _, i in pairs})
    rows = scope.run(
        "p.actor_id, p.recommendation_id, p.status, p.value_text",
        f"WHERE p.actor_id IN ({', '.join(['%s'] * len(actor_ids))}) "
        f"AND p.recommendation_id IN ({', '.join(['%s'] * len(item_ids))})",
        [*actor_ids, *item_ids],
    )
    return {(a, i): (status, value) for a, i, status, value in rows}


def count_actors(scope: Scope) -> int:
    return scope.run("COUNT(DISTINCT p.actor_id)")[0][0]


# ---------------------------------------------------------------------------
# Over time: how many actors (or items) stood at each status, year by year
# ---------------------------------------------------------------------------


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
    rows = updates.order_by("as_of", "created_at", "pk").values_list(
        "actor_id", "recommendation_id", "as_of", "status", "value"
    )
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
    rows = updates.order_by("actor__name", "actor_id", "recommendation__position", "as_of", "created_at", "pk")
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


def for_item(recommendation: Recommendation) -> StatusFilter:
    """The FilterSet of one item's report: the same as /reports/?item=<code>."""
    return StatusFilter(QueryDict(f"item={recommendation.code}"))


def threshold_notes(filterset: StatusFilter) -> list[str]:
    """How each quantitative item in the filter's scope turns a measured value into a status, and where its
    thresholds come from (R17's come from SDG 10.c, not the source): the legend of its automatic statuses.

    One query, whatever the data, so report pages keep a fixed query count.
    """
    items = Recommendation.objects.filter(filterset.items(), kind=Kind.QUANTITATIVE).distinct().order_by("position")
    return [item.thresholds_explained() for item in items]


def headline_figures() -> dict:
    """For the home page: items, actors reporting, verified updates, last update."""
    verified = ProgressUpdate.objects.counted()
    # The latest date a verified status describes (not when it was loaded or verified: a baseline loaded
    # today of ratifications from 1999 is not news from today).
    latest = CurrentStatus.objects.order_by("-as_of").values_list("as_of", "as_of_precision").first()
    count, estimated = verified.estimated_count()
    return {
        "items": Recommendation.objects.count(),
        "actors_reporting": CurrentStatus.objects.values("actor_id").distinct().count(),
        "verified_updates": count,
        "verified_updates_estimated": estimated,
        "last_update": format_as_of(*latest) if latest else None,
    }


def recent_updates(limit: int = 8):
    return (
        ProgressUpdate.objects.counted()
        .select_related("actor", "recommendation", "reported_by_organization")
        .order_by("-reviewed_at", "-pk")[:limit]
    )


def actors_by_status(scope: Scope, per_status: int = 60) -> list[tuple[str, str, int, list[tuple[str, str]]]]:
    """[(status, label, how many, [(actor code, actor name)] — the first ``per_status``)], in report order.

    For an item's page: the names under each status, countries first, cut
    short where thousands of organizations would make the page heavy (the
    table lists them all).
    """
    rows = scope.run(
        "status, code, name, total",
        "",
        [per_status],
        wrap=(
            "SELECT p.status AS status, a.code AS code, a.name AS name, "
            "ROW_NUMBER() OVER (PARTITION BY p.status ORDER BY a.kind, a.name, a.id) AS n, "
            "COUNT(*) OVER (PARTITION BY p.status) AS total",
            f"WHERE n <= %s ORDER BY {STATUS_RANK_SQL.replace('p.status', 'status')}, n",
        ),
    )
    grouped, totals = defaultdict(list), {}
    for status, code, name, total in rows:
        grouped[status].append((code, name))
        totals[status] = total
    return [(s, status_label(s), totals[s], grouped[s]) for s in REPORT_STATUSES if grouped.get(s)]
