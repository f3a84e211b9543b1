"""The export's columns and rows (streamed, COPY; in keyset pages: ``pages.status_page``)."""

import json

from django.db import connection

from ..models import NO_INFORMATION, Actor, ActorKind, CurrentStatus, Recommendation
from ..models.places import place_sql
from .scope import Scope, _sql, _universe, build_scope
from .table import ACTOR_ORDERS, TABLE_SORTS

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
_UNIT_SQL = "CASE WHEN r.kind = 'quantitative' THEN COALESCE(NULLIF(r.unit_en, ''), r.unit) ELSE '' END"
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


def export_copy_statements(scope: Scope, *, sort: str = "actor"):
    """``export_copy_sql`` for each of ``export_statements``: the full CSV's rows, statement after statement.

    Every pair today in the default order is one statement instead (``whole_export_copy_sql``): COPY
    streams its rows as they are read. Not for the Python path's server-side cursor: outside a
    transaction Django declares it WITH HOLD, which runs the whole statement before the first fetch
    (3.4 s at 1M updates), so that path keeps the batches.
    """
    if sort == "actor" and _is_whole(scope):
        yield whole_export_copy_sql(scope)
        return
    for rows, params in export_statements(scope, sort=sort):
        yield export_copy_sql(scope, rows=(rows, params))


def _guarded_sql(cell: str) -> str:
    """The cell as ``exports.guard_row`` guards it, in SQL, and an empty cell as NULL, which COPY leaves
    unquoted as the csv module does. ``cell`` appears twice: an expression is computed twice."""
    from ..exports import FORMULA_FIRST

    # The first character's code: an integer comparison, where LEFT(v, 1) IN ('=', …) built a text value and
    # compared it six times (0.3–0.4 of 2.5–2.9 database CPU seconds for the whole export at 1M updates).
    starts = ", ".join(str(ord(c)) for c in sorted(FORMULA_FIRST))
    return f"NULLIF(CASE WHEN ASCII({cell}) IN ({starts}) THEN CHR(39) || {cell} ELSE {cell} END, '')"


def _as_of_sql(as_of: str, precision: str) -> str:
    """``_export_values``' as-of date cut to its precision, from the date as text (ISO)."""
    return (
        f"CASE {precision} WHEN 'year' THEN LEFT({as_of}, 4) WHEN 'month' THEN LEFT({as_of}, 7) "
        f"ELSE LEFT({as_of}, 10) END"
    )


def _value_sql(value: str) -> str:
    """``_export_values``' value without trailing zeros, from the number as text."""
    return f"CASE WHEN POSITION('.' IN {value}) > 0 THEN RTRIM(RTRIM({value}, '0'), '.') ELSE {value} END"


def _verified_sql(verified: str) -> str:
    """``_export_values``' verification time (``…T…Z``) from the timestamp as text (UTC session); NULL stays NULL."""
    return f"LEFT({verified}, 10) || 'T' || SUBSTRING({verified} FROM 12 FOR 8) || 'Z'"


def _links_sql(links: str) -> str:
    """``_join_urls`` in SQL over the ``evidence_urls`` JSON array itself (not its text): its links joined
    by a space, NULL for none. One link (nearly every status) is ``->> 0``, which reads the element
    where the text form was parsed with five string functions (0.45 s of 1.8 database CPU seconds
    for the whole export at 1M updates); several, the elements in order. A NULL array (no status)
    is tested before the subquery, else it ran for every "No information" row."""
    return (
        f"CASE JSONB_ARRAY_LENGTH({links}) WHEN 1 THEN {links} ->> 0 WHEN 0 THEN NULL "  # noqa: S608  # nosec B608 - a column alias
        f"ELSE CASE WHEN {links} IS NOT NULL THEN (SELECT STRING_AGG(e.url, ' ' ORDER BY e.n) "
        f"FROM JSONB_ARRAY_ELEMENTS_TEXT({links}) WITH ORDINALITY AS e(url, n)) END END"
    )


def _links_text_sql(urls: str) -> str:
    """``_join_urls`` in SQL over the links' JSON text (the filtered export's and the API page's path): the fast
    path of ``_join_urls`` (no backslash, no quote inside a link), else the JSON parser; '' for none."""
    inside = f"SUBSTR({urls}, 3, GREATEST(LENGTH({urls}) - 4, 0))"
    return (
        f"CASE WHEN {urls} IS NULL OR {urls} = '[]' THEN '' "  # noqa: S608  # nosec B608 - column names only
        f"WHEN POSITION(CHR(92) IN {urls}) = 0 AND LEFT({urls}, 2) = '[\"' AND RIGHT({urls}, 2) = '\"]' "
        f"AND POSITION('\"' IN REPLACE({inside}, '\", \"', '')) = 0 THEN REPLACE({inside}, '\", \"', ' ') "
        f"ELSE (SELECT STRING_AGG(e.url, ' ' ORDER BY e.n) "
        f"FROM JSONB_ARRAY_ELEMENTS_TEXT(CAST({urls} AS JSONB)) WITH ORDINALITY AS e(url, n)) END"
    )


