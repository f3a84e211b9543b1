"""The scope of a report: one SQL set of (actor, item) pairs for a StatusFilter (build_scope)."""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from ..filters import StatusFilter
from ..models import (
    NO_INFORMATION,
    PROGRESS_SCORE,
    REPORT_STATUSES,
    Actor,
    ActorKind,
    CurrentStatus,
    Kind,
    PerspectiveInterval,
    PerspectiveStatus,
    Recommendation,
    StatusInterval,
)
from ..models.places import place_expression, place_sql

# Every pair carries what a report or an export shows (who says so last); the five before it as text
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
    "perspective",
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
# Where an actor counts (``models.places``: a country by its own M49 areas, an organization by its base
# country's), over a = the actor and b = its base country.
REGION_SQL = place_sql("region")
SUBREGION_SQL = place_sql("intermediate")


# _("By region") breaks a report down one level below its region filter: regions; a region's sub-regions; a
# sub-region's intermediate regions (Sub-Saharan Africa → Western Africa …); below that, the countries.
# Each level: (heading, SQL over a = the actor and b = its base country, the same as an ORM expression on Actor).
REGION_LEVELS = {
    level: (heading, place_sql(level), place_expression(level))
    for level, heading in [
        ("region", _("By region")),
        ("subregion", _("By sub-region")),
        ("intermediate", _("By sub-region")),
        ("country", _("By country")),
    ]
}
# The same levels' name as a table column's heading ("Region", not the section's "By region" cut after "By ",
# which left "Регионам", " région" and nothing at all in Chinese).
REGION_COLUMNS = {
    "region": _("Region"),
    "subregion": _("Sub-region"),
    "intermediate": _("Sub-region"),
    "country": _("Country"),
}


def region_level(filterset) -> str:
    """The level _("By region") shows for these filters: the one below the region or sub-region chosen."""
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
            sql = f"SELECT {select} FROM {self.joined} {tail}"  # noqa: S608  # nosec B608 - callers pass this package's constant fragments; values are params
        else:
            inner, outer = wrap
            sql = f"SELECT {select} FROM ({inner} FROM {self.joined}) w {outer}"  # noqa: S608  # nosec B608 - callers pass this package's constant fragments; values are params
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.pairs_params, *params])
            return cursor.fetchall()


def build_scope(filterset: StatusFilter, *, actor_ids=None, actors_named: bool = False) -> Scope:
    """The pairs in scope; with ``actor_ids``, only those actors' (a batch of the export).

    ``actors_named``: the pairs without the filters' actor conditions, for a caller that names the actors of
    every query it makes over them, chosen by those very conditions (``reports.pages``: each round of a page
    names the next actors in scope, ``Actor.objects.filter(filterset.actors())``). There the conditions were
    only evaluated again: a region's membership (``models.places.in_region``, over each actor and its base
    country) for every actor and again for each organization's "No information" pair, which the planner,
    estimating 44-54 actors in a region of 1,188-1,434, also let choose its plan (docs/performance.md, "API:
    filtered lists against the CSV")."""
    if filterset.is_bound and not filterset.is_valid():
        # Never report on a filter that could not be applied: the numbers would be silently wrong.
        raise ValueError(f"invalid report filters: {filterset.error_messages()}")
    snapshot = filterset.snapshot_date
    parts, params = [], []
    statuses = filterset.statuses
    if statuses is None or statuses - {NO_INFORMATION}:
        sql, reported_params = _reported_sql(filterset, snapshot, actor_ids=actor_ids, actors_named=actors_named)
        parts.append(sql)
        params += reported_params
    if filterset.includes_no_information:
        sql, unreported_params = _unreported_sql(filterset, snapshot, actor_ids=actor_ids, actors_named=actors_named)
        parts.append(sql)
        params += unreported_params
    if not parts:  # cannot happen with valid filters, but never build invalid SQL
        parts.append(
            f"SELECT {', '.join(f'NULL AS {c}' for c in PAIR_COLUMNS)} FROM {Actor._meta.db_table} WHERE 1 = 0"  # noqa: S608  # nosec B608 - constant column names, a table name
        )
    return Scope(filterset=filterset, snapshot=snapshot, pairs_sql=" UNION ALL ".join(parts), pairs_params=params)


