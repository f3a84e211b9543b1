"""One env-driven settings file: production refuses unsafe configuration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    """Import the settings in a fresh interpreter with only these variables set."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "DJANGO_ENV"}}
    clean.update(env)
    code = (
        "import tracker.settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default'].get('NAME'), s.ALLOWED_HOSTS)"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_development_defaults_use_sqlite_in_project_folder():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    debug, engine, name, hosts = result.stdout.split(" ", 3)
    assert debug == "True"
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "db.sqlite3")
    assert "127.0.0.1" in hosts


def test_database_url_selects_postgresql():
    result = load_settings(DATABASE_URL="postgres://someone@db.example:5432/tracker")
    assert result.returncode == 0, result.stderr
    assert "tracker.postgresql tracker" in result.stdout  # Django's PostgreSQL backend, waiting for a restart


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "django-insecure-" + "x" * 60}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "k" * 60, "DEBUG": "1", "ALLOWED_HOSTS": "example.org"}, "DEBUG must be off"),
        ({"SECRET_KEY": "k" * 60}, "ALLOWED_HOSTS must name"),
    ],
)
def test_production_refuses_to_start_unsafely(env, message):
    result = load_settings(DJANGO_ENV="production", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_a_real_key():
    result = load_settings(DJANGO_ENV="production", SECRET_KEY="k" * 60, ALLOWED_HOSTS="tracker.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False ")


def test_bad_boolean_is_a_clear_error():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """JIT compilation cost the heaviest report reads more than it saved (docs/performance.md): connections
    open with it off unless DATABASE_JIT says otherwise."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
