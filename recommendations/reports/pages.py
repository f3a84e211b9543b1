"""The export's rows in keyset pages: the API's status list (``status_page``, ``status_page_json``)."""

from django.db import connection
from django.db.models import Q

from ..filters import StatusFilter
from ..models import Actor, Recommendation
from ..models.places import place_expression
from .export import _EXPORT_PLACE, _UNIT_SQL, _export_values, _is_whole, whole_export_json_sql
from .scope import Scope, _fetch, _fetch_planned_with, _sql, build_scope

# Actors one page query names in ``p.actor_id IN (…)`` (far below SQLite's limit on parameters); a page
# that needs more reads them in several rounds.
PAGE_ACTORS_MAX = 5000

# What a page reads of each pair (the pair's own columns and its reporter's code, as the export reads
# them), of its actor and of its item (the export's own expressions: ``_EXPORT_PLACE``, ``_UNIT_SQL``, and
# ``place_expression``, the ORM's form of the place SQL), so the values are the export's.
_PAIR_SELECT = (
    "p.actor_id, p.recommendation_id, p.status, CAST(p.as_of AS TEXT), p.as_of_precision, p.value_text, "
    "o.code, p.evidence_text, p.verified_text, p.perspective"
)
# An actor's export columns (code, name, kind, then its place as ``_EXPORT_PLACE`` reads it in SQL).
_ACTOR_COLUMNS = ("pk", "code", "name", "kind", "place_iso3", "place_region", "place_intermediate")
_ITEM_SELECT = ", ".join(["r.id", "r.position", *_EXPORT_PLACE[6:9], _UNIT_SQL])


def _page_actors_max() -> int:
    # Read through the package, where callers (and tests) see and may lower it: ``reports.PAGE_ACTORS_MAX``.
    from .. import reports

    return reports.PAGE_ACTORS_MAX