def _verified_text_sql(verified: str) -> str:
    """``_verified_sql``, '' for none (a JSON string is never null)."""
    return f"CASE WHEN COALESCE({verified}, '') = '' THEN '' ELSE {_verified_sql(verified)} END"


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
    raw = [f"c{n}" for n in range(18)]  # _EXPORT_SELECT's columns, in order
    as_of, precision, value, unit, reporter, urls, verified, perspective = raw[10:]
    shaped = [
        *raw[:10],
        _as_of_sql(as_of, precision),
        _value_sql(value),
        unit,
        reporter,
        _links_text_sql(urls),
        _verified_sql(verified),
        perspective,
    ]
    guarded = [_guarded_sql(f"v{n}") for n in range(len(shaped))]
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


def _is_whole(scope: Scope) -> bool:
    """Every pair today, consolidated, unfiltered: what ``whole_export_rows_sql`` reads."""
    filterset = scope.filterset
    return not (
        scope.snapshot is not None
        or filterset.items()
        or filterset.actors()
        or filterset.row_conditions()
        or filterset.chosen_perspective
        or filterset.disagreement_only
    )


def whole_export_copy_sql(scope: Scope) -> tuple[str, list]:
    """PostgreSQL: the CSV cells of the whole export (every pair today, default order) as one statement whose
    first rows leave at once: what ``export_copy_sql`` makes of ``export_rows_sql`` for that scope, without
    its sort of every row, and shaping each cell where it comes from.

    Every actor (ranked by name, id: a few thousand rows) × every item (ranked by position, id), each actor's
    pairs read with its current statuses: a status found is a reported row; none, a "No information" row if
    the pair is in the universe (``scope._universe``'s querysets), else no row. The items are a LATERAL over
    the actor, so the actors are the outer loop, read from their ranked subquery, and the ``ORDER BY`` is an
    incremental sort of each actor's rows only (its presorted key is the actors' rank): a full sort waits
    for the last row before the first leaves (the external merge of 103 MB behind the 1.3–5 s first row at
    1M updates). Sorting by the two ranks compares integers where the names were compared row by row.

    Each cell is computed once where it comes from: the actor's six cells once per actor and the item's
    four once per item, shaped and guarded there (they were guarded again on every row: 9 of 17 guards
    per row); per row only the status's own cells, the reporter's code, and the guard on the cells whose
    text comes from users (value, reporter, links) or is not constrained in the database (perspective).
    The status is one of ``Status``'s codes (a check constraint) or NO_INFORMATION, the dates are dates:
    none can start a formula. ``tests/test_copy_export.py`` compares the cells with the Python path's on
    hostile values and checks the plan's top node.
    """
    countries, country_items, organizations, organization_items = _universe(scope.filterset, None)
    params = []

    def sub(queryset) -> str:
        sql, sql_params = _sql(queryset.values("pk").order_by())
        params.extend(sql_params)
        return sql

    actors, items, statuses = Actor._meta.db_table, Recommendation._meta.db_table, CurrentStatus._meta.db_table
    # _EXPORT_SELECT's cells, computed and guarded where they come from (the guard names its cell twice,
    # so each is computed in an inner SELECT and guarded over it): the actor's six, the item's three and the unit.
    actor_cells = ", ".join(f"{cell} AS c{n}" for n, cell in enumerate(_EXPORT_PLACE[:6]))
    item_cells = ", ".join(f"{cell} AS c{n}" for n, cell in enumerate(_EXPORT_PLACE[6:9], start=6))
    guarded_items = ", ".join(f"{_guarded_sql(f'i.c{n}')} AS c{n}" for n in range(6, 9))
    guarded_actors = ", ".join(f"{_guarded_sql(f'x.c{n}')} AS c{n}" for n in range(6))
    item_sql = (
        f"SELECT i.id, i.rank, {guarded_items}, "  # noqa: S608  # nosec B608 - fixed columns, ORM-compiled subqueries
        f"{_guarded_sql('i.unit')} AS unit, i.for_countries, i.for_organizations FROM ("
        f"SELECT r.id, ROW_NUMBER() OVER (ORDER BY r.position, r.id) AS rank, {item_cells}, {_UNIT_SQL} AS unit, "
        f"r.id IN ({sub(country_items)}) AS for_countries, "
        f"r.id IN ({sub(organization_items)}) AS for_organizations FROM {items} r) i"
    )
    actor_sql = (
        f"SELECT x.id, x.kind, x.rank, {guarded_actors}, "  # noqa: S608  # nosec B608 - fixed columns, ORM-compiled subqueries
        f"x.unreported_too FROM (SELECT a.id, a.kind, ROW_NUMBER() OVER (ORDER BY {ACTOR_ORDERS['actor']}) AS rank, "
        f"{actor_cells}, (a.id IN ({sub(countries)}) OR a.id IN ({sub(organizations)})) AS unreported_too "
        f"FROM {actors} a LEFT JOIN {actors} b ON b.id = a.base_country_id) x ORDER BY x.rank OFFSET 0"
    )
    # Each actor's items with its current statuses: a LATERAL (it reads the actor) fenced with OFFSET 0, so
    # the actors stay the outer loop and each actor's statuses are one range of the actor_id index joined
    # with the items in memory (an index probe per pair read 7× the buffers: 1.8M against 0.24M at 1M).
    actor_items = (
        "SELECT i.rank, i.c6, i.c7, i.c8, i.unit, "  # noqa: S608  # nosec B608 - an enum constant, a table name
        f"COALESCE(cs.status, '{NO_INFORMATION}') AS status, CAST(cs.as_of AS TEXT) AS as_of, cs.as_of_precision, "
        "CAST(cs.value AS TEXT) AS value, cs.reported_by_organization_id AS reporter_id, cs.evidence_urls, "
        "CAST(cs.verified_at AS TEXT) AS verified, cs.perspective "
        f"FROM items i LEFT JOIN {statuses} cs ON cs.recommendation_id = i.id AND cs.actor_id = a.id "
        f"WHERE cs.status IS NOT NULL OR (a.unreported_too AND CASE a.kind WHEN '{ActorKind.COUNTRY}' "
        "THEN i.for_countries ELSE i.for_organizations END) OFFSET 0"
    )
    # The reporter's code is read through a memoized probe of the actors (one per reporter); the shaped
    # value and links are computed twice in their guard (few values; a link is one ->> 0): computing them
    # in the LATERAL instead put a subquery's cost into it and the planner hashed every actor per actor.
    cells = ", ".join(
        [
            *(f"a.c{n}" for n in range(6)),
            *(f"r.c{n}" for n in range(6, 9)),
            "r.status",
            _as_of_sql("r.as_of", "r.as_of_precision"),
            _guarded_sql(_value_sql("r.value")),
            "r.unit",
            _guarded_sql("o.code"),
            _guarded_sql(_links_sql("r.evidence_urls")),
            _verified_sql("r.verified"),
            _guarded_sql("r.perspective"),
        ]
    )
    sql = (
        f"WITH items AS MATERIALIZED ({item_sql}) SELECT {cells} FROM ({actor_sql}) a "  # noqa: S608  # nosec B608 - fixed columns over the SQL above
        f"CROSS JOIN LATERAL ({actor_items}) r LEFT JOIN {actors} o ON o.id = r.reporter_id "
        "ORDER BY a.rank, r.rank"
    )
    return sql, params


