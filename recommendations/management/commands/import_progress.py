"""Import progress updates from a CSV or XLSX file in the status export's columns, as a person.

    python manage.py import_progress updates.xlsx --user ana --organization mfa-asia          # preview only
    python manage.py import_progress updates.xlsx --user ana --organization mfa-asia --commit # write
    python manage.py import_progress treaty.csv --user rev --organization mfa-asia \
        --verified --source "UNTC, 2024" --commit

The same path as the web page, with the same rules and limits: the file is
stored as an import batch, previewed (rows to create, already present,
rejected with row, column and reason) and, with --commit, confirmed — all
rows or none, and only if no row was rejected. Without --commit nothing is
written and the stored file is discarded. The rows are filed by --user for
--organization (both required; the person must belong to it). An import
--verified is sent to the review queue for a second reviewer, unless
SINGLE_REVIEWER_MODE is on.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from recommendations import imports, services
from recommendations.models import Actor, ImportState


class Command(BaseCommand):
    help = "Preview (and with --commit, write) an import of progress updates from CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="Username the updates are filed by (a reporter).")
        parser.add_argument(
            "--organization", required=True, help="Code of the organization they are filed for (yours)."
        )
        parser.add_argument("--verified", action="store_true", help="Reviewers: import them as verified.")
        parser.add_argument("--source", default="", help="With --verified: the source that vouches for them.")
        parser.add_argument("--commit", action="store_true", help="Write the updates (default: preview only).")

    def handle(self, *args, file, user, organization, verified, source, commit, **options):
        person = get_user_model().objects.filter(username=user).first()
        if person is None:
            raise CommandError(f"No user called {user!r}.")
        org = Actor.objects.organizations().filter(code__iexact=organization).first()
        if org is None:
            raise CommandError(f"No organization with code {organization!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {file}.")
        try:
            with path.open("rb") as handle:
                batch = services.start_import(
                    file=File(handle, name=path.name),
                    filename=path.name,
                    organization=org,
                    user=person,
                    verified=verified,
                    source=source,
                )
            plan = services.preview_import(batch_id=batch.pk)
        except imports.ImportFileError as error:
            raise CommandError(str(error)) from error
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        self.stdout.write(
            f"{plan.rows} rows: {len(plan.create)} to create, {len(plan.unchanged)} already present, "
            f"{len(plan.skipped)} skipped, {plan.rejected_rows} rejected."
        )
        for note in plan.notes:
            self.stdout.write(f"  {note}")
        for rejection in plan.rejected[:200]:
            self.stdout.write(f"  row {rejection.row}, {rejection.column or 'file'}: {rejection.reason}")
        if len(plan.rejected) > 200:
            self.stdout.write(f"  … and {len(plan.rejected) - 200} more.")
        if plan.rejected:
            raise CommandError("Nothing was written: fix the rejected rows and run it again.")
        if not plan.create:
            self.stdout.write("Nothing new to import.")
            return
        if not commit:
            services.discard_import(batch_id=batch.pk, user=person)
            self.stdout.write("Preview only: nothing was written (add --commit to write).")
            return
        try:
            batch = services.confirm_import(batch_id=batch.pk, user=person)
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        if batch.state == ImportState.AWAITING_REVIEW:
            self.stdout.write(
                f"Sent {batch.to_create} updates to a second reviewer: they confirm it at /review/imports/{batch.pk}/."
            )
            return
        state = "verified" if batch.verified else "awaiting review"
        self.stdout.write(f"Created {batch.created} updates ({state}).")
