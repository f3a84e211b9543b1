"""The export's columns and rows (streamed, keyset pages, COPY)."""

import json

from django.db import connection
from django.db.models import Q

from ..models import Actor, Recommendation
from ..models.places import place_sql
from .scope import Scope, _fetch, build_scope
from .table import TABLE_SORTS

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
    "perspective",
]

# The export rows in one SQL statement: no model instances, so hundreds of
# thousands of rows stream at database speed. A country is its own place; an
# organization is placed by its base country.
_EXPORT_PLACE = [
    "a.code",
    "a.name",
    "a.kind",
    place_sql("iso3"),
    place_sql("region"),
    place_sql("intermediate"),
    "r.code",
    # The English title (languages/translation.py): the export's values never change with the reader's language.
    "COALESCE(NULLIF(r.title_en, ''), r.title)",
    "r.kind",
    "p.status",
]
_UNIT_SQL = "CASE WHEN r.kind = 'quantitative' THEN r.unit ELSE '' END"
_EXPORT_SELECT = ", ".join(
    [
        *_EXPORT_PLACE,
        "CAST(p.as_of AS TEXT), p.as_of_precision, p.value_text",
        _UNIT_SQL,
        "COALESCE(o.code, ''), p.evidence_text, p.verified_text, COALESCE(p.perspective, '')",
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


def _page_actors_max() -> int:
    # Read through the package, where callers (and tests) see and may lower it: ``reports.PAGE_ACTORS_MAX``.
    from .. import reports

    return reports.PAGE_ACTORS_MAX


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
        batch = min(_page_actors_max(), -(-wanted * 5 // (4 * max(1, density))) + 1)
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
        f"SELECT {_EXPORT_SELECT}, {EXPORT_KEYSET} FROM {scope.joined} "  # noqa: S608  # nosec B608 - fixed export columns over the scope's SQL
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
    from ..exports import FORMULA_FIRST

    starts = ", ".join(f"'{c}'" if c.isprintable() else f"CHR({ord(c)})" for c in sorted(FORMULA_FIRST))
    raw = [f"c{n}" for n in range(18)]  # _EXPORT_SELECT's columns, in order
    as_of, precision, value, unit, reporter, urls, verified, perspective = raw[10:]
    # The fast path of _join_urls (no backslash, no quote inside a link), else the JSON parser.
    inside = f"SUBSTR({urls}, 3, GREATEST(LENGTH({urls}) - 4, 0))"
    shaped = [
        *raw[:10],
        f"CASE {precision} WHEN 'year' THEN LEFT({as_of}, 4) WHEN 'month' THEN LEFT({as_of}, 7) "
        f"ELSE LEFT({as_of}, 10) END",
        f"CASE WHEN POSITION('.' IN {value}) > 0 THEN RTRIM(RTRIM({value}, '0'), '.') ELSE {value} END",
        unit,
        reporter,
        f"CASE WHEN {urls} IS NULL OR {urls} = '[]' THEN '' "  # noqa: S608  # nosec B608 - column aliases only
        f"WHEN POSITION(CHR(92) IN {urls}) = 0 AND LEFT({urls}, 2) = '[\"' AND RIGHT({urls}, 2) = '\"]' "
        f"AND POSITION('\"' IN REPLACE({inside}, '\", \"', '')) = 0 THEN REPLACE({inside}, '\", \"', ' ') "
        f"ELSE (SELECT STRING_AGG(e.url, ' ' ORDER BY e.n) "
        f"FROM JSONB_ARRAY_ELEMENTS_TEXT(CAST({urls} AS JSONB)) WITH ORDINALITY AS e(url, n)) END",
        f"CASE WHEN COALESCE({verified}, '') = '' THEN '' "
        f"ELSE LEFT({verified}, 10) || 'T' || SUBSTRING({verified} FROM 12 FOR 8) || 'Z' END",
        perspective,
    ]
    guarded = [
        f"NULLIF(CASE WHEN LEFT(v{n}, 1) IN ({starts}) THEN CHR(39) || v{n} ELSE v{n} END, '')"
        for n in range(len(shaped))
    ]
    rows, params = rows or export_rows_sql(scope, sort=sort)
    sorted_rows = f"SELECT * FROM ({rows}) q OFFSET 0"  # noqa: S608  # nosec B608 - the export rows' own SQL
    columns = ", ".join(raw)
    shaped_rows = (
        f"SELECT {', '.join(f'{e} AS v{n}' for n, e in enumerate(shaped))} "  # noqa: S608  # nosec B608 - column aliases only
        f"FROM ({sorted_rows}) s ({columns}) OFFSET 0"
    )
    return f"SELECT {', '.join(guarded)} FROM ({shaped_rows}) t", params  # noqa: S608  # nosec B608 - column aliases over the scope's SQL


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
    return f"SELECT {_EXPORT_SELECT} FROM {tail}", list(scope.pairs_params)  # noqa: S608  # nosec B608 - fixed export columns over the scope's SQL


def _join_urls(text: str) -> str:
    """'["a", "b"]' → 'a b'. Validated URLs have no quotes or backslashes: split them without a JSON parser."""
    if "\\" not in text and text.startswith('["') and text.endswith('"]'):
        joined = text[2:-2].replace('", "', " ")
        if '"' not in joined:  # no quote inside a link (as split and joined, without a list of parts)
            return joined
    return " ".join(json.loads(text))


def _export_values(row) -> list:
    values = list(row[:10])
    as_of, precision, value, unit, reporter, urls, verified_at, perspective = row[10:]
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
        perspective,
    ]
    return values
