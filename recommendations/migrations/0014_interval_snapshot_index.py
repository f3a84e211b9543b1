"""Snapshots on a date read only the intervals that hold on it, however deep the history (PostgreSQL).

A relational interval tree (Kriegel, Pötke, Seidl, VLDB 2000) over day numbers: each interval gets its
*fork*, the one day in it with the most trailing zero bits (a node of a virtual binary tree over days);
every interval holding on a day D has its fork on the path from the tree's root to D (22 nodes), and is
found by one of two btree range scans: forks on the path at or after D with ``valid_from <= D``, forks
before D with ``valid_until > D``. Each scan returns only intervals that hold, so a snapshot reads one
index entry per pair plus 22 descents, where the GiST index of 0012 read a share of every interval of
the history (and their table rows). Both indexes carry the columns the counting pages read, so those
never touch the table. ``reports.scope._held_on_sql`` writes the query; ``interval_tree_path`` gives the path.

The fork and the open end are generated columns computed by PostgreSQL itself, so every way of writing
intervals (the service, bulk rebuilds, raw SQL) keeps them; the model does not declare them (SQLite
answers snapshots with ``StatusInterval.objects.on``, the definition the tests compare this with).
"""

from django.db import migrations

FORK = """
CREATE OR REPLACE FUNCTION interval_fork(lo integer, hi integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE
    WHEN lo = hi THEN lo
    WHEN lo & ((2 << (LENGTH(LTRIM(CAST(CAST(lo # hi AS bit(32)) AS text), '0')) - 1)) - 1) = 0 THEN lo
    ELSE (hi >> (LENGTH(LTRIM(CAST(CAST(lo # hi AS bit(32)) AS text), '0')) - 1))
      << (LENGTH(LTRIM(CAST(CAST(lo # hi AS bit(32)) AS text), '0')) - 1)
  END
$$
"""
# Day numbers count from 1899-12-31 (day 1 is 1900-01-01); an open interval ends on 9999-12-31 (excluded).
COLUMNS = """
ALTER TABLE recommendations_statusinterval
  ADD COLUMN valid_until date GENERATED ALWAYS AS (COALESCE(valid_to, DATE '9999-12-31')) STORED,
  ADD COLUMN span_fork integer GENERATED ALWAYS AS (interval_fork(
    valid_from - DATE '1899-12-31', COALESCE(valid_to, DATE '9999-12-31') - DATE '1899-12-31' - 1)) STORED
"""
INDEXES = [
    "CREATE INDEX interval_fork_from ON recommendations_statusinterval (span_fork, valid_from) "
    "INCLUDE (valid_until, status, actor_kind, actor_id, recommendation_id)",
    "CREATE INDEX interval_fork_until ON recommendations_statusinterval (span_fork, valid_until) "
    "INCLUDE (valid_from, status, actor_kind, actor_id, recommendation_id)",
    "DROP INDEX IF EXISTS interval_span_gist",  # 0012's; nothing reads through it any more
]
UNDO = [
    "DROP INDEX IF EXISTS interval_fork_from",
    "DROP INDEX IF EXISTS interval_fork_until",
    "ALTER TABLE recommendations_statusinterval DROP COLUMN IF EXISTS span_fork, DROP COLUMN IF EXISTS valid_until",
    "DROP FUNCTION IF EXISTS interval_fork(integer, integer)",
    "CREATE INDEX IF NOT EXISTS interval_span_gist ON recommendations_statusinterval "
    "USING gist (daterange(valid_from, valid_to, '[)'))",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in [FORK, COLUMNS, *INDEXES]:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in UNDO:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0013_audit_api_tokens"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