def status_page(filterset: StatusFilter, *, after: tuple | None, limit: int) -> tuple[list[list], tuple | None]:
    """Up to ``limit`` export rows (EXPORT_COLUMNS values) after the keyset position ``after``, and the
    position of the last row given (None when no row is left): the export's rows, cut into pages.

    The position is the export's order (actor name, actor id, item position, item id), so a page is read
    actor by actor: the next actors in scope after the position, by name and id, are named in the
    query, which the database pushes into both branches of the pairs (current statuses and "No
    information"), so a page costs what its own rows cost, not a sort of the whole scope. How many
    actors to name follows the rows per actor seen so far (carried in the position as a fifth value);
    another round follows when a page is not full (at most ``PAGE_ACTORS_MAX`` actors a round).

    The query reads the pairs' own columns only; their actors' and items' columns (a few hundred rows
    at most, the export's own expressions) are read apart and the rows put in order here. Joined and
    sorted in one statement, the planner, which cannot know how few rows a list of actors selects,
    chose loops that cost several times the rows' own reading (docs/performance.md, "API").
    No OFFSET, so walking every page costs about one export and holds one page in memory.
    """
    # Each round names its actors, chosen here by the filters' actor conditions: the pairs' SQL need not
    # evaluate them again (``build_scope``'s ``actors_named``).
    scope = build_scope(filterset, actors_named=True)
    actors = Actor.objects.filter(filterset.actors()).order_by("name", "pk")
    cut = None  # (actor id, item position, item id): the last row given in that actor, on the previous page
    density = None
    if after is not None:
        name, actor_id, position, item_id = after[:4]
        density = after[4] if len(after) > 4 else None
        actors = actors.filter(Q(name__gt=name) | Q(name=name, pk__gte=actor_id))
        cut = (actor_id, position, item_id)
    candidates = actors.annotate(
        place_iso3=place_expression("iso3"),
        place_region=place_expression("region"),
        place_intermediate=place_expression("intermediate"),
    ).values_list(*_ACTOR_COLUMNS)
    items, chosen = _items(filterset)
    if chosen is not None and not chosen:  # an item filter no item meets: no pair in scope
        return [], None
    # Rows per actor: from the previous page, else at most one per item (a country's "No information" rows).
    density = density or len(items) or 1
    rows, taken = [], 0
    while len(rows) <= limit:
        wanted = limit + 1 - len(rows)
        batch = min(_page_actors_max(), -(-wanted * 5 // (4 * max(1, density))) + 1)
        named = {row[0]: row[1:] for row in candidates[taken : taken + batch]}
        if not named:
            break
        taken += len(named)
        found, count = _round(scope, named, items, chosen, cut, limit=wanted)
        cut = None
        rows += found
        if len(named) < batch:  # the last actors in scope: no round after this one (a query saved per walk)
            break
        # Fewer rows than hoped: the actors are sparser here (at least four times more actors next round).
        density = max(1, min(density // 4, count // len(named)))
    more = len(rows) > limit
    rows = rows[:limit]
    values = [_export_values(row[:-4]) for row in rows]
    if not (rows and more):
        return values, None
    seen = len({row[-3] for row in rows})
    return values, (*rows[-1][-4:], max(1, -(-len(rows) // seen)))


def status_page_json(
    filterset: StatusFilter, *, after: tuple | None, limit: int
) -> tuple[list[bytes], tuple | None] | None:
    """``status_page`` for every pair today (no filter) on PostgreSQL, each row written as its JSON object
    (UTF-8) by the database; None elsewhere (``status_page`` then).

    The page is the CSV export's own statement (``whole_export_json_sql``: actors in order, each one's
    items with its current statuses), resumed after the position and stopped after ``limit`` + 1 rows, so
    a page costs what its rows cost in the whole export's COPY; the rows come shaped and written as JSON
    (``json_row_sql``), so that the page's Python only joins them. Read page by page through
    ``status_page``, the same rows cost twice the export (docs/performance.md, "API"). The position is
    ``status_page``'s, so a cursor of one serves the other.
    """
    if connection.vendor != "postgresql":
        return None
    import psycopg2.extensions  # (the PostgreSQL driver: only there)

    if filterset.is_bound and not filterset.is_valid():  # (as build_scope: never read a filter not applied)
        raise ValueError(f"invalid report filters: {filterset.error_messages()}")
    # The scope without its pairs' SQL, which the whole export's statement does not read.
    scope = Scope(filterset=filterset, snapshot=filterset.snapshot_date)
    if not _is_whole(scope):
        return None
    sql, params = whole_export_json_sql(scope, after=after)
    with connection.cursor() as cursor:
        # The objects as bytes, as the response sends them: no decoding and encoding of every row.
        psycopg2.extensions.register_type(psycopg2.extensions.BYTES, cursor.cursor)
        # Without JIT compilation, as every connection opens (tracker/settings.py): the plan's cost is a whole
        # export's, its compilation would be paid by every page. Nothing of its own: DATABASE_JIT=1 turns it on
        # here too, as for every statement (``exports.copy_csv_chunks`` says why).
        cursor.execute(f"{sql} LIMIT %s", [*params, limit + 1])
        rows = cursor.fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    objects = [row[0] for row in rows]
    if not (rows and more):
        return objects, None
    name, actor_id, position, item_id = rows[-1][1:]
    return objects, (name.decode(), actor_id, position, item_id)


# PostgreSQL's cost of a random page read (default 4: a disk seek) for a page's query, which reads a few
# thousand pairs through their indexes. With the default, the "No information" check of a page's
# organizations merged with the whole current-status index (300,000 entries at 1M updates, read for each
# page) rather than probing it for each of the page's pairs; at 1.1 (pages in memory, the usual setting
# for SSDs) it probes, and the query takes half the time (docs/performance.md, "API").
PAGE_RANDOM_PAGE_COST = "1.1"


def _fetch_by_index(sql: str, params: list) -> list[tuple]:
    """``_fetch``, planned on PostgreSQL with ``PAGE_RANDOM_PAGE_COST`` (set for this statement only)."""
    return _fetch_planned_with("random_page_cost", PAGE_RANDOM_PAGE_COST, sql, params)


def _items(filterset: StatusFilter) -> tuple[dict[int, tuple], list[int] | None]:
    """Every item's export columns by id: (position, code, title, kind, unit, rank in the export's order); and,
    when the filters choose items, the ids of those they keep (the filter's own condition, ``items()``, asked
    of the database in the same statement), else None."""
    sql, params = f"SELECT {_ITEM_SELECT}", []
    chooses = filterset.items()
    if chooses:
        kept, params = _sql(Recommendation.objects.filter(chooses).values("pk"))
        sql += f", r.id IN ({kept})"
    rows = _fetch(f"{sql} FROM {Recommendation._meta.db_table} r", params)  # noqa: S608  # nosec B608 - fixed columns, a table name, the ORM's SQL of the item filter
    rows.sort(key=lambda row: (row[1], row[0]))
    items = {row[0]: (*row[1:6], rank) for rank, row in enumerate(rows)}
    return items, ([row[0] for row in rows if row[6]] if chooses else None)


def _round(
    scope: Scope, actors: dict[int, tuple], items: dict, chosen: list[int] | None, cut: tuple | None, *, limit: int
):
    """The first ``limit`` export rows of ``actors`` (their ``_ACTOR_COLUMNS`` by id, in order): the
    columns of ``_EXPORT_SELECT``, then the keyset (actor name, actor id, item position, item id), in the
    export's order; and how many rows they have in all. With ``cut``, the rows of its actor up to its
    item are left out.

    The items the filters keep (``chosen``, when they choose some) are named in the query as the actors are:
    the scope says the same through its join to the items (``kind = 'ratification'``), from which the planner
    cannot tell how few of the named actors' statuses are those items' (Africa's ratification items: 57 of the
    62,832 current statuses of the region's 1,304 actors, which it read through the actor index); named, it
    reads those items' statuses instead (docs/performance.md, "API: filtered lists against the CSV")."""
    actor_ids = list(actors)
    named = f"p.actor_id IN ({', '.join(['%s'] * len(actor_ids))})"
    if chosen is not None:
        named += f" AND p.recommendation_id IN ({', '.join(['%s'] * len(chosen))})"
    pairs = _fetch_by_index(
        f"SELECT {_PAIR_SELECT} FROM ({scope.pairs_sql}) p "  # noqa: S608  # nosec B608 - fixed columns over the scope's SQL; ids are params
        f"LEFT JOIN {Actor._meta.db_table} o ON o.id = p.reporter_id WHERE {named}",
        [*scope.pairs_params, *actor_ids, *(chosen or [])],
    )
    if cut is not None:
        actor_id, position, item_id = cut
        pairs = [p for p in pairs if p[0] != actor_id or (items[p[1]][0], p[1]) > (position, item_id)]
    # The export's order: the actors' (given), then the items' (position, id), as one number per row.
    place = {actor_id: n * len(items) for n, actor_id in enumerate(actor_ids)}
    pairs.sort(key=lambda p: place[p[0]] + items[p[1]][5])
    rows = []
    for actor_id, item_id, status, as_of, precision, value, reporter, urls, verified, perspective in pairs[:limit]:
        actor, item = actors[actor_id], items[item_id]
        rows.append(
            (
                *actor,
                *item[1:4],
                status,
                as_of,
                precision,
                value,
                item[4],
                reporter or "",
                urls,
                verified,
                perspective or "",
                actor[1],
                actor_id,
                item[0],
                item_id,
            )
        )
    return rows, len(pairs)
