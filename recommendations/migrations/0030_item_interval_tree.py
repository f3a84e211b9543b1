"""The interval tree of 0014 keyed by item first, for one item's (or a few items') snapshot on a date.

0014's two indexes lead with the fork, so the intervals of one item holding on a date were found among every
pair's: the scans read all 192,000 held on 2015-12-31 (1M benchmark updates) and kept the item's 3,728 — for the
one-item ``?on=`` rows and the chart's point on the date. These two lead with ``recommendation_id``: for each
named item, the same two range scans (forks on the path to the date at or after it with ``valid_from <= D``,
before it with ``valid_until > D``) read only that item's held intervals. The query stays the one of
``reports.scope._held_on_sql``; the planner takes these when it names items (``recommendation_id = x`` or
``IN (...)``), 0014's otherwise.
"""

from django.db import migrations

INDEXES = [
    "CREATE INDEX interval_item_fork_from ON recommendations_statusinterval "
    "(recommendation_id, span_fork, valid_from) INCLUDE (valid_until, status, actor_kind, actor_id)",
    "CREATE INDEX interval_item_fork_until ON recommendations_statusinterval "
    "(recommendation_id, span_fork, valid_until) INCLUDE (valid_from, status, actor_kind, actor_id)",
]
UNDO = ["DROP INDEX IF EXISTS interval_item_fork_from", "DROP INDEX IF EXISTS interval_item_fork_until"]


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
        ("recommendations", "0029_perspective_several_marker"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
