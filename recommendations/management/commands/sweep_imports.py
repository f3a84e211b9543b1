"""Delete stored import uploads that nobody will confirm.

    python manage.py sweep_imports                    # older than a day
    python manage.py sweep_imports --older-than 6     # hours

An upload is kept while its import is open: previewed and awaiting its
importer's confirmation, or awaiting a second reviewer. Previews abandoned
for longer than --older-than hours are deleted with their uploads, and so are
stray files under MEDIA_ROOT/imports/ that no open import refers to.
Previews that were refused, confirmed, returned or discarded delete their
upload at once. Run it daily (cron, or the background worker's schedule).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from recommendations import services


class Command(BaseCommand):
    help = "Delete abandoned import previews and stored uploads older than a day (or --older-than HOURS)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=float, default=24, metavar="HOURS", help="Default: 24.")

    def handle(self, *args, older_than, **options):
        if older_than < 0:
            raise CommandError("--older-than takes a number of hours, 0 or more.")
        swept = services.sweep_imports(older_than=datetime.timedelta(hours=older_than))
        self.stdout.write(
            f"Deleted {swept['uploads']} uploads and {swept['batches']} abandoned import previews "
            f"older than {older_than:g} hours."
        )
