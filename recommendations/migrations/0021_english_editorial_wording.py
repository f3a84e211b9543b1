"""Copy each item's existing unit, notes and thresholds source into its English column (as 0018 did for the
titles), so an upgraded database and a fresh one both start with English filled in and the other languages
empty (they fall back to English until an editor translates them)."""

from django.db import migrations
from django.db.models import F, Q

FIELDS = ("unit", "baseline_note", "target_note", "thresholds_source", "editorial_note")


def copy_to_english(apps, schema_editor):
    # The history rows too, so that the first edit after the upgrade does not show English as a change.
    for model_name in ("Recommendation", "HistoricalRecommendation"):
        model = apps.get_model("recommendations", model_name)
        for field in FIELDS:
            english = f"{field}_en"
            model.objects.filter(Q(**{f"{english}__isnull": True}) | Q(**{english: ""})).update(**{english: F(field)})


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0020_translated_editorial_wording")]

    operations = [migrations.RunPython(copy_to_english, migrations.RunPython.noop)]
