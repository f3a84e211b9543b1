"""The table of Django's database cache (settings.CACHES), so `migrate` is all a new database needs."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # A no-op for caches that are not database tables, and for a table that already exists.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0007_import_batches_and_submission_tokens")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
