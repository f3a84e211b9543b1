"""Export everything the tracker holds to one portable JSON file.

    python manage.py export_all backups/tracker.json

Rows are written with natural keys where they have one (item codes, actor
codes, theme slugs, usernames, group names), so the file loads into any
database, PostgreSQL or SQLite, with `import_all`, whatever its ids.
Evidence files are not in the JSON: copy MEDIA_ROOT with it (`make backup`
does both).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Everything but what migrations recreate (content types, permissions) and
# what is worthless after a restore (sessions, login attempts).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]


class Command(BaseCommand):
    help = "Export all data to a portable JSON file (natural keys) for import_all."

    def add_arguments(self, parser):
        parser.add_argument("output", help="File to write (JSON).")

    def handle(self, *args, output, **options):
        call_command(
            "dumpdata",
            exclude=EXCLUDED,
            natural_foreign=True,
            natural_primary=True,
            output=output,
            verbosity=0,
        )
        self.stdout.write(f"Exported to {output}")
