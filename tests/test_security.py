"""Secure by default: production checks, headers, login throttling, passwords, sessions, admin access."""

import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_the_deploy_check():
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "tracker.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_security_headers_on_every_page(client):
    response = client.get(reverse("recommendations:home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert "unsafe" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_no_page_has_an_inline_script(client, people):
    client.force_login(people.reviewer)
    for url in [
        "/",
        "/recommendations/",
        "/recommendations/R02/",
        "/reports/",
        "/reports/matrix/?item=R02",
        "/actors/KEN/",
        "/progress/new/?item=R02&actor=KEN",
        "/review/",
        "/accounts/login/",
    ]:
        html = client.get(url).content.decode()
        for tag in html.split("<script")[1:]:
            assert tag.split(">", 1)[0].strip().startswith("src="), f"inline script on {url}"
        assert " onclick=" not in html and " onload=" not in html and "javascript:" not in html


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


def login(client, username, password, ip="203.0.113.9"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_is_locked_after_repeated_failures_then_unlocks_by_itself(client, people, throttled):
    from axes.models import AccessAttempt

    assert [login(client, "reporter_a", "wrong").status_code for _ in range(3)] == [200, 200, 429]
    locked = login(client, "reporter_a", "pw-reporter_a")  # the right password, but locked
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # Per username + address: the same person elsewhere, and others here, are not locked.
    assert login(client, "reporter_a", "pw-reporter_a", ip="198.51.100.7").status_code == 302
    client.logout()
    assert login(client, "reporter_b", "pw-reporter_b").status_code == 302
    client.logout()
    # The cool-off expires on its own: move the failures into the past.
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16))
    assert login(client, "reporter_a", "pw-reporter_a").status_code == 302


def test_lockout_is_not_permanent_by_default():
    from django.conf import settings

    assert settings.AXES_COOLOFF_TIME is not None and datetime.timedelta(0) < settings.AXES_COOLOFF_TIME


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "reporter_a2024"])
def test_weak_passwords_are_refused(password, people):
    with pytest.raises(ValidationError):
        validate_password(password, user=people.reporter_a)


def test_a_strong_password_is_accepted(people):
    validate_password("correct horse battery staple 7", user=people.reporter_a)


def test_sessions_expire(client, people, settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600
    client.force_login(people.reporter_a)
    assert client.get(reverse("recommendations:my_updates")).status_code == 200
    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1))
    response = client.get(reverse("recommendations:my_updates"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_admin_is_only_for_staff(client, people):
    url = reverse("admin:index")
    client.force_login(people.reviewer)  # a reviewer is not staff
    assert client.get(url).status_code == 302
    User.objects.filter(pk=people.reviewer.pk).update(is_staff=True)
    assert client.get(url).status_code == 200


def test_production_static_files_have_hashed_compressed_names(tmp_path):
    import json

    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}},
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "tracker.example.org",
        "STATIC_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = manifest["tracker/tracker.css"]
    assert hashed != "tracker/tracker.css" and hashed.startswith("tracker/tracker.")
    assert (tmp_path / (hashed + ".gz")).exists()  # WhiteNoise serves the compressed copy


def test_login_throttling_ignores_a_forged_forwarded_for(client, people, throttled, settings):
    """One rule for the client's address (tracker/client_address.py): the header only counts behind our proxy."""
    settings.BEHIND_PROXY = False
    wrong = {"username": "reporter_a", "password": "wrong"}
    answers = [client.post(reverse("login"), wrong, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}") for n in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]


def test_login_throttling_behind_the_proxy_counts_each_client(client, people, throttled, settings):
    """Behind the proxy every request comes from its address: the header it writes tells the clients apart."""
    settings.BEHIND_PROXY = True

    def fail(ip):
        return client.post(reverse("login"), {"username": "reporter_a", "password": "wrong"}, HTTP_X_FORWARDED_FOR=ip)

    assert [fail("203.0.113.20").status_code for _ in range(3)] == [200, 200, 429]
    assert fail("203.0.113.21").status_code == 200  # another client through the same proxy is not locked
