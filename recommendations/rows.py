"""Rows read by statements built once from the models' own tables and columns, for the two reads every logged
update makes before it writes: the person (``roles.load_person``) and the item (``item_to_write``).

On PostgreSQL both run as the connection's prepared statements (``execute_built``): planning the person's
statement (seven tables, two subqueries) cost the database 0.6 ms of CPU on every request, more than running
it; a prepared statement is planned once per connection (issue 21, fourth pass).

The ORM compiles a SELECT afresh on every call: for the item (a wide row with its translations, joined to its
source document) that was a fifth of a post's Python (issue 21). These statements are built once per
database; each row is turned into model instances with the conversions the ORM applies to what the driver
returns (``reader``), so an instance read here equals the ORM's (``tests/test_write_queries.py`` compares them
field by field). Only unique keys are looked up here: no rule of which row is meant lives in this module.

``read_once`` does the same for a statement the ORM writes (the actor a post names: ``ActorQuerySet.named``,
the rule written once with the ORM): compiled once per database and language instead of on every post, then
run as above. The session is read the same way (``tracker/sessions.py``).
"""

import functools
import hashlib
import itertools

from django.db import connection, connections
from django.utils import translation

from .models import Recommendation, SourceDocument


@functools.cache
def reader(model, alias, names: tuple[str, ...] | None = None):
    """Turn one row's slice of ``model``'s concrete columns (or of those whose attribute names are ``names``,
    in the model's order; the others deferred) into an instance, with the conversions the ORM applies to what
    the driver returns (SQLite's dates and booleans, a JSON field's text, decimals).

    Built once per model, columns and database: which conversions a column needs depends only on its field
    and the backend. The backend's converters are bound to the connection that built them, but read nothing
    of it that differs between one database's connections (its time zone comes from the settings); the
    connection in use is the one passed to them. Returns the reader and the number of columns it takes."""
    fields = [f for f in model._meta.concrete_fields if names is None or f.attname in names]
    converters = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        functions = connections[alias].ops.get_db_converters(column) + field.get_db_converters(connections[alias])
        converters.append((column, tuple(functions)))
    attnames = [field.attname for field in fields]

    def read(values):
        converted = []
        for value, (column, functions) in zip(values, converters, strict=True):
            for function in functions:
                value = function(value, column, connection)
            converted.append(value)
        return model.from_db(connection.alias, attnames, converted)

    return read, len(fields)


_names = itertools.count(1)


