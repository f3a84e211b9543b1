"""How many groups the over-time chart makes, told to PostgreSQL's planner (extended statistics); the
within-a-year indexes of 0023 dropped.

``reports.history_by_year`` groups the intervals it reads by (status, value, year of ``valid_from``, year of
``valid_to``). Without statistics on those expressions the planner multiplies its default guesses and expects
some 80,000 groups where there are about 15,000 (the whole scope at 1M updates), so it sorted every interval
read — 700,000 rows, spilling to disk under the 4 MB ``work_mem`` — instead of hashing them: the summary's chart
took 0.9–1.4 s, 0.3 s with the statistics. The expressions are, word for word, those the chart groups by (the
planner matches them as written). ANALYZE fills them now rather than at the next autovacuum (about a second at
8M intervals; it only samples). SQLite has no such statistics and needs none.

The chart on a date now takes the date's own point from the intervals held on it (the interval tree of migrations
0014 and, per perspective, the GiST index of 0016), no longer from the intervals of the date's year ending after it:
0023's two partial indexes of those by end date are read by nothing and dropped (every write of an interval within
a year kept them).
"""

from django.db import migrations

STATISTICS = {
    "interval_chart_groups": "recommendations_statusinterval",
    "perspective_interval_chart_groups": "recommendations_perspectiveinterval",
}
GROUPED = "status, value, (EXTRACT(YEAR FROM valid_from)), (EXTRACT(YEAR FROM valid_to))"
# 0023's, as created there (recreated if this migration is reversed).
WITHIN = "(valid_to IS NOT NULL AND EXTRACT(YEAR FROM valid_from) = EXTRACT(YEAR FROM valid_to))"
BY_END = "INCLUDE (valid_from, status, value, recommendation_id, actor_id)"
WITHIN_A_YEAR = {
    "interval_within_year": f"recommendations_statusinterval (valid_to) {BY_END}",
    "perspective_interval_within_year": f"recommendations_perspectiveinterval (perspective, valid_to) {BY_END}",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table in STATISTICS.items():
            schema_editor.execute(f"CREATE STATISTICS {name} (ndistinct) ON {GROUPED} FROM {table}")
            schema_editor.execute(f"ANALYZE {table}")
        for name in WITHIN_A_YEAR:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in STATISTICS:
            schema_editor.execute(f"DROP STATISTICS IF EXISTS {name}")
        for name, target in WITHIN_A_YEAR.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target} WHERE {WITHIN}")


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0027_actor_code_name_upper_indexes"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
