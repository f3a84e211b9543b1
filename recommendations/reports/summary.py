"""The summary: pairs counted by item, region and status; the names under each status."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from languages.collation import countries_first, in_database_order, sorted_by_name
from languages.names import actor_name, english, shown
from languages.regions import region_name

from ..models import NO_INFORMATION, REPORT_STATUSES, STAGES, Actor, ActorKind, Recommendation, Theme, status_label
from .scope import (
    REGION_COLUMNS,
    REGION_LEVELS,
    STATUS_RANK_SQL,
    Scope,
    _disagreeing_pairs_sql,
    _fetch,
    _fetch_planned_with,
    _reported_sql,
    _sql,
    _universe,
    region_level,
)


def status_counts(scope: Scope, *, by_region: bool, level: str = "region") -> Counter:
    """Pairs in scope counted by (item id, region or "", status), without listing "No information" pairs.

    "No information" counts are arithmetic: for each item and each kind of
    actor it is addressed to, the actors in scope of that kind minus those
    with a reported status on the item. Only the reported rows are grouped
    in SQL, which keeps the summary fast whatever the number of pairs.
    """
    filterset, snapshot = scope.filterset, scope.snapshot
    place_expr = REGION_LEVELS[level][2]
    one_item = len(filterset.data_.get("item") or ()) == 1
    counts: Counter = Counter()
    statuses = filterset.statuses
    if not filterset.includes_no_information:
        sql, params = _reported_sql(filterset, snapshot)
        for item_id, where, status, n in _counted(
            sql, params, by_region=by_region, level=level, kinds=False, one_item=one_item
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
    for item_id, kind, where, status, n in _counted(
        sql, params, by_region=by_region, level=level, kinds=True, one_item=one_item
    ):
        counts[(item_id, where, status)] += n
        if item_id in addressed[kind]:
            reported_in_universe[(item_id, kind, where)] += n
    region_expr = place_expr if by_region else Value("")
    # Every place's actors times every item addressed to them (~100 items x ~30 places on the all-items page):
    # dict.get, not Counter's missing-key method call, for the ~4,000 (item, place) pairs with no report.
    reported_get, counts_get = reported_in_universe.get, counts.get
    for kind, universe in ((ActorKind.COUNTRY, countries), (ActorKind.ORGANIZATION, organizations)):
        if not addressed[kind]:
            continue
        eligible = universe.annotate(place=region_expr).values("place").annotate(n=Count("pk")).order_by()
        for row in eligible:
            place, n = row["place"], row["n"]
            for item_id in addressed[kind]:
                missing = n - reported_get((item_id, kind, place), 0)
                if missing:
                    key = (item_id, place, NO_INFORMATION)
                    counts[key] = counts_get(key, 0) + missing
    if statuses is not None:
        counts = Counter({key: n for key, n in counts.items() if key[2] in statuses})
    return counts


def _counted(sql: str, params: list, *, by_region: bool, level: str, kinds: bool, one_item: bool) -> list[tuple]:
    """The reported pairs of ``sql`` counted by (item, [actor kind,] place at ``level`` or "", status): one query.

    The place is the actor's (``models.places.place_sql``: its own for a country, its base country's for an
    organization). Joining every pair to its actor and base country to group by that text cost more than
    reading the pairs (the all-items summary at 1M updates: 192,000 held pairs, two hash joins and a CASE per
    pair, docs/performance.md). On PostgreSQL each actor's place is worked out once instead, numbered, and
    put in an array indexed by actor id (a one-time InitPlan over the 5,000 actors, spanning their id range):
    each pair then looks its place's number up in the array and the pairs are grouped by integers, then the
    few thousand groups get their place's name back. Elsewhere (SQLite), and for ``one_item`` (at most one pair
    per actor, where the lookup's fixed ~10 ms costs more than joining the pairs), the join.
    """
    actors = Actor._meta.db_table
    kind, group_kind = (" p.actor_kind,", " p.actor_kind,") if kinds else ("", "")
    if not by_region:
        # PostgreSQL refuses a constant in GROUP BY: select a constant but group without it.
        return _fetch(
            f"SELECT p.recommendation_id,{kind} '', p.status, COUNT(*) FROM ({sql}) p "  # noqa: S608  # nosec B608 - the scope's SQL; values are params
            f"GROUP BY p.recommendation_id,{group_kind} p.status",
            params,
        )
    place = REGION_LEVELS[level][1]
    if connection.vendor != "postgresql" or one_item:
        return _fetch(
            f"SELECT p.recommendation_id,{kind} {place}, p.status, COUNT(*) FROM ({sql}) p "  # noqa: S608  # nosec B608 - models.places SQL over the scope's SQL; values are params
            f"JOIN {actors} a ON a.id = p.actor_id LEFT JOIN {actors} b ON b.id = a.base_country_id "
            f"GROUP BY p.recommendation_id,{group_kind} {place}, p.status",
            params,
        )
    outer_kind = " c.actor_kind," if kinds else ""
    # Hashed, never sorted (``enable_sort`` off for this statement): the groups are at most items x kinds x
    # places x statuses, a few thousand whatever the pairs, but the planner takes the place's number for as many
    # values as actor ids and its estimate of the held pairs follows the intervals of the tree's forks, which
    # grow with the history's depth. At 10M benchmark updates it expected 710,000 rows (241,000 read) and
    # sorted them on disk to group them: 355 ms of the all-items ``?on=`` page against 110 ms at 1M.
    return _fetch_planned_with(
        "enable_sort",
        "off",
        f"WITH places AS MATERIALIZED (SELECT a.id, {place} AS place "  # noqa: S608  # nosec B608 - models.places SQL, table names, the scope's SQL; values are params
        f"FROM {actors} a LEFT JOIN {actors} b ON b.id = a.base_country_id), "
        "names AS MATERIALIZED (SELECT place, CAST(ROW_NUMBER() OVER () AS integer) AS n "
        "FROM (SELECT DISTINCT place FROM places) d), "
        "numbered AS MATERIALIZED (SELECT MIN(places.id) AS first, ARRAY_AGG(COALESCE(names.n, 0) ORDER BY g) AS n "
        "FROM (SELECT MIN(id) AS first, MAX(id) AS last FROM places) span "
        "CROSS JOIN generate_series(span.first, span.last) g "
        "LEFT JOIN places ON places.id = g LEFT JOIN names ON names.place = places.place) "
        f"SELECT c.recommendation_id,{outer_kind} names.place, c.status, c.n FROM ("
        f"SELECT p.recommendation_id,{kind} "
        "(SELECT n FROM numbered)[p.actor_id - (SELECT first FROM numbered) + 1] AS k, p.status, COUNT(*) AS n "
        f"FROM ({sql}) p GROUP BY p.recommendation_id,{group_kind} k, p.status) c "
        "JOIN names ON names.n = c.k",
        params,
    )


@dataclass
class Summary:
    total: int
    by_status: list[tuple[str, str, int]]  # (status, label, count), report order
    parties: int | None  # "Party" stage total, when ratification statuses are present
    by_item: list[dict]
    by_theme: list[dict]
    by_region: list[dict]
    by_region_heading: str = gettext_lazy("By region")
    by_region_column: str = gettext_lazy("Region")


def _ordered(counter: Counter, labels: dict[str, str]) -> list[tuple[str, str, int]]:
    return [(s, labels[s], counter[s]) for s in REPORT_STATUSES if counter.get(s)]


def summary(scope: Scope) -> Summary:
    """Counts by status overall, per item, per theme and per region."""
    overall, per_item, per_region = Counter(), defaultdict(Counter), defaultdict(Counter)
    level = region_level(scope.filterset)
    no_region = _("No region (organization without a base country)")  # once, not for each of ~10,000 counts
    for (item_id, region, status), n in status_counts(scope, by_region=True, level=level).items():
        overall[status] += n
        per_item[item_id][status] += n
        per_region[region or no_region][status] += n

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
    themes = Theme.objects.in_bulk(list(per_theme))

    parties = sum(n for s, n in overall.items() if STAGES.get(s) == "party")
    # Each status in words once (the request's language): the page lists ~1,000 counts, and a label costs an
    # enum lookup and a translation each time.
    labels = {s: status_label(s) for s in REPORT_STATUSES}
    return Summary(
        total=sum(overall.values()),
        by_status=_ordered(overall, labels),
        parties=parties if any(s in STAGES for s in overall) else None,
        by_item=[
            {"item": item, "counts": _ordered(per_item[item.pk], labels), "total": sum(per_item[item.pk].values())}
            for item in items
        ],
        # "name" in English (the API gives it); pages show the theme in the reader's language, in that order.
        by_theme=sorted_by_name(
            (
                {
                    "name": english(themes[t], "name"),
                    "theme": themes[t],
                    "counts": _ordered(c, labels),
                    "total": sum(c.values()),
                }
                for t, c in per_theme.items()
            ),
            key=lambda row: shown(row["theme"], "name").text,
        ),
        # "name" in English (the API gives it); pages show the M49 name in the reader's language, in that order.
        by_region=sorted_by_name(
            ({"name": r, "counts": _ordered(c, labels), "total": sum(c.values())} for r, c in per_region.items()),
            key=lambda row: region_name(row["name"]),
        ),
        by_region_heading=REGION_LEVELS[level][0],
        by_region_column=REGION_COLUMNS[level],
    )


def disagreements(scope: Scope) -> int:
    """How many reported pairs in scope have perspectives giving different statuses (one query).

    On a date on PostgreSQL, for the consolidated statuses without a row filter (status, dates, evidence), the
    pairs that disagree then are counted themselves (``_disagreeing_pairs_sql``, those of the scope's items and
    actors): each has a consolidated status on the date, since a perspective's interval held then is a
    verified update by then, which the consolidated track holds too. The rows (``_reported_sql``) read every
    held consolidated interval to keep those pairs': 39,600 buffers at 10M benchmark updates (241,000 held
    intervals for 8,011 pairs kept) against 2,200 for the pairs alone (docs/performance.md, issue 21, third pass).
    """
    filterset = scope.filterset
    if (
        scope.snapshot is not None
        and connection.vendor == "postgresql"
        and filterset.chosen_perspective is None
        and not filterset.row_conditions()
    ):
        sql, params = _disagreeing_pairs_sql(scope.snapshot)
        within, within_params = [], []
        for model, q in ((Actor, filterset.actors()), (Recommendation, filterset.items())):
            if q:
                column = "actor_id" if model is Actor else "recommendation_id"
                chosen, chosen_params = _sql(model.objects.filter(q).values("pk").order_by())
                within.append(f"g.{column} IN ({chosen})")
                within_params += chosen_params
        where = f" WHERE {' AND '.join(within)}" if within else ""
        return _fetch(f"SELECT COUNT(*) FROM ({sql}) g{where}", [*params, *within_params])[0][0]  # noqa: S608  # nosec B608 - SQL of this package and the ORM; values are params
    sql, params = _reported_sql(scope.filterset, scope.snapshot, disagreeing=True)
    return _fetch(f"SELECT COUNT(*) FROM ({sql}) p", params)[0][0]  # noqa: S608  # nosec B608 - the scope's SQL; values are params


def actors_by_status(scope: Scope, per_status: int = 60) -> list[tuple[str, str, int, list[tuple[str, str]]]]:
    """[(status, label, how many, [(actor code, actor name)] — the first ``per_status``)], in report order.

    For an item's page: the names under each status, countries first, cut
    short where thousands of organizations would make the page heavy (the
    table lists them all). The first ``per_status`` in the reader's order,
    named in the reader's language (``languages.collation.countries_first``).
    """
    grouped, totals = defaultdict(list), {}
    if in_database_order():  # English: the database's order by name is the reader's; cut in SQL
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
        for status, code, name, total in rows:
            grouped[status].append((code, name))
            totals[status] = total
    else:
        # Another language orders the names it shows otherwise ("Allemagne" before "Kenya", "Germany" after):
        # every actor in scope is read (one pair each on an item's page, a few thousand at most), sorted here
        # and cut, so the first ``per_status`` are the first in the reader's order, not the first in English.
        ids = defaultdict(list)
        for status, actor_id in scope.run("p.status, p.actor_id"):
            ids[status].append(actor_id)
        actors = Actor.objects.only("pk", "code", "name", "kind", "other_names").in_bulk(
            {actor_id for group in ids.values() for actor_id in group}
        )
        for status, group in ids.items():
            first = countries_first(actors[actor_id] for actor_id in group)[:per_status]
            grouped[status] = [(actor.code, actor_name(actor)) for actor in first]
            totals[status] = len(group)
    return [(s, status_label(s), totals[s], grouped[s]) for s in REPORT_STATUSES if grouped.get(s)]
