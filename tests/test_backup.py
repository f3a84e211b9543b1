"""Export everything, restore into an empty database, and get byte for byte the same status report."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from recommendations import chart_cache, services
from recommendations.models import Actor, AuditEvent, CurrentStatus, ProgressUpdate, Recommendation, Status

from .factories import EVIDENCE, NARRATIVE, record

pytestmark = pytest.mark.django_db


def empty_the_database():
    """flush inside the test's transaction (rolled back afterwards), like a new, migrated database."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # TRUNCATE refuses tables with deferred checks still pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)


def status_csv(client) -> bytes:
    response = client.get(reverse("recommendations:status_csv"))
    return b"".join(response.streaming_content)


@pytest.fixture
def history(people, make_org):
    ngo = make_org("Kituo", code="kituo", base_country=Actor.objects.get(iso3="KEN"))
    record(
        actor=Actor.objects.get(iso3="GHA"),
        recommendation=Recommendation.objects.get(code="R02"),
        status=Status.SIGNED,
        as_of=datetime.date(2008, 5, 1),
        organization=people.org_a,
    )
    record(
        actor=Actor.objects.get(iso3="GHA"),
        recommendation=Recommendation.objects.get(code="R02"),
        status=Status.RATIFIED,
        as_of=datetime.date(2012, 9, 7),
        organization=people.org_a,
    )
    record(
        actor=ngo,
        recommendation=Recommendation.objects.get(code="R45"),
        status=Status.LIMITED,
        as_of=datetime.date(2020, 1, 1),
        organization=people.org_b,
    )
    record(
        actor=Actor.objects.get(iso3="PHL"),
        recommendation=Recommendation.objects.get(code="R17"),
        value="4.5",
        as_of=datetime.date(2021, 6, 1),
        organization=people.org_a,
    )
    pending = services.log_progress(
        actor=Actor.objects.get(iso3="MEX"),
        recommendation=Recommendation.objects.get(code="R56"),
        status=Status.LIMITED,
        as_of=datetime.date(2019, 1, 1),
        narrative=NARRATIVE,
        evidence_urls=EVIDENCE,
        organization=people.org_a,
        user=people.reporter_a,
    )
    return pending


def test_export_flush_import_gives_the_same_report_byte_for_byte(client, history, tmp_path):
    before = status_csv(client)
    models = (
        ProgressUpdate,
        CurrentStatus,
        AuditEvent,
        Actor,
        Recommendation.history.model,
        ProgressUpdate.history.model,
    )
    counts = [m.objects.count() for m in models]
    dump = tmp_path / "tracker.json"
    call_command("export_all", str(dump), stdout=open("/dev/null", "w"))  # noqa: SIM115
    data = json.loads(dump.read_text())
    # Portable: seeded rows are identified by natural keys, not database ids.
    item = next(row for row in data if row["model"] == "recommendations.recommendation")
    assert "pk" not in item and item["fields"]["code"]
    update = next(row for row in data if row["model"] == "recommendations.progressupdate")
    assert isinstance(update["fields"]["actor"], list)  # ["GHA"], not an id

    empty_the_database()
    assert not Recommendation.objects.exists()
    version = cache.get(chart_cache.VERSION_KEY)
    call_command("import_all", str(dump), stdout=open("/dev/null", "w"))  # noqa: SIM115
    # loaddata wrote the intervals behind the services' backs: the cached charts move to a new version.
    assert cache.get(chart_cache.VERSION_KEY) not in {version, None}
    assert [m.objects.count() for m in models] == counts  # history included, and no extra history rows
    assert status_csv(client) == before
    pending = ProgressUpdate.objects.get(pk=history.pk)
    assert pending.state == "pending" and pending.created_by.username == "reporter_a"


def test_import_refuses_a_database_with_data(tmp_path, history):
    dump = tmp_path / "tracker.json"
    call_command("export_all", str(dump), stdout=open("/dev/null", "w"))  # noqa: SIM115
    with pytest.raises(CommandError, match="already holds data"):
        call_command("import_all", str(dump))


def test_import_of_a_broken_file_writes_nothing(tmp_path):
    empty_the_database()
    broken = tmp_path / "broken.json"
    broken.write_text('[{"model": "recommendations.theme", "fields": {"slug": "a", "name": "A"}}, {"model": "nope"}]')
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_all", str(broken))
    assert not Recommendation.objects.exists()
    from recommendations.models import Theme

    assert not Theme.objects.exists()


