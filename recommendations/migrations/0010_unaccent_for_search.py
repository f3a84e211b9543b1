"""Search ignores accents: on PostgreSQL it uses the unaccent extension (SQLite gets a Python function)."""

from django.db import migrations


def create_unaccent(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0009_source_document_url_and_latest_status_date")]

    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop)]
