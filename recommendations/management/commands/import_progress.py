"""Import progress updates from a CSV or XLSX file in the status export's columns.

    python manage.py import_progress updates.xlsx --user ana --organization mfa-asia          # preview only
    python manage.py import_progress updates.xlsx --user ana --organization mfa-asia --commit # write
    python manage.py import_progress treaty.csv --user rev --verified --source "UNTC, 2024" --commit

Without --commit nothing is written: the preview lists the rows to create,
those already present and those rejected (row, column, reason). With
--commit the rows are written in one transaction, all or nothing, and only
if no row was rejected.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from recommendations import imports, services
from recommendations.models import Actor


class Command(BaseCommand):
    help = "Preview (and with --commit, write) an import of progress updates from CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="Username the updates are filed by (a reporter or reviewer).")
        parser.add_argument("--organization", help="Organization code for rows that name none.")
        parser.add_argument("--verified", action="store_true", help="Reviewers: record them as verified.")
        parser.add_argument("--source", default="", help="With --verified: the source that vouches for them.")
        parser.add_argument("--commit", action="store_true", help="Write the updates (default: preview only).")

    def handle(self, *args, file, user, organization, verified, source, commit, **options):
        person = None
        if user:
            person = get_user_model().objects.filter(username=user).first()
            if person is None:
                raise CommandError(f"No user called {user!r}.")
        org = None
        if organization:
            org = Actor.objects.organizations().filter(code__iexact=organization).first()
            if org is None:
                raise CommandError(f"No organization with code {organization!r}.")
        try:
            with open(file, "rb") as handle:
                plan = imports.plan(imports.read_rows(handle, file), filename=file, user=person, organization=org)
        except FileNotFoundError as error:
            raise CommandError(f"No file at {file}.") from error
        except imports.ImportFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{plan.rows} rows: {len(plan.create)} to create, {len(plan.unchanged)} already present, "
            f"{len(plan.skipped)} skipped, {plan.rejected_rows} rejected."
        )
        for rejection in plan.rejected[:200]:
            self.stdout.write(f"  row {rejection.row}, {rejection.column}: {rejection.reason}")
        if len(plan.rejected) > 200:
            self.stdout.write(f"  … and {len(plan.rejected) - 200} more.")
        if not commit:
            self.stdout.write("Preview only: nothing was written (add --commit to write).")
            return
        if plan.rejected:
            raise CommandError("Nothing was written: fix the rejected rows and run it again.")
        try:
            created = services.import_progress(plan=plan, user=person, verified=verified, source=source)
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        state = "verified" if verified else "awaiting review"
        self.stdout.write(f"Created {created} updates ({state}).")
