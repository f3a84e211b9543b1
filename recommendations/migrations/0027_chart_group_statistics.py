"""How many groups the over-time chart makes, told to PostgreSQL's planner (extended statistics).

``reports.history_by_year`` groups the intervals it reads by (status, value, year of ``valid_from``, year of
``valid_to``). Without statistics on those expressions the planner multiplies its default guesses and expects
some 80,000 groups where there are about 15,000 (the whole scope at 1M updates), so it sorted every interval
read — 700,000 rows, spilling to disk under the 4 MB ``work_mem`` — instead of hashing them: the summary's chart
took 0.9–1.4 s, 0.3 s with the statistics. The expressions are, word for word, those the chart groups by (the
planner matches them as written). ANALYZE fills them now rather than at the next autovacuum (about a second at
8M intervals; it only samples). SQLite has no such statistics and needs none.
"""

from django.db import migrations

STATISTICS = {
    "interval_chart_groups": "recommendations_statusinterval",
    "perspective_interval_chart_groups": "recommendations_perspectiveinterval",
}
GROUPED = "status, value, (EXTRACT(YEAR FROM valid_from)), (EXTRACT(YEAR FROM valid_to))"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table in STATISTICS.items():
            schema_editor.execute(f"CREATE STATISTICS {name} (ndistinct) ON {GROUPED} FROM {table}")
            schema_editor.execute(f"ANALYZE {table}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in STATISTICS:
            schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0026_item_newest_entry_index"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
