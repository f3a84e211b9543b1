"""manage.py export_open_data DIR: write today's open-data package (a Frictionless Data Package) under DIR."""

from django.core.management.base import BaseCommand, CommandError

from opendata.package import build_package


class Command(BaseCommand):
    help = "Write the open-data package (CSV files, datapackage.json, README, package.zip) to DIR/<date>/."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Where to write the dated release (e.g. open-data).")
        parser.add_argument(
            "--validate", action="store_true", help="Check the package with the frictionless library afterwards."
        )

    def handle(self, *args, directory, validate, **options):
        folder = build_package(directory)
        self.stdout.write(f"Open-data package written to {folder}")
        if validate:
            from frictionless import Package

            report = Package(str(folder / "datapackage.json")).validate()
            if not report.valid:
                errors = report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
                raise CommandError(f"The package does not validate: {errors}")
            self.stdout.write("Valid (frictionless).")
