"""Merge each key's rows of the chart's year-end changes kept per item (YearEndChange) into one.

    python manage.py compact_year_end_changes

Writers that meet on a key add a row of their own rather than wait, so a key can hold several rows; the readers
sum them. This merges them, and drops rows that count nothing, while writers go on (rows a writer holds are
skipped and merged by the next run). The background worker runs it nightly (03:45 UTC); run it by hand after a
burst of concurrent writes (a large import beside reviews), or on a server without the worker.
"""

from django.core.management.base import BaseCommand

from recommendations import services


class Command(BaseCommand):
    help = "Merge each key's YearEndChange rows into one and drop the rows that count nothing, beside writers."

    def handle(self, *args, **options):
        done = services.compact_year_end_changes()
        self.stdout.write(
            f"Year-end changes: merged {done['merged']} rows into {done['keys']} keys, dropped {done['dropped']} "
            f"rows at zero, skipped {done['skipped']} rows held by writers; {done['rows']} rows left."
        )
