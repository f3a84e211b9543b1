"""Mark the per-perspective intervals of the pairs that have two or more perspective tracks.

Only those pairs' perspectives can disagree, on any date: 7,836 of 258,096 pairs at 1M benchmark updates. The
disagreement count on a date (``reports.scope.disagreement_sql``) read, through 0025's interval tree, the held
interval of every track (195,000 at 1M) and hashed them; it now reads only the marked ones through the same
tree, restricted to them by partial indexes, which replace 0025's (nothing else reads those).

The fill is a copy of ``services.perspectives.several_perspectives_fill_sql`` (migrations must not import code
that may change): a track's pair has another track when another perspective has a status for it.
"""

from django.db import migrations, models

FILL = (
    "UPDATE recommendations_perspectiveinterval SET several_perspectives = TRUE WHERE EXISTS ("
    "SELECT 1 FROM recommendations_perspectivestatus d "
    "WHERE d.actor_id = recommendations_perspectiveinterval.actor_id "
    "AND d.recommendation_id = recommendations_perspectiveinterval.recommendation_id "
    "AND d.perspective <> recommendations_perspectiveinterval.perspective)"
)
FORK = "interval_fork(valid_from - DATE '1899-12-31', COALESCE(valid_to, DATE '9999-12-31') - DATE '1899-12-31' - 1)"
INDEXES = [
    f"CREATE INDEX perspective_several_fork_from ON recommendations_perspectiveinterval (({FORK}), valid_from) "
    "INCLUDE (valid_to, status, actor_id, recommendation_id) WHERE several_perspectives",
    f"CREATE INDEX perspective_several_fork_until ON recommendations_perspectiveinterval "
    f"(({FORK}), (COALESCE(valid_to, DATE '9999-12-31'))) INCLUDE (valid_from, valid_to, status, actor_id, recommendation_id) "
    "WHERE several_perspectives",
    "DROP INDEX IF EXISTS perspective_fork_from",
    "DROP INDEX IF EXISTS perspective_fork_until",
]
UNDO = [
    "DROP INDEX IF EXISTS perspective_several_fork_from",
    "DROP INDEX IF EXISTS perspective_several_fork_until",
    f"CREATE INDEX perspective_fork_from ON recommendations_perspectiveinterval (({FORK}), valid_from) "
    "INCLUDE (valid_to, status, actor_id, recommendation_id)",
    f"CREATE INDEX perspective_fork_until ON recommendations_perspectiveinterval "
    f"(({FORK}), (COALESCE(valid_to, DATE '9999-12-31'))) INCLUDE (valid_from, valid_to, status, actor_id, recommendation_id)",
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
        migrations.AddField(
            model_name="perspectiveinterval",
            name="several_perspectives",
            field=models.BooleanField(db_default=False),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunPython(create, drop),
    ]