def _reported_sql(
    filterset: StatusFilter,
    snapshot,
    *,
    row_filters: bool = True,
    actor_ids=None,
    disagreeing: bool = False,
    actors_named: bool = False,
) -> tuple[str, list]:
    """The reported pairs in scope: CurrentStatus rows, or the latest verified update on or before a date.

    The snapshot reads the status interval of each pair that holds on the
    date (``StatusInterval``, kept with CurrentStatus): one row per pair
    through an index, however long the history, with the winners' own
    columns (no re-join). Row filters (status, dates, evidence) apply to the winners, so "ratified
    on 1 January 2010" means the status on that date, not a later one. ``disagreeing`` (or the filter
    ``disagree=yes``): only pairs whose perspectives disagree, today by the maintained flag, on a date by
    ``disagreement_sql``.
    """
    item_q, actor_q = filterset.items("recommendation__"), Q() if actors_named else filterset.actors("actor__")
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
        "perspective",
    )
    statuses, intervals = _tracks(filterset)
    disagreeing = disagreeing or (row_filters and filterset.disagreement_only)
    if snapshot is None:
        current = statuses.filter(item_q, actor_q).annotate(reporter_id=F("reported_by_organization_id"))
        if disagreeing:
            # Today: the flag kept with the pair's consolidated status (``services.perspectives.statuses_disagree``).
            flagged = CurrentStatus.objects.filter(perspectives_disagree=True)
            if statuses.model is CurrentStatus:
                current = current.filter(perspectives_disagree=True)
            else:
                current = current.filter(
                    Exists(
                        flagged.filter(actor_id=OuterRef("actor_id"), recommendation_id=OuterRef("recommendation_id"))
                    )
                )
        inner, params = _sql(current.values_list(*columns).order_by())
    else:
        inner, params = _held_on_sql(intervals, item_q, actor_q, snapshot, columns)
    where, where_params = filterset.row_conditions_sql("x") if row_filters else ("", [])
    if disagreeing and snapshot is not None:
        disagree, disagree_params = disagreement_sql("x", snapshot)
        where = f"{where} AND {disagree}" if where else f"WHERE {disagree}"
        where_params = [*where_params, *disagree_params]
    selected = (
        "x.actor_id, x.recommendation_id, x.status, x.as_of, x.update_id, x.actor_kind, x.as_of_precision, "
        "CAST(x.value AS TEXT) AS value_text, x.reporter_id, CAST(x.verified_at AS TEXT) AS verified_text, "
        "CAST(x.evidence_urls AS TEXT) AS evidence_text, x.perspective"
    )
    return f"SELECT {selected} FROM ({inner}) x {where}", [*params, *where_params]  # noqa: S608  # nosec B608 - ORM-compiled SQL; row conditions are parameterized


# The relational interval tree of the status intervals (migration 0014, PostgreSQL): day numbers from this
# epoch, and as many tree levels as cover 9999-12-31 (the end of an open interval).
INTERVAL_TREE_EPOCH, INTERVAL_TREE_LEVELS = datetime.date(1899, 12, 31), 22


def interval_tree_path(day: datetime.date) -> tuple[list[int], list[int]]:
    """The nodes on the path from the interval tree's root to ``day``: (at or after it, before it)."""
    d = (day - INTERVAL_TREE_EPOCH).days
    nodes = {((d >> (t + 1)) << (t + 1)) | (1 << t) for t in range(INTERVAL_TREE_LEVELS)}
    return sorted(n for n in nodes if n >= d), sorted(n for n in nodes if n < d)


def _held_on_sql(intervals, item_q, actor_q, snapshot, columns) -> tuple[str, list]:
    """SQL of the status interval of each pair in scope that holds on ``snapshot``, as ``columns``.

    On PostgreSQL through the interval tree of migration 0014: an interval holding on the day has its
    fork on the path to the day; forks at or after the day hold if the interval began by then, forks
    before it if it ends after it. Two index range scans that read only the intervals that hold (one
    per pair), whatever the depth of the history; the counting pages read them from the indexes alone.
    Elsewhere, and for one perspective's intervals (``intervals``: the consolidated ones or one
    perspective's, ``_tracks``), ``.on`` (the definition; the tests compare both).
    """
    held = intervals.filter(item_q, actor_q).annotate(
        as_of=F("valid_from"), reporter_id=F("reported_by_organization_id")
    )
    if connection.vendor != "postgresql" or intervals.model is not StatusInterval:
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


# The fork of a per-perspective interval and its end (open: 9999-12-31), word for word the expressions of the
# indexes of migration 0025: the planner uses an expression index only for the same expression.
PERSPECTIVE_FORK_SQL = (
    "interval_fork(d.valid_from - DATE '1899-12-31', COALESCE(d.valid_to, DATE '9999-12-31') - DATE '1899-12-31' - 1)"
)
PERSPECTIVE_UNTIL_SQL = "COALESCE(d.valid_to, DATE '9999-12-31')"