def whole_export_rows_sql(scope: Scope, *, after: tuple | None = None, as_json: bool = False) -> tuple[str, list]:
    """PostgreSQL, for the API's pages: the rows of the whole export (every pair today, default order) as one
    statement whose first rows leave at once: the rows of ``export_rows_sql`` for that scope, without its sort
    of every row. The CSV reads the same pairs in the same order through ``whole_export_copy_sql`` (its cells
    shaped and guarded for a spreadsheet); ``tests/test_api_read.py`` compares the two page by page.

    Every actor (sorted by name, id: a few thousand rows) × every item (by position, id), each actor's pairs
    read with its current statuses: a status found is a reported row; none, a "No information" row if the
    pair is in the universe (``scope._universe``'s querysets), else no row. The items are a LATERAL over the
    actor, so the actors are the outer loop, read from their sorted subquery, and the ``ORDER BY`` is an
    incremental sort of each actor's rows only (its presorted key is the actors' order): a full sort waits
    for the last row before the first leaves (the external merge of 103 MB behind the 1.3–5 s first row at
    1M updates). ``tests/test_copy_export.py`` compares the rows with the sorted statement's and checks
    the plan's top node.

    For the API's pages (``pages.status_page_json``): ``after``, a keyset position (actor name, actor id,
    item position, item id), keeps the rows after it only; ``as_json`` gives each row as its JSON object
    (``json_row_sql``) followed by its keyset instead of the export's 18 columns.
    """
    countries, country_items, organizations, organization_items = _universe(scope.filterset, None)
    params = []

    def sub(queryset) -> str:
        sql, sql_params = _sql(queryset.values("pk").order_by())
        params.extend(sql_params)
        return sql

    actors, items, statuses = Actor._meta.db_table, Recommendation._meta.db_table, CurrentStatus._meta.db_table
    # _EXPORT_SELECT's columns, computed where they come from: the actor's six, the item's three (and the unit).
    actor_cells = ", ".join(f"{cell} AS c{n}" for n, cell in enumerate(_EXPORT_PLACE[:6]))
    item_cells = ", ".join(f"{cell} AS c{n}" for n, cell in enumerate(_EXPORT_PLACE[6:9], start=6))
    # As JSON, an item's members are written once per item (a hundred), not once per row.
    item_json = f", {_json_members(EXPORT_COLUMNS[6:9], ['c6', 'c7', 'c8'], first=False)} AS item_json, " + (
        _json_members(["unit"], ["unit"], first=False) + " AS unit_json"
    )
    item_sql = (
        f"SELECT r.id, r.position, {item_cells}, {_UNIT_SQL} AS unit, r.id IN ({sub(country_items)}) AS for_countries, "  # noqa: S608  # nosec B608 - fixed columns, ORM-compiled subqueries
        f"r.id IN ({sub(organization_items)}) AS for_organizations FROM {items} r ORDER BY r.position, r.id"
    )
    if as_json:  # over the columns above: a subquery, so that the members read the cells by name
        item_sql = f"SELECT q.*{item_json} FROM ({item_sql}) q ORDER BY q.position, q.id"  # noqa: S608  # nosec B608 - the SQL above
    # Whether the actor's "No information" pairs are in the universe. For the whole export, a hash of the
    # actors in it, built once; for a page, which reads a hundred actors or so, asked of each actor read (in
    # its LATERAL below; each EXISTS fenced with OFFSET 0, else the planner makes it that hash again, whose
    # every organization's probe of the current statuses was most of a page's fixed cost).
    in_universe = "a.id IN ({}) OR a.id IN ({})"
    if as_json:
        in_universe = " OR ".join(["EXISTS (SELECT 1 FROM ({}) u WHERE u.pk = a.id OFFSET 0)"] * 2)
    actor_sql = (
        f"SELECT a.id, a.name, a.kind, {actor_cells}"  # noqa: S608  # nosec B608 - fixed columns, ORM-compiled subqueries
        + ("" if as_json else f", ({in_universe.format(sub(countries), sub(organizations))}) AS unreported_too")
        + f" FROM {actors} a LEFT JOIN {actors} b ON b.id = a.base_country_id "
    )
    cut = ""
    if after is not None:
        name, actor_id, position, item_id = after[:4]
        # The actor of the position and those after it; of its own rows, those after the position's item.
        actor_sql += "WHERE (a.name, a.id) >= (%s, %s) "
        cut = "AND (a.id <> %s OR (r.position, r.id) > (%s, %s)) "
        params.append(name)
        params.append(actor_id)
    actor_sql += "ORDER BY a.name, a.id OFFSET 0"
    # Each actor's items with its current statuses: a LATERAL (it reads the actor) fenced with OFFSET 0, so
    # the actors stay the outer loop and each actor's statuses are one range of the actor_id index joined
    # with the items in memory (an index probe per pair read 7× the buffers: 1.8M against 0.24M at 1M).
    actor_items = (
        f"SELECT i.id, i.position, i.c6, i.c7, i.c8, i.unit{', i.item_json, i.unit_json' if as_json else ''}, "  # noqa: S608  # nosec B608 - an enum constant, a table name
        f"{'h' if as_json else 'a'}.unreported_too AND CASE a.kind WHEN '{ActorKind.COUNTRY}' THEN i.for_countries "
        "ELSE i.for_organizations END AS unreported, cs.status, CAST(cs.as_of AS TEXT) AS as_of_text, "
        "cs.as_of_precision, CAST(cs.value AS TEXT) AS value_text, cs.reported_by_organization_id AS reporter_id, "
        "CAST(cs.evidence_urls AS TEXT) AS evidence_text, CAST(cs.verified_at AS TEXT) AS verified_text, "
        f"cs.perspective FROM items i LEFT JOIN {statuses} cs ON cs.recommendation_id = i.id AND cs.actor_id = a.id "
        "OFFSET 0"
    )
    cells = [
        *(f"a.c{n}" for n in range(6)),
        *(f"r.c{n}" for n in range(6, 9)),
        f"COALESCE(r.status, '{NO_INFORMATION}')",
        "r.as_of_text, r.as_of_precision, r.value_text, r.unit, COALESCE(o.code, ''), r.evidence_text, "
        "r.verified_text, COALESCE(r.perspective, '')",
    ]
    joined = f"({actor_sql}) a CROSS JOIN LATERAL ({actor_items}) r"
    if as_json:
        cells = [f"{json_row_sql('h.actor_json', 'r', 'o')}, a.name, a.id, r.position, r.id"]
        # An actor's members, written once per actor read (a LATERAL fenced with OFFSET 0), not once per row.
        actor_json = _json_members(EXPORT_COLUMNS[:6], [f"a.c{n}" for n in range(6)], first=True)
        unreported_too = in_universe.format(sub(countries), sub(organizations))
        joined = (
            f"({actor_sql}) a CROSS JOIN LATERAL (SELECT {actor_json} AS actor_json, ({unreported_too}) AS "
            f"unreported_too OFFSET 0) h CROSS JOIN LATERAL ({actor_items}) r"
        )
    if after is not None:
        params += [after[1], after[2], after[3]]
    sql = (
        f"WITH items AS MATERIALIZED ({item_sql}) SELECT {', '.join(cells)} FROM {joined} "  # noqa: S608  # nosec B608 - fixed columns over the SQL above
        f"LEFT JOIN {actors} o ON o.id = r.reporter_id "
        f"WHERE (r.status IS NOT NULL OR r.unreported) {cut}ORDER BY {TABLE_SORTS['actor']}, r.id"
    )
    return sql, params


