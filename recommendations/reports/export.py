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
    """Every pair today, consolidated, unfiltered: what ``_whole_export_sql`` reads."""
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
    its sort of every row (``_whole_export_sql``), each cell shaped and guarded where it comes from.

    The actor's six cells are guarded once per actor and the item's four once per item (they were guarded
    again on every row: 9 of 17 guards per row); per row only the status's own cells, the reporter's code,
    and the guard on the cells whose text comes from users (value, reporter, links) or is not constrained in
    the database (perspective). The status is one of ``Status``'s codes (a check constraint) or
    NO_INFORMATION, the dates are dates: none can start a formula. ``tests/test_copy_export.py`` compares the
    cells with the Python path's on hostile values and checks the plan's top node.
    """
    # The shaped value and links are computed twice in their guard (few values; a link is one ->> 0):
    # computing them in the LATERAL instead put a subquery's cost into it and the planner hashed every
    # actor per actor.
    row = [
        *(f"h.c{n}" for n in range(6)),
        *(f"r.c{n}" for n in range(6, 9)),
        f"COALESCE(r.status, '{NO_INFORMATION}')",
        _as_of_sql("r.as_of_text", "r.as_of_precision"),
        _guarded_sql(_value_sql("r.value_text")),
        "r.unit",
        _guarded_sql("o.code"),
        _guarded_sql(_links_sql("r.evidence_urls")),
        _verified_sql("r.verified_text"),
        _guarded_sql("r.perspective"),
    ]
    return _whole_export_sql(
        scope,
        actor={f"c{n}": _guarded_sql(f"a.c{n}") for n in range(6)},
        item={**{f"c{n}": _guarded_sql(f"i.c{n}") for n in range(6, 9)}, "unit": _guarded_sql("i.unit")},
        row=row,
        page=False,
    )


def whole_export_json_sql(scope: Scope, *, after: tuple | None = None) -> tuple[str, list]:
    """PostgreSQL, for the API's pages (``pages.status_page_json``): the rows of the whole export (every pair
    today, default order), each as its JSON object (``json_row_sql``) followed by its keyset (actor name,
    actor id, item position, item id): the pairs and order of ``whole_export_copy_sql`` (``_whole_export_sql``
    builds both), from ``after`` (a keyset position) on. ``tests/test_api_read.py`` compares the pages with
    the CSV and with the renderer's own bytes.
    """
    # The actor's members once per actor read and the item's once per item (a hundred), not once per row.
    return _whole_export_sql(
        scope,
        actor={"actor_json": _json_members(EXPORT_COLUMNS[:6], [f"a.c{n}" for n in range(6)], first=True)},
        item={
            "item_json": _json_members(EXPORT_COLUMNS[6:9], [f"i.c{n}" for n in range(6, 9)], first=False),
            "unit_json": _json_members(["unit"], ["i.unit"], first=False),
        },
        row=[json_row_sql("h.actor_json", "r", "o"), "a.name", "a.id", "r.position", "r.id"],
        page=True,
        after=after,
    )


def _whole_export_sql(
    scope: Scope, *, actor: dict, item: dict, row: list, page: bool, after: tuple | None = None
) -> tuple[str, list]:
    """PostgreSQL: every pair today, unfiltered, in the export's order, as one statement whose first rows leave
    at once (the rows of ``export_rows_sql`` for that scope, without its sort of every row); its cells are
    the caller's, at three levels, each computed once where it comes from:

    - ``actor``: name -> SQL over the actor's ``_EXPORT_PLACE`` cells ``a.c0``…``a.c5`` (and ``a.id``,
      ``a.name``, ``a.kind``), computed once per actor read, as ``h.<name>``;
    - ``item``: name -> SQL over the item's cells ``i.c6``…``i.c8`` and ``i.unit``, computed once per item
      (a materialized CTE), as ``r.<name>``;
    - ``row``: the statement's cells, over ``a``, ``h``, ``r`` (the item's ``id``, ``position``, ``rank``,
      and the pair's ``status`` (NULL for "No information"), ``as_of_text``, ``as_of_precision``,
      ``value_text``, ``evidence_urls`` (JSON) or ``evidence_text``, ``verified_text``, ``perspective``)
      and ``o`` (the reporter).

    Every actor (by name, id: a few thousand rows) × every item (by position, id), each actor's pairs read
    with its current statuses: a status found is a reported row; none, a "No information" row if the pair
    is in the universe (``scope._universe``'s querysets), else no row. The items are a LATERAL over the
    actor, so the actors are the outer loop, read from their sorted subquery, and the ``ORDER BY`` is an
    incremental sort of each actor's rows only (its presorted key is the actors' order): a full sort waits
    for the last row before the first leaves (the external merge of 103 MB behind the 1.3–5 s first row at
    1M updates).

    ``page`` (the API's pages, read with a LIMIT) changes what a whole read and a page cost differently:
    - the order: the whole export sorts by the actors' and items' ranks (integers, where the names were
      compared row by row); a page by (name, id, position, id), the keyset ``after`` compares;
    - the universe: the whole export hashes the actors in it once; a page, which reads a hundred actors or
      so, asks of each actor read (each EXISTS fenced with OFFSET 0, else the planner makes it that hash
      again, whose every organization's probe of the current statuses was most of a page's fixed cost);
    - ``after`` (a keyset position: actor name, actor id, item position, item id) keeps the rows after it.
    """
    countries, country_items, organizations, organization_items = _universe(scope.filterset, None)
    params = []

    def sub(queryset) -> str:
        sql, sql_params = _sql(queryset.values("pk").order_by())
        params.extend(sql_params)
        return sql

    actors, items, statuses = Actor._meta.db_table, Recommendation._meta.db_table, CurrentStatus._meta.db_table
    # _EXPORT_SELECT's cells where they come from: the item's three and the unit, the actor's six.
    raw_item = ", ".join(f"{cell} AS c{n}" for n, cell in enumerate(_EXPORT_PLACE[6:9], start=6))
    item_cells = ", ".join(f"{sql} AS {name}" for name, sql in item.items())
    item_sql = (
        f"SELECT i.id, i.position, i.rank, {item_cells}, i.for_countries, i.for_organizations FROM ("  # noqa: S608  # nosec B608 - fixed columns, ORM-compiled subqueries
        f"SELECT r.id, r.position, ROW_NUMBER() OVER (ORDER BY r.position, r.id) AS rank, {raw_item}, "
        f"{_UNIT_SQL} AS unit, r.id IN ({sub(country_items)}) AS for_countries, "
        f"r.id IN ({sub(organization_items)}) AS for_organizations FROM {items} r) i"
    )
    raw_actor = ", ".join(f"{cell} AS c{n}" for n, cell in enumerate(_EXPORT_PLACE[:6]))
    in_universe = "a.id IN ({}) OR a.id IN ({})"
    if page:
        in_universe = " OR ".join(["EXISTS (SELECT 1 FROM ({}) u WHERE u.pk = a.id OFFSET 0)"] * 2)
        actor_sql = (
            f"SELECT a.id, a.name, a.kind, {raw_actor} FROM {actors} a "  # noqa: S608  # nosec B608 - fixed columns, a table name
            f"LEFT JOIN {actors} b ON b.id = a.base_country_id "
        )
        if after is not None:
            actor_sql += "WHERE (a.name, a.id) >= (%s, %s) "  # the position's actor and those after it
            params.extend(after[:2])
        actor_sql += "ORDER BY a.name, a.id OFFSET 0"
        order = f"{TABLE_SORTS['actor']}, r.id"
    else:
        actor_sql = (
            f"SELECT x.* FROM (SELECT a.id, a.name, a.kind, ROW_NUMBER() OVER (ORDER BY {ACTOR_ORDERS['actor']}) "  # noqa: S608  # nosec B608 - fixed columns, ORM-compiled subqueries
            f"AS rank, {raw_actor}, ({in_universe.format(sub(countries), sub(organizations))}) AS unreported_too "
            f"FROM {actors} a LEFT JOIN {actors} b ON b.id = a.base_country_id) x ORDER BY x.rank OFFSET 0"
        )
        order = "a.rank, r.rank"
    # The actor's cells, once per actor read: a LATERAL fenced with OFFSET 0 (in the sorted actors' own
    # SELECT, a page would compute them for every actor it sorts).
    actor_cells = ", ".join(f"{sql} AS {name}" for name, sql in actor.items())
    universe = f"({in_universe.format(sub(countries), sub(organizations))})" if page else "a.unreported_too"
    # Each actor's items with its current statuses: a LATERAL (it reads the actor) fenced with OFFSET 0, so
    # the actors stay the outer loop and each actor's statuses are one range of the actor_id index joined
    # with the items in memory (an index probe per pair read 7× the buffers: 1.8M against 0.24M at 1M).
    cut = ""
    if after is not None:  # of the position's actor, the rows after its item only
        cut = "AND (a.id <> %s OR (i.position, i.id) > (%s, %s)) "
        params.extend(after[1:4])
    actor_items = (
        f"SELECT i.id, i.position, i.rank, {', '.join(f'i.{name}' for name in item)}, "  # noqa: S608  # nosec B608 - an enum constant, a table name
        "cs.status, CAST(cs.as_of AS TEXT) AS as_of_text, cs.as_of_precision, CAST(cs.value AS TEXT) AS value_text, "
        "cs.reported_by_organization_id AS reporter_id, cs.evidence_urls, "
        "CAST(cs.evidence_urls AS TEXT) AS evidence_text, CAST(cs.verified_at AS TEXT) AS verified_text, "
        f"cs.perspective FROM items i LEFT JOIN {statuses} cs ON cs.recommendation_id = i.id AND cs.actor_id = a.id "
        f"WHERE (cs.status IS NOT NULL OR (h.unreported_too AND CASE a.kind WHEN '{ActorKind.COUNTRY}' "
        f"THEN i.for_countries ELSE i.for_organizations END)) {cut}OFFSET 0"
    )
    # The reporter's code is read through a memoized probe of the actors (one per reporter).
    sql = (
        f"WITH items AS MATERIALIZED ({item_sql}) SELECT {', '.join(row)} FROM ({actor_sql}) a "  # noqa: S608  # nosec B608 - fixed columns over the SQL above
        f"CROSS JOIN LATERAL (SELECT {actor_cells}, {universe} AS unreported_too OFFSET 0) h "
        f"CROSS JOIN LATERAL ({actor_items}) r LEFT JOIN {actors} o ON o.id = r.reporter_id ORDER BY {order}"
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
