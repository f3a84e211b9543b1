"""The interval tree of 0014 on the per-perspective intervals, for "the perspectives disagree on this date".

A snapshot's disagreement count (``reports.scope.disagreement_sql``) probed, for each pair, every interval of
its perspectives that began by the date: a share of the whole history, growing with its depth (690 of 870 ms of
the all-items ``?on=`` page at 10M benchmark updates). It now reads the per-perspective intervals holding on
the date through two btree range scans over their fork, as 0014 does for the consolidated ones.

Unlike 0014, the fork and the open end are *index expressions*, not generated columns: adding a stored
generated column rewrites the table (3 GB, 8M rows at 10M updates), an expression index only reads it. The
query repeats the expressions word for word (``reports.scope.PERSPECTIVE_FORK_SQL``), as the planner matches
an index expression only to the same expression. The model does not declare them: SQLite keeps the definition.
"""

from django.db import migrations

FORK = "interval_fork(valid_from - DATE '1899-12-31', COALESCE(valid_to, DATE '9999-12-31') - DATE '1899-12-31' - 1)"
INDEXES = [
    f"CREATE INDEX perspective_fork_from ON recommendations_perspectiveinterval (({FORK}), valid_from) "
    "INCLUDE (valid_to, status, actor_id, recommendation_id)",
    f"CREATE INDEX perspective_fork_until ON recommendations_perspectiveinterval "
    f"(({FORK}), (COALESCE(valid_to, DATE '9999-12-31'))) INCLUDE (valid_from, valid_to, status, actor_id, recommendation_id)",
]
UNDO = ["DROP INDEX IF EXISTS perspective_fork_from", "DROP INDEX IF EXISTS perspective_fork_until"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in INDEXES:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in UNDO:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0024_recent_updates_tie_indexes"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
