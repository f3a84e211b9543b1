"""Load a file written by export_all into an empty, migrated database.

    python manage.py migrate && python manage.py import_all backups/tracker.json

All or nothing: the load runs in one transaction. It refuses a database that
already holds progress updates, so a restore never mixes with live data.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from recommendations.chart_cache import forget_all_charts
from recommendations.models import ProgressUpdate, Recommendation


class Command(BaseCommand):
    help = "Import a file written by export_all into an empty database (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("input", help="File written by export_all.")
        parser.add_argument(
            "--force", action="store_true", help="Load even if the database already holds data (rows are overwritten)."
        )

    def handle(self, *args, input, force, **options):
        if not force and (ProgressUpdate.objects.exists() or Recommendation.objects.exists()):
            raise CommandError(
                "This database already holds data. import_all restores into an empty, migrated database "
                "(use a new database, or --force to overwrite matching rows)."
            )
        try:
            # The file carries the history itself: loading must not write new history rows
            # (setting many-to-many fields would, and they would clash with the loaded ones).
            with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
                call_command("loaddata", input, verbosity=0)
        except Exception as error:
            raise CommandError(f"Nothing was imported: {error}") from error
        forget_all_charts()  # loaddata writes the intervals without the services that bump the charts' version
        self.stdout.write(
            f"Imported {input}: {Recommendation.objects.count()} items, {ProgressUpdate.objects.count()} updates."
        )
