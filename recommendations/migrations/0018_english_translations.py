"""Copy each existing title and name into its English column (what modeltranslation's update_translation_fields
does), so an existing database and a fresh one both start with English filled in and the other languages empty
(they fall back to English until an editor translates them)."""

from django.db import migrations
from django.db.models import F, Q

TRANSLATED = {"Recommendation": "title", "Theme": "name", "Addressee": "name", "Instrument": "name"}
# The history rows too, so that the first edit after the upgrade does not show English as a change.
TRANSLATED |= {f"Historical{model}": field for model, field in TRANSLATED.items()}


def copy_to_english(apps, schema_editor):
    for model_name, field in TRANSLATED.items():
        model = apps.get_model("recommendations", model_name)
        english = f"{field}_en"
        model.objects.filter(Q(**{f"{english}__isnull": True}) | Q(**{english: ""})).update(**{english: F(field)})


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0017_translated_titles_and_names")]

    operations = [migrations.RunPython(copy_to_english, migrations.RunPython.noop)]