def disagreement_sql(alias: str, snapshot) -> tuple[str, list]:
    """The pair of ``alias`` has two perspectives giving different statuses (today, or on ``snapshot``).

    ``services.perspectives.statuses_disagree`` on a date (or today, where the reports read the flag it keeps
    on CurrentStatus instead; the tests compare the two).

    ``alias`` is a row of the report (consolidated or one perspective's, held today or on the date), and
    its status is one of the pair's perspective statuses held then (the consolidated status is the latest
    perspective's), so the perspectives disagree exactly when one of them holds a status other than the
    row's: one probe of the per-perspective table through its (actor, item, perspective) key per row.
    Joining the table to itself to find two differing perspectives read every pair's tracks twice, in each
    parallel worker (the summary's count at 1M updates: 1.3 s against 0.2–0.3 s; docs/performance.md).

    On a date on PostgreSQL, that probe read every interval of the pair that began by the date, a share of
    the whole history (690 ms of the all-items ``?on=`` page at 10M updates). There the pairs whose
    perspectives disagree on the date are found once instead (``_disagreeing_on_sql``).
    """
    if snapshot is None:
        table, held, params = PerspectiveStatus._meta.db_table, "", []
    elif connection.vendor == "postgresql":
        return _disagreeing_on_sql(alias, snapshot)
    else:
        table = PerspectiveInterval._meta.db_table
        held = " AND d.valid_from <= %s AND (d.valid_to IS NULL OR d.valid_to > %s)"
        params = [snapshot] * 2
    return (
        f"EXISTS (SELECT 1 FROM {table} d WHERE d.actor_id = {alias}.actor_id "  # noqa: S608  # nosec B608 - table names; dates are params
        f"AND d.recommendation_id = {alias}.recommendation_id AND d.status <> {alias}.status{held})",
        params,
    )


def _disagreeing_on_sql(alias: str, snapshot) -> tuple[str, list]:
    """PostgreSQL: ``alias``'s pair is one whose perspective intervals holding on ``snapshot`` differ in status.

    Those pairs, found once: the per-perspective intervals holding on the date, read through the interval tree
    of migration 0025 (as ``_held_on_sql`` reads the consolidated ones), grouped by pair. Only the intervals of
    pairs with two or more tracks (``several_perspectives``, migration 0029's partial indexes): another pair
    has one status on any date. At 1M benchmark updates that reads ~10,000 index entries instead of the
    195,000 held intervals of every track, and the report's rows probe a hash of ~1,800 pairs.
    """
    pairs, params = _disagreeing_pairs_sql(snapshot)
    return (
        f"({alias}.actor_id, {alias}.recommendation_id) IN ({pairs})",  # noqa: S608  # nosec B608 - SQL below
        params,
    )


def _disagreeing_pairs_sql(snapshot) -> tuple[str, list]:
    """PostgreSQL: (actor_id, recommendation_id) of the pairs whose perspectives disagree on ``snapshot``
    (``_disagreeing_on_sql``)."""
    table = PerspectiveInterval._meta.db_table
    after, before = interval_tree_path(snapshot)
    held = (
        f"SELECT d.actor_id, d.recommendation_id, d.status FROM {table} d "  # noqa: S608  # nosec B608 - a table name; values are params
        f"WHERE d.several_perspectives AND {PERSPECTIVE_FORK_SQL} = ANY(%s) AND d.valid_from <= %s "
        f"UNION ALL SELECT d.actor_id, d.recommendation_id, d.status FROM {table} d "
        f"WHERE d.several_perspectives AND {PERSPECTIVE_FORK_SQL} = ANY(%s) AND {PERSPECTIVE_UNTIL_SQL} > %s"
    )
    return (
        # ``services.perspectives.statuses_disagree``: the held statuses are not all the same.
        "SELECT h.actor_id, h.recommendation_id "  # noqa: S608  # nosec B608 - SQL above
        f"FROM ({held}) h GROUP BY h.actor_id, h.recommendation_id HAVING MIN(h.status) <> MAX(h.status)",
        [after, snapshot, before, snapshot],
    )


def _tracks(filterset: StatusFilter):
    """The maintained tables a report reads: the consolidated ones, or one perspective's rows of its own."""
    if filterset.chosen_perspective is None:
        return CurrentStatus.objects.all(), StatusInterval.objects.all()
    chosen = filterset.chosen_perspective
    return PerspectiveStatus.objects.filter(perspective=chosen), PerspectiveInterval.objects.filter(perspective=chosen)


def _universe(filterset: StatusFilter, snapshot, *, actors_named: bool = False):
    """Querysets of the "No information" universe: (countries, items for countries, organizations, items for them).
    ``actors_named``: without the filters' actor conditions (``build_scope``)."""
    item_q, actor_q = filterset.items(), Q() if actors_named else filterset.actors()
    items = Recommendation.objects.filter(item_q)
    country_items = items.filter(addressees__applies_to=ActorKind.COUNTRY).values("pk").distinct()
    organization_items = (
        items.filter(addressees__applies_to=ActorKind.ORGANIZATION)
        .exclude(kind=Kind.RATIFICATION)
        .values("pk")
        .distinct()
    )
    countries = Actor.objects.filter(actor_q, kind=ActorKind.COUNTRY)
    statuses, intervals = _tracks(filterset)
    if snapshot is None:
        reports_something = Exists(statuses.filter(actor_id=OuterRef("pk")))
    else:
        reports_something = Exists(intervals.filter(actor_id=OuterRef("pk"), valid_from__lte=snapshot))
    organizations = Actor.objects.filter(actor_q, reports_something, kind=ActorKind.ORGANIZATION)
    return countries, country_items, organizations, organization_items


