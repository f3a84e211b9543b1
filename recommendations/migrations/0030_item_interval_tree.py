"""The interval trees of 0014 and 0025 keyed by item first, for one item's (or a few items') snapshot on a date.

Their indexes lead with the fork, so the intervals of one item holding on a date were found among every pair's:
the scans read all 192,000 held on 2015-12-31 (1M benchmark updates) and kept the item's 3,728 — for the one-item
``?on=`` rows, their disagreement test and the chart's point on the date. These lead with ``recommendation_id``:
for each named item, the same two range scans (forks on the path to the date at or after it with
``valid_from <= D``, before it with the end ``> D``) read only that item's held intervals. The queries stay the
ones of ``reports.scope._held_on_sql`` and ``_disagreeing_on_sql``; the planner takes these when the query names
items (``recommendation_id = x``, ``IN (...)`` or ``= ANY(...)``), the fork-first ones otherwise. The
per-perspective ones repeat 0025's expressions word for word (the planner matches only the same expression).
"""

from django.db import migrations

INDEXES = [
    "CREATE INDEX interval_item_fork_from ON recommendations_statusinterval "
    "(recommendation_id, span_fork, valid_from) INCLUDE (valid_until, status, actor_kind, actor_id)",
    "CREATE INDEX interval_item_fork_until ON recommendations_statusinterval "
    "(recommendation_id, span_fork, valid_until) INCLUDE (valid_from, status, actor_kind, actor_id)",
]
FORK = "interval_fork(valid_from - DATE '1899-12-31', COALESCE(valid_to, DATE '9999-12-31') - DATE '1899-12-31' - 1)"
INDEXES += [
    f"CREATE INDEX perspective_item_fork_from ON recommendations_perspectiveinterval "
    f"(recommendation_id, ({FORK}), valid_from) INCLUDE (valid_to, status, actor_id)",
    f"CREATE INDEX perspective_item_fork_until ON recommendations_perspectiveinterval "
    f"(recommendation_id, ({FORK}), (COALESCE(valid_to, DATE '9999-12-31'))) "
    "INCLUDE (valid_from, valid_to, status, actor_id)",
]
UNDO = [
    f"DROP INDEX IF EXISTS {name}"
    for name in (
        "interval_item_fork_from",
        "interval_item_fork_until",
        "perspective_item_fork_from",
        "perspective_item_fork_until",
    )
]


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
        ("recommendations", "0028_chart_group_statistics"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
