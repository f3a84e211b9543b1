"""Shared fixtures.

The test database is seeded once per session (source document, taxonomies,
195 countries and every call to action) with the real ``seed`` command;
each test then runs in a transaction that is rolled back, so tests see the
seeded data and never each other's writes.
"""

import datetime
import itertools

import pytest
from django.core.management import call_command
from django.utils import translation

from recommendations.models import Actor, ActorKind, OrganizationType, Recommendation


@pytest.fixture(autouse=True)
def _chart_cache_off(request, monkeypatch):
    # Inside a test's transaction, which is rolled back, on_commit callbacks never run, so the chart cache's
    # version is never bumped: a test that writes and reads again would see its first chart. Tests marked
    # chart_cache turn it on and run the callbacks (tests/test_chart_cache.py).
    if request.node.get_closest_marker("chart_cache") is None:
        monkeypatch.setattr("recommendations.chart_cache.ENABLED", False)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Password hashing is deliberately slow; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded evidence goes to a throwaway folder, never the project's media/.
    settings.MEDIA_ROOT = tmp_path / "media"
    # Login throttling needs the request, which the test client's login() does not pass;
    # tests/test_security.py turns it back on to test it.
    settings.AXES_ENABLED = False
    # Every test client builds its own middleware, and WhiteNoise, serving from the apps' folders
    # (WHITENOISE_USE_FINDERS), would list and stat every static file (~940) each time: 0.07-0.5 s a
    # client, thousands of clients a run. Looking a file up when it is asked for (autorefresh, as under
    # runserver) serves the same files; the `served` fixture tests the collected, production way.
    settings.WHITENOISE_AUTOREFRESH = True
    yield
    # A request through LocaleMiddleware leaves its language active in the thread (Django never resets it):
    # a test that asked for /zh-hans/… must not make the next test's labels Chinese.
    translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def _transactional_teardown_deletes():
    """On PostgreSQL, a transactional test's teardown empties the tables with DELETE, not TRUNCATE.

    Django's flush TRUNCATEs every table, which makes new files for each table and index: 0.6-0.7 s a test on
    a quiet machine, against 0.02 s for DELETE on the few rows such a test leaves; about 70 tests a run. The
    foreign keys are deferred, checked at the flush's commit, so the order does not matter (as in
    ``_restore_snapshot``). Only this teardown: a test that calls ``flush`` itself still gets TRUNCATE.
    """
    from django.db import connection
    from django.test import TransactionTestCase

    if connection.vendor != "postgresql":
        yield
        return
    operations = type(connection.ops)
    truncate, teardown = operations.sql_flush, TransactionTestCase._fixture_teardown

    def delete(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences:  # a test that asks for its ids to start again
            return truncate(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
        return [f"DELETE FROM {style.SQL_FIELD(self.quote_name(table))};" for table in tables]  # noqa: S608

    def deleting_teardown(test_case):
        operations.sql_flush = delete
        try:
            teardown(test_case)
        finally:
            operations.sql_flush = truncate

    TransactionTestCase._fixture_teardown = deleting_teardown
    yield
    TransactionTestCase._fixture_teardown = teardown


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed", verbosity=0)
        _SNAPSHOT.update(_take_snapshot())


# The migrated and seeded database, as django_db_setup left it: transactional tests (which empty the
# database when they end) get it back from here in a fraction of a second instead of seeding again.
_SNAPSHOT: dict = {}


def _take_snapshot() -> dict:
    import io
    import sqlite3

    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        # The in-memory test database, page for page (schema, rows and AUTOINCREMENT counters).
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        return {"sqlite": copy}
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            # Named columns (a migration test that goes back and forth may reorder them), without
            # the generated ones, which PostgreSQL computes and COPY refuses.
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
                [table],
            )
            columns = [row[0] for row in cursor.fetchall()]
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            data = io.StringIO()
            cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({names}) TO STDOUT", data)
            if data.getvalue():
                tables[table] = (columns, data.getvalue())
    return {"postgresql": tables}


def _restore_snapshot() -> bool:
    """Put the database back as django_db_setup left it; False when there is no snapshot."""
    import io

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    if "sqlite" in _SNAPSHOT and connection.vendor == "sqlite":
        connection.ensure_connection()
        _SNAPSHOT["sqlite"].backup(connection.connection)
    elif "postgresql" in _SNAPSHOT and connection.vendor == "postgresql":
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        with transaction.atomic(), connection.cursor() as cursor:
            # The flush left the content types and permissions post_migrate made again, under new ids.
            # (DELETE: cheaper than a second TRUNCATE on tables that are nearly all empty; the foreign keys
            # are checked at the commit.)
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608 (our own tables)
            for table, (columns, data) in _SNAPSHOT["postgresql"].items():
                names = ", ".join(connection.ops.quote_name(c) for c in columns)
                cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN", io.StringIO(data))
            models = apps.get_models(include_auto_created=True)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
    else:
        return False
    ContentType.objects.clear_cache()  # its cached ids are those of the flushed rows
    return True


@pytest.fixture
def seeded_transactional_db(transactional_db):
    """For tests whose writes must really commit (threads, a live server): the seeded data, committed.

    Transactional tests empty the database when they end (pytest-django runs them after all the
    others), so each one that finds it empty puts back the snapshot django_db_setup took of the
    migrated, seeded database (or, without one, seeds it again).
    """
    import importlib

    from django.contrib.auth.models import Group, Permission

    from recommendations.models import Recommendation

    if not Recommendation.objects.exists() and not _restore_snapshot():
        call_command("seed", verbosity=0)
        # The roles come from a data migration, which a flush does not replay.
        roles = importlib.import_module("recommendations.migrations.0002_roles").ROLE_PERMISSIONS
        for role, codenames in roles.items():
            group, _ = Group.objects.get_or_create(name=role)
            group.permissions.set(
                Permission.objects.filter(content_type__app_label="recommendations", codename__in=codenames)
            )


@pytest.fixture
def item(db):
    """Return a seeded item of a given kind: item('ratification')."""

    def get(kind: str, n: int = 0) -> Recommendation:
        return Recommendation.objects.filter(kind=kind).order_by("position")[n]

    return get


_org_numbers = itertools.count(1)


@pytest.fixture
def make_org(db):
    def make(name: str | None = None, **fields) -> Actor:
        number = next(_org_numbers)
        return Actor.objects.create(
            kind=ActorKind.ORGANIZATION,
            code=fields.pop("code", f"test-org-{number}"),
            name=name or f"Test organization {number}",
            organization_type=fields.pop("organization_type", OrganizationType.NGO),
            **fields,
        )

    return make


@pytest.fixture
def country(db):
    def get(iso3: str) -> Actor:
        return Actor.objects.get(iso3=iso3)

    return get


@pytest.fixture
def today():
    return datetime.date.today()


@pytest.fixture
def people(db, make_org):
    """Two NGOs, a reporter in each, a reviewer, a second reviewer and an editor."""
    from types import SimpleNamespace

    from django.contrib.auth.models import Group, User

    from recommendations.models import Membership

    org_a = make_org("Migrant Forum A", code="forum-a")
    org_b = make_org("Rights Watch B", code="watch-b")

    def person(username, groups, orgs=(), **extra):
        user = User.objects.create_user(username, email=f"{username}@example.org", password="pw-" + username, **extra)
        user.groups.set(Group.objects.filter(name__in=groups))
        for org in orgs:
            Membership.objects.create(user=user, organization=org)
        return user

    return SimpleNamespace(
        org_a=org_a,
        org_b=org_b,
        reporter_a=person("reporter_a", ["Reporter"], [org_a]),
        reporter_b=person("reporter_b", ["Reporter"], [org_b]),
        reviewer=person("reviewer", ["Reviewer"], [org_a]),
        reviewer2=person("reviewer2", ["Reviewer"], [org_b]),
        editor=person("editor", ["Editor"], is_staff=True),
    )


@pytest.fixture
def reporter(client, people):
    """The test client, logged in as a reporter of ``people.org_a``."""
    client.force_login(people.reporter_a)
    return client


# --- The site as `make run` and production serve it: collected static files, compressed -------------------

COLLECTED = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "tracker.storage.CollectedStaticStorage"},
}


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """`collectstatic` into a folder, as `make run` does: hashed names and gzip copies."""
    from django.core.management import call_command
    from django.test import override_settings

    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES=COLLECTED):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def served(settings, collected_static):
    """A client of the site as `make run` serves it (STATIC_COLLECTED=1, DEBUG on)."""
    settings.DEBUG = True
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = COLLECTED
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    from django.test import Client

    return Client(HTTP_ACCEPT_ENCODING="gzip, deflate")