def _json_members(names, cells, *, first: bool) -> str:
    """SQL writing ``"name":value`` for each name and cell (text, never NULL), comma-separated, as JSONRenderer
    writes them (compact), after "{" if ``first``, else after a comma."""
    parts = []
    for n, (name, cell) in enumerate(zip(names, cells, strict=True)):
        opening = "{" if first and n == 0 else ","
        parts += [f"'{opening}{json.dumps(name)}:'", _json_string(cell)]
    return f"CONCAT({', '.join(parts)})"


def _json_string(cell: str) -> str:
    """SQL: the text ``cell`` as a JSON string, as JSONRenderer writes it: ``to_json``'s escaping (the encoder's:
    quote, backslash, \\b \\f \\n \\r \\t, other control characters as \\u00XX), and U+2028 and U+2029
    escaped too, which JSONRenderer escapes for JavaScript parsers."""
    escaped = f"CAST(TO_JSON(CAST({cell} AS TEXT)) AS TEXT)"
    return f"REPLACE(REPLACE({escaped}, U&'\\2028', '\\u2028'), U&'\\2029', '\\u2029')"


def json_row_sql(actor_json: str, pair: str, reporter: str) -> str:
    """PostgreSQL: one export row as its JSON object, as ``api.renderers`` writes it from the row's values: the
    actor's members (``actor_json``), the item's (from the items' ``item_json`` and ``unit_json``), then the
    pair's, shaped as COPY shapes them. The status, dates and value are written without escaping: a status is
    one of its scale's words (a database check), the others are dates and a number."""
    p, blank = pair, "''"
    members = [
        f"{p}.item_json",
        f"',\"status\":\"', COALESCE({p}.status, '{NO_INFORMATION}')",
        f"'\",\"as_of\":\"', COALESCE({_as_of_sql(f'{p}.as_of_text', f'{p}.as_of_precision')}, '')",
        f"'\",\"value\":\"', COALESCE({_value_sql(f'{p}.value_text')}, ''), '\"'",
        f"{p}.unit_json",
        f"',\"reported_by_organization\":', {_json_string(f'COALESCE({reporter}.code, {blank})')}",
        f"',\"evidence_urls\":', {_json_string(_links_text_sql(f'{p}.evidence_text'))}",
        f'\',"verified_at":"\', {_verified_text_sql(f"{p}.verified_text")}',
        f"'\",\"perspective\":', {_json_string(f'COALESCE({p}.perspective, {blank})')}, '}}'",
    ]
    return f"CONCAT({actor_json}, {', '.join(members)})"


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
