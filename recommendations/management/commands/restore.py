"""Restore a backup made by `backup` into the configured database (replacing its contents).

    python manage.py restore backups/tracker-20261128-120000.dump --yes [--media backups/media-….tar.gz]

Asks for --yes because it replaces everything. PostgreSQL: pg_restore --clean.
SQLite: the backup file is copied over the database with SQLite's backup API.
"""

import os
import sqlite3
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from recommendations.chart_cache import forget_all_charts

from .backup import run_pg_tool


class Command(BaseCommand):
    help = "Restore a database backup (and optionally the evidence files); replaces current data."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="A .dump (PostgreSQL) or .sqlite3 file written by `backup`.")
        parser.add_argument("--media", help="A media-….tar.gz written by `backup`.")
        parser.add_argument("--yes", action="store_true", help="Confirm: the current data is replaced.")

    def handle(self, *args, backup, media, yes, **options):
        path = Path(backup)
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        if not yes:
            raise CommandError("Restoring replaces all current data. Run again with --yes to confirm.")
        if connection.vendor == "postgresql":
            if path.suffix != ".dump":
                raise CommandError("A PostgreSQL database restores from a .dump file written by `backup`.")
            connection.close()
            run_pg_tool(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                settings.DATABASES["default"]["NAME"],
                str(path),
                failure="pg_restore failed (nothing was changed)",
            )
        elif connection.vendor == "sqlite":
            if path.suffix != ".sqlite3":
                raise CommandError("A SQLite database restores from a .sqlite3 file written by `backup`.")
            connection.close()
            source = sqlite3.connect(path)
            target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            with target:
                source.backup(target)
            target.close()
            source.close()
        else:
            raise CommandError(f"No restore method for {connection.vendor}; use import_all.")
        # The restored history is not the one the shared cache's charts were drawn from.
        forget_all_charts()
        self.stdout.write(f"Restored the database from {path}")
        if media:
            with tarfile.open(media) as tar:
                members = [m for m in tar.getmembers() if m.name.startswith("media/") and m.isfile()]
                root = Path(settings.MEDIA_ROOT)
                for member in members:
                    destination = (root / Path(member.name).relative_to("media")).resolve()
                    if not str(destination).startswith(str(root.resolve()) + os.sep):
                        raise CommandError(f"Refusing a file outside MEDIA_ROOT in the archive: {member.name}")
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    with tar.extractfile(member) as data, open(destination, "wb") as handle:
                        handle.write(data.read())
            self.stdout.write(f"Restored {len(members)} evidence files into {settings.MEDIA_ROOT}")
