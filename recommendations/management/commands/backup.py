"""Back up the database and the evidence files.

    python manage.py backup [--to backups/]

PostgreSQL: `pg_dump --format=custom` (restore with `restore`, or pg_restore).
SQLite: a consistent copy through SQLite's online backup API (safe while the
tracker runs). Evidence files (MEDIA_ROOT) go into a .tar.gz beside it.
Prints the files written.
"""

import datetime
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def pg_environment() -> tuple[list[str], dict]:
    """Connection arguments and environment for pg_dump/pg_restore, from the Django settings."""
    db = settings.DATABASES["default"]
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def run_pg_tool(tool: str, *args: str, failure: str) -> None:
    """Run pg_dump or pg_restore against the configured database; a failure becomes a CommandError."""
    conn_args, env = pg_environment()
    result = subprocess.run([tool, *conn_args, *args], env=env, capture_output=True, text=True)
    if result.returncode:
        raise CommandError(f"{failure}: {result.stderr.strip()}")


class Command(BaseCommand):
    help = "Back up the database (pg_dump or SQLite's backup API) and the evidence files."

    def add_arguments(self, parser):
        parser.add_argument("--to", default=str(settings.BASE_DIR / "backups"), help="Folder for the backup files.")

    def handle(self, *args, to, **options):
        folder = Path(to)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
        if connection.vendor == "postgresql":
            if not shutil.which("pg_dump"):
                raise CommandError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
            target = folder / f"tracker-{stamp}.dump"
            run_pg_tool(
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                settings.DATABASES["default"]["NAME"],
                failure="pg_dump failed",
            )
        elif connection.vendor == "sqlite":
            target = folder / f"tracker-{stamp}.sqlite3"
            source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            copy = sqlite3.connect(target)
            with copy:
                source.backup(copy)
            copy.close()
            source.close()
        else:
            raise CommandError(f"No backup method for {connection.vendor}; use export_all.")
        self.stdout.write(f"Database: {target}")
        media = Path(settings.MEDIA_ROOT)
        if media.exists() and any(media.iterdir()):
            archive = folder / f"media-{stamp}.tar.gz"
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(media, arcname="media")
            self.stdout.write(f"Evidence files: {archive}")
