"""Load the real ratification status of the Migrant Workers Convention (ICRMW) — through the import code.

    python manage.py load_icrmw_baseline

fixtures/icrmw.csv (see fixtures/icrmw.README.md) lists the 59 parties and 11
signatories as of 26 September 2023, from the UN Treaty Collection. Each row
becomes a verified update on the ICRMW ratification item, attributed to the
UN Treaty Collection with the source link as evidence, keeping the date's
precision (three ratifications are known only by year), from the perspective
"UN treaty depositary". Idempotent: rows
already loaded are left alone. `make run` calls it after `seed`.

Loading it is a system action (``services.SystemActor``): the updates have
no person as author or reviewer, and the audit trail records the import as
the tracker's, with the reason below.
"""

import csv
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError

from recommendations import imports, services
from recommendations.models import Actor, ActorKind, Kind, OrganizationType, Perspective, Recommendation

SOURCE = "UN Treaty Collection, status of treaties, chapter IV-13 (as of 26 September 2023)"
ACTIONS = {"ratified": "ratification", "acceded": "accession", "signed": "signature"}
# An explicit system action: the audit trail records it with this reason, not as a person's.
SYSTEM = services.SystemActor("load_icrmw_baseline: public treaty records of the UN Treaty Collection")
COLUMNS = [
    "country_iso3",
    "recommendation_code",
    "status",
    "as_of",
    "evidence_urls",
    "reported_by_organization",
    "perspective",
]


class Command(BaseCommand):
    help = "Load the ICRMW ratification baseline (59 parties, 11 signatories, UN Treaty Collection)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(settings.FIXTURES_DIR / "icrmw.csv"))

    def handle(self, *args, file, **options):
        item = Recommendation.objects.filter(kind=Kind.RATIFICATION, ratifies__short_name="ICRMW").first()
        if item is None:
            raise CommandError("No ratification item for the ICRMW: run `python manage.py seed` first.")
        untc, _ = Actor.objects.get_or_create(
            code="un-treaty-collection",
            defaults={
                "kind": ActorKind.ORGANIZATION,
                "name": "UN Treaty Collection",
                "organization_type": OrganizationType.INTERNATIONAL,
                "website": "https://treaties.un.org/",
            },
        )
        # Through the import path every file takes: a batch, its preview, its confirmation.
        batch = services.start_import(
            file=ContentFile(self.as_import_file(file, item.code, untc.code)),
            filename="icrmw.csv",
            organization=untc,
            system=SYSTEM,
            verified=True,
            source=SOURCE,
        )
        try:
            plan = services.preview_import(batch_id=batch.pk)
        except imports.ImportFileError as error:
            raise CommandError(f"The baseline file cannot be read: {error}") from error
        if plan.rejected:
            problems = "; ".join(f"row {r.row} {r.column}: {r.reason}" for r in plan.rejected[:5])
            raise CommandError(f"The baseline file has rejected rows: {problems}")
        if not plan.create:
            self.stdout.write("ICRMW baseline: already loaded.")
            return
        batch = services.confirm_import(batch_id=batch.pk, system=SYSTEM)
        self.stdout.write(f"ICRMW baseline: {batch.created} updates loaded, {batch.unchanged} already present.")

    def as_import_file(self, file: str, item_code: str, reporter: str) -> bytes:
        """The baseline file's rows as a CSV in the import's columns (the status export's, and a narrative)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*COLUMNS, "narrative"])
        for row in self.rows(file):
            row = {
                **row,
                "recommendation_code": item_code,
                "reported_by_organization": reporter,
                "perspective": Perspective.UN_TREATY_DEPOSITARY,  # the treaty depositary's own record
            }
            writer.writerow([row[c] for c in COLUMNS] + [row["narrative"]])
        return out.getvalue().encode()

    def rows(self, file: str):
        with open(file, encoding="utf-8") as handle:
            text = handle.read()
        for row in csv.DictReader(io.StringIO(text)):
            url, _, note = row["source_url"].partition(" ")
            date = row["date"] if row["date_precision"] == "day" else row["date"][:4]
            narrative = f"{row['country_name']}: {ACTIONS[row['action']]} of the ICRMW, {date} ({SOURCE})."
            if note:
                narrative += f" {note.strip('()')}."
            yield {
                "country_iso3": row["iso3"],
                "status": row["action"],
                "as_of": date,
                "evidence_urls": url,
                "narrative": narrative,
            }