def _run(env, *args):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    return subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True)


def _manage(env, *args):
    result = _run(env, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


STATUS_CSV = (
    "from django.test import Client; import sys; "
    "r = Client().get('/reports/status.csv?status=signed&status=ratified'); "
    "sys.stdout.write(b''.join(r.streaming_content).decode())"
)
ADD_UPDATE = (
    "import datetime; from recommendations.models import *; "
    "from recommendations.services import SystemActor, log_progress; "
    "log_progress(actor=Actor.objects.get(iso3='{iso3}'), recommendation=Recommendation.objects.get(code='R02'), "
    "status='signed', as_of=datetime.date(2015, 1, 1), narrative='Signed at the treaty event in New York.', "
    "evidence_urls=['https://treaties.un.org/x'], verified=True, system=SystemActor('backup test'))"
)


CHART_VERSION = (
    "from django.core.cache import cache; from recommendations import chart_cache; "
    "print(cache.get(chart_cache.VERSION_KEY))"
)


def _copy_the_seeded_database(url: str) -> None:
    """The session's migrated and seeded database, copied into the scratch one at ``url``: what `migrate` and
    `seed` would make there, in a second or two instead of about 40 s of subprocesses."""
    import sqlite3
    import subprocess

    from django.db import connection

    from .conftest import _SNAPSHOT

    if connection.vendor == "sqlite":
        target = sqlite3.connect(url.removeprefix("sqlite:///"))
        _SNAPSHOT["sqlite"].backup(target)  # taken right after seeding (conftest.py)
        target.close()
        return
    from recommendations.management.commands.backup import pg_environment

    # This test is not transactional: the test database holds what seeding committed. The connection's
    # arguments (and password) as `backup` gives them to pg_dump.
    where, env = pg_environment()
    source = connection.settings_dict["NAME"]
    dump = subprocess.Popen(["pg_dump", "--format=custom", *where, source], stdout=subprocess.PIPE, env=env)
    restored = subprocess.run(
        ["pg_restore", "--no-owner", *where, "-d", url.rsplit("/", 1)[1]], stdin=dump.stdout, env=env
    )
    dump.stdout.close()
    assert dump.wait() == 0 and restored.returncode == 0


def test_backup_and_restore_commands_round_trip(tmp_path):
    """`make backup` / `make restore` on a scratch database of the kind under test."""
    import os

    from django.db import connection

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if connection.vendor == "postgresql":
        import psycopg2

        settings_db = connection.settings_dict
        # Named after this run's test database: two suites on one server (CI's, a developer's) each drop their own.
        scratch = f"{settings_db['NAME']}_backup"
        admin = psycopg2.connect(
            host=settings_db["HOST"], port=settings_db["PORT"], user=settings_db["USER"], dbname="postgres"
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{scratch}"')
        env["DATABASE_URL"] = f"postgres://{settings_db['USER']}@{settings_db['HOST']}:{settings_db['PORT']}/{scratch}"
    else:
        admin = None
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    try:
        _copy_the_seeded_database(env["DATABASE_URL"])
        _manage(env, "shell", "-c", ADD_UPDATE.format(iso3="GHA"))
        before = _manage(env, "shell", "-c", STATUS_CSV)
        assert "GHA" in before
        at_backup = _manage(env, "shell", "-c", CHART_VERSION)
        written = _manage(env, "backup", "--to", str(tmp_path / "backups"))
        backup_file = written.split("Database: ", 1)[1].split()[0]
        _manage(env, "shell", "-c", ADD_UPDATE.format(iso3="KEN"))  # a change after the backup
        assert "KEN" in _manage(env, "shell", "-c", STATUS_CSV)
        import subprocess
        import sys

        refused = subprocess.run(
            [sys.executable, "manage.py", "restore", backup_file],
            env=env,
            capture_output=True,
            text=True,
            cwd=str(tmp_path.parent.parent.parent),
        )
        assert refused.returncode != 0
        before_restore = _manage(env, "shell", "-c", CHART_VERSION)
        _manage(env, "restore", backup_file, "--yes")
        assert _manage(env, "shell", "-c", STATUS_CSV) == before
        # The cached over-time charts were drawn from other data (the backup's cache table, or the history
        # replaced since): restore moves them all to a version neither had.
        after = _manage(env, "shell", "-c", CHART_VERSION)
        assert after.strip() not in {at_backup.strip(), before_restore.strip(), "None"}
    finally:
        if admin is not None:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            admin.close()