def execute_built(cursor, key: str, sql: str, params: list) -> None:
    """Run ``sql`` (a statement built once by this module or ``roles``, with ``%s`` placeholders) on ``cursor``.

    On PostgreSQL as a prepared statement of the connection: the first time on a connection, ``PREPARE`` and
    ``EXECUTE`` in one round trip, then ``EXECUTE`` alone, so the database plans it once per connection instead
    of once per request (plans of a prepared statement follow schema changes: PostgreSQL replans it when a
    table it reads changes). Prepared statements belong to the database session and outlive a rolled-back
    transaction; a new connection (Django reconnecting, a PostgreSQL restart) is prepared afresh, being a new
    driver connection. If the first round trip fails, whether the statement got prepared is unknown: the next
    try prepares it under a new name. Needs a session per connection (not a pooler in transaction mode).
    Elsewhere (SQLite) the statement runs as it is."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    # Kept on this thread's own DatabaseWrapper: ``connection`` is a proxy shared by every thread of the server.
    wrapper = connections[connection.alias]
    raw = wrapper.connection
    prepared = wrapper.__dict__.setdefault("_tracker_prepared", {})
    known = prepared.get(key)
    if known is not None and known[0] is raw:
        cursor.execute(known[1], params)
        return
    name = f"tracker_{key}_{next(_names)}"
    numbered, count = _numbered(sql)
    execute = f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"
    cursor.execute(f"PREPARE {name} AS {numbered};\n{execute}", params)
    prepared[key] = (raw, execute)


@functools.cache
def _numbered(sql: str) -> tuple[str, int]:
    """``%s`` placeholders as PostgreSQL's ``$1``, ``$2``…, and how many (a literal percent sign would be ``%%``:
    none of these statements has one)."""
    parts = sql.split("%s")
    if any("%" in part for part in parts):
        raise ValueError("a prepared statement of rows takes %s placeholders only")
    return "".join(f"{part}${number}" for number, part in enumerate(parts[:-1], start=1)) + parts[-1], len(parts) - 1


# What the post of an update reads of its item, beyond its id: the form (the status list; a quantitative
# item's unit and thresholds in its help), the rules (``services.validate_progress``: the kind, a measured
# value's bounds and thresholds, the source document's date) and the write, its message and its audit line.
# The page shown again after a refusal reads the whole item. ``tests/test_write_queries.py`` posts to items of
# every kind with the query count pinned, so a column a rule or message needs and this list lacks shows there
# as one more query (Django reads a deferred column when it is first used).
ITEM_TO_WRITE = (
    "id",
    "code",
    "kind",
    "document_id",
    "lower_is_better",
    "baseline",
    "target",
    "ceiling",
    "value_min",
    "value_max",
)
ITEM_TO_WRITE_TRANSLATED = ("unit", "thresholds_source")  # in every language (the reader's, else English)


@functools.cache
def _item_names() -> tuple[str, ...]:
    translated = {
        f.attname
        for f in Recommendation._meta.concrete_fields
        if any(f.attname == name or f.attname.startswith(f"{name}_") for name in ITEM_TO_WRITE_TRANSLATED)
    }
    return tuple(f.attname for f in Recommendation._meta.concrete_fields if f.attname in {*ITEM_TO_WRITE, *translated})


@functools.cache
def _item_sql(vendor: str) -> str:
    """The item by its unique code with its source document's id and date (no input of anyone's: the code is a
    parameter)."""
    q = connection.ops.quote_name
    item_fields = [f for f in Recommendation._meta.concrete_fields if f.attname in _item_names()]
    item_columns = ", ".join(f"i.{q(f.column)}" for f in item_fields)
    document_columns = ", ".join(f"d.{q(SourceDocument._meta.get_field(name).column)}" for name in ("id", "date"))
    document = Recommendation._meta.get_field("document")
    return f"""
        SELECT {item_columns}, {document_columns}
        FROM {q(Recommendation._meta.db_table)} i
        JOIN {q(SourceDocument._meta.db_table)} d ON d.{q(document.target_field.column)} = i.{q(document.column)}
        WHERE i.{q(Recommendation._meta.get_field("code").column)} = %s
    """  # noqa: S608  # nosec B608


def item_to_write(code: str) -> Recommendation | None:
    """The item with this code (exactly), with the columns the post of an update needs (``ITEM_TO_WRITE``, the
    others deferred) and its source document's date, as ``select_related("document")`` would hold it; None if
    there is none."""
    with connection.cursor() as cursor:
        execute_built(cursor, "item_to_write", _item_sql(connection.vendor), [code])
        row = cursor.fetchone()
    if row is None:
        return None
    read_item, width = reader(Recommendation, connection.alias, _item_names())
    read_document, _width = reader(SourceDocument, connection.alias, ("id", "date"))
    item = read_item(row[:width])
    Recommendation._meta.get_field("document").set_cached_value(item, read_document(row[width:]))
    return item


# Two texts a lookup's value could be: the statement is reused only if the ORM passes both to the database as
# they are, in the same places of the same SQL (PostgreSQL's iexact does; SQLite's escapes LIKE's wildcards).
_PROBES = ("\u2063tracker-probe\u2063", "A%_\\b'\u00e9")


@functools.cache
def _compiled(build, alias: str, language: str | None):
    """``build``'s statement as the ORM compiles it, with where the text goes, and how to read its rows: (sql,
    params with None for the text, model, column names); None if the ORM's statement cannot be reused for
    another text as it is (then ``read_once`` lets the ORM run it). Per language: a translated field's lookups
    name the active language's column."""
    compiled = []
    for probe in _PROBES:
        compiler = build(probe).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        compiled.append((sql, list(params), compiler))
    (sql, params, compiler), (other_sql, other_params, _compiler) = compiled
    template = [None if param == _PROBES[0] else param for param in params]
    if sql != other_sql or None not in template or [_PROBES[1] if p is None else p for p in template] != other_params:
        return None
    info = compiler.klass_info or {}
    model = info.get("model")
    if model is None or info.get("related_klass_infos") or compiler.annotation_col_map:
        return None
    names = tuple(column.target.attname for column, _sql, _alias in compiler.select)
    if names != tuple(f.attname for f in model._meta.concrete_fields if f.attname in names):
        return None
    if connections[alias].vendor == "postgresql":
        try:
            _numbered(sql)
        except ValueError:  # a literal percent sign: not as a prepared statement
            return None
    # The prepared statement's name: one per statement (another language's may differ).
    key = f"{build.__name__.strip('_')}_{hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:8]}"
    return sql, template, model, names, key


def read_once(build, text: str) -> list:
    """``list(build(text))``, ``build`` being a function of a text that returns a queryset (its rule written once,
    with the ORM), without compiling it on every call: its statement is compiled once per database (``_compiled``)
    and run with this text (``execute_built``: on PostgreSQL a prepared statement), its rows read into instances
    with the ORM's conversions (``reader``), the other columns deferred as the queryset's ``only()`` defers them.
    Where the compiled statement cannot be reused as it is (SQLite's case-insensitive match escapes the text),
    the ORM runs it. ``tests/test_write_queries.py`` compares both for codes, names and hostile texts."""
    compiled = _compiled(build, connection.alias, translation.get_language())
    if compiled is None:
        return list(build(text))
    sql, template, model, names, key = compiled
    with connection.cursor() as cursor:
        execute_built(cursor, key, sql, [text if p is None else p for p in template])
        rows = cursor.fetchall()
    read, _width = reader(model, connection.alias, names)
    return [read(row) for row in rows]
