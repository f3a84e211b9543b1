"""Load the real ratification status of the Migrant Workers Convention (ICRMW) — through the import code.

    python manage.py load_icrmw_baseline

fixtures/icrmw.csv (see fixtures/icrmw.README.md) lists the 59 parties and 11
signatories as of 26 September 2023, from the UN Treaty Collection. Each row
becomes a verified update on the ICRMW ratification item, attributed to the
UN Treaty Collection with the source link as evidence, keeping the date's
precision (three ratifications are known only by year). Idempotent: rows
already loaded are left alone. `make run` calls it after `seed`.
"""

import csv
import io

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from recommendations import imports, services
from recommendations.models import Actor, ActorKind, Kind, OrganizationType, Recommendation

SOURCE = "UN Treaty Collection, status of treaties, chapter IV-13 (as of 26 September 2023)"
ACTIONS = {"ratified": "ratification", "acceded": "accession", "signed": "signature"}


class Command(BaseCommand):
    help = "Load the ICRMW ratification baseline (59 parties, 11 signatories, UN Treaty Collection)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(settings.FIXTURES_DIR / "icrmw.csv"))

    def handle(self, *args, file, **options):
        item = Recommendation.objects.filter(kind=Kind.RATIFICATION, ratifies__short_name="ICRMW").first()
        if item is None:
            raise CommandError("No ratification item for the ICRMW: run `python manage.py seed` first.")
        with transaction.atomic():
            untc, _ = Actor.objects.get_or_create(
                code="un-treaty-collection",
                defaults={
                    "kind": ActorKind.ORGANIZATION,
                    "name": "UN Treaty Collection",
                    "organization_type": OrganizationType.INTERNATIONAL,
                    "website": "https://treaties.un.org/",
                },
            )
            rows = self.rows(file, item.code, untc.code)
            plan = imports.plan(rows, filename="icrmw.csv", user=None, organization=untc)
            if plan.rejected:
                problems = "; ".join(f"row {r.row} {r.column}: {r.reason}" for r in plan.rejected[:5])
                raise CommandError(f"The baseline file has rejected rows: {problems}")
            created = services.import_progress(plan=plan, user=None, verified=True, source=SOURCE) if plan.create else 0
        self.stdout.write(
            f"ICRMW baseline: {created} updates loaded, {len(plan.unchanged)} already present."
            if created
            else "ICRMW baseline: already loaded."
        )

    def rows(self, file: str, item_code: str, reporter: str):
        """The baseline file's rows in the import's columns (the status export's)."""
        with open(file, encoding="utf-8") as handle:
            text = handle.read()
        for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            url, _, note = row["source_url"].partition(" ")
            date = row["date"] if row["date_precision"] == "day" else row["date"][:4]
            narrative = f"{row['country_name']}: {ACTIONS[row['action']]} of the ICRMW, {date} ({SOURCE})."
            if note:
                narrative += f" {note.strip('()')}."
            yield (
                number,
                {
                    "country_iso3": row["iso3"],
                    "recommendation_code": item_code,
                    "status": row["action"],
                    "as_of": date,
                    "evidence_urls": url,
                    "reported_by_organization": reporter,
                    "narrative": narrative,
                },
            )