def _unreported_sql(
    filterset: StatusFilter, snapshot, *, actor_ids=None, actors_named: bool = False
) -> tuple[str, list]:
    """SQL for the "No information" pairs in scope: one branch for countries, one for organizations.

    With ``actor_ids`` (a batch of the export), those actors only, and the current statuses they are
    checked against too: else the planner hashes every current status for each batch.
    """
    countries, country_items, organizations, organization_items = _universe(
        filterset, snapshot, actors_named=actors_named
    )
    if actor_ids is not None:
        countries, organizations = countries.filter(pk__in=actor_ids), organizations.filter(pk__in=actor_ids)
    perspective = filterset.chosen_perspective
    statuses, intervals = (
        (CurrentStatus, StatusInterval) if perspective is None else (PerspectiveStatus, PerspectiveInterval)
    )
    track, track_params = ("", []) if perspective is None else (" AND cs.perspective = %s", [perspective])
    if snapshot is None:
        batch = f"AND cs.actor_id IN ({', '.join(['%s'] * len(actor_ids))})" if actor_ids is not None else ""
        not_reported = (
            f"NOT EXISTS (SELECT 1 FROM {statuses._meta.db_table} cs "  # noqa: S608  # nosec B608 - a table name, placeholders
            f"WHERE cs.actor_id = a.id AND cs.recommendation_id = r.id{track} {batch})"
        )
        not_params = [*track_params, *(actor_ids or [])]
    else:
        # A pair has an interval from its first verified as-of date on: none by then, nothing reported.
        not_reported = (
            f"NOT EXISTS (SELECT 1 FROM {intervals._meta.db_table} cs "  # noqa: S608  # nosec B608 - a table name; the date is a param
            f"WHERE cs.actor_id = a.id AND cs.recommendation_id = r.id AND cs.valid_from <= %s{track})"
        )
        not_params = [snapshot, *track_params]
    # A batch's actors are named on ``a`` itself too, not only inside the subquery: else the planner may
    # cross every actor with the items, anti-join them with the batch's statuses and only then probe the
    # subquery per pair (estimated at one pair, 126,095 at 10M updates: 3.3 s of a 3.5 s batch).
    on_batch = f" AND a.id IN ({', '.join(['%s'] * len(actor_ids))})" if actor_ids is not None else ""
    branches, params = [], []
    for actors, items in ((countries, country_items), (organizations, organization_items)):
        actors_sql, actors_params = _sql(actors.values("pk").order_by())
        items_sql, items_params = _sql(items.order_by())
        branches.append(
            f"SELECT a.id AS actor_id, r.id AS recommendation_id, '{NO_INFORMATION}' AS status, "  # noqa: S608  # nosec B608 - an enum constant, table names, ORM-compiled subqueries
            "CAST(NULL AS DATE) AS as_of, CAST(NULL AS BIGINT) AS update_id, a.kind AS actor_kind, "
            "CAST(NULL AS TEXT) AS as_of_precision, CAST(NULL AS TEXT) AS value_text, "
            "CAST(NULL AS BIGINT) AS reporter_id, CAST(NULL AS TEXT) AS verified_text, "
            "CAST(NULL AS TEXT) AS evidence_text, CAST(NULL AS TEXT) AS perspective "
            f"FROM {Actor._meta.db_table} a CROSS JOIN {Recommendation._meta.db_table} r "
            f"WHERE a.id IN ({actors_sql}){on_batch} AND r.id IN ({items_sql}) AND {not_reported}"
        )
        params += [*actors_params, *(actor_ids or []), *items_params, *not_params]
    return " UNION ALL ".join(branches), params


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fetch_planned_with(setting: str, value: str, sql: str, params) -> list[tuple]:
    """``_fetch`` with one PostgreSQL planner ``setting`` at ``value`` for this statement only (elsewhere, as is).

    ``setting`` and ``value`` are constants of the code, never input."""
    if connection.vendor != "postgresql":
        return _fetch(sql, params)
    with connection.cursor() as cursor:
        # One round trip, one implicit transaction: the setting lasts for the query only (and goes with it
        # should the query fail). Inside a caller's transaction it would last until that one ends.
        cursor.execute(f"SET LOCAL {setting} = {value}; {sql}", params)
        rows = cursor.fetchall()
        if connection.in_atomic_block:
            cursor.execute(f"RESET {setting}")
    return rows


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
