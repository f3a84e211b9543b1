"""The disagreement flag on each current status, filled from the per-perspective statuses.

A copy of ``services.perspectives.disagreement_fill_sql`` (migrations must not import code that may change):
a pair's perspectives disagree when one holds a status other than the consolidated one.
"""

from django.db import migrations, models

FILL = (
    "UPDATE recommendations_currentstatus SET perspectives_disagree = TRUE WHERE EXISTS ("
    "SELECT 1 FROM recommendations_perspectivestatus d "
    "WHERE d.actor_id = recommendations_currentstatus.actor_id "
    "AND d.recommendation_id = recommendations_currentstatus.recommendation_id "
    "AND d.status <> recommendations_currentstatus.status)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0018_english_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="currentstatus",
            name="perspectives_disagree",
            field=models.BooleanField(default=False),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="currentstatus",
            index=models.Index(
                condition=models.Q(("perspectives_disagree", True)),
                fields=["recommendation", "actor"],
                name="current_disagreeing",
            ),
        ),
    ]
