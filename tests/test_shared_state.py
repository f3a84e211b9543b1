"""Several app servers behind a balancer share what a person does on any of them (issue 21, item 5).

A "server" here is its own cache client, built from the tracker's Redis cache configuration
(``tracker.settings.redis_cache``, what ``REDIS_CACHE_URL`` selects) and pointed at one Redis database,
with its own browser: each request is served with that server's cache in place. A session opened on one is
open on the other, and a logout on either ends it on both; failed logins on both count towards one lockout;
password-reset requests on both towards one limit. The control: servers whose caches are each process's own
memory do not share the limit, so these tests do tell a shared cache from a private one.

On PostgreSQL a second real process (another server: its own interpreter, its own Redis connections) logs in,
fails logins and asks for resets; this process then sees its session, its lockout and its count.

Redis DB 14 (``TEST_REDIS_CACHE_URL``) with a key prefix of its own per test keeps other runs out of the way.
``.ci/run`` sets REDIS_TESTS=required, so there a missing Redis fails instead of skipping.
"""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client
from django.urls import reverse

from tracker.settings import redis_cache

from .redis_server import require_redis

REDIS_URL = os.environ.get("TEST_REDIS_CACHE_URL", "redis://127.0.0.1:6379/14")
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password-1"  # noqa: S105
IP = "198.51.100.23"


@pytest.fixture
def redis_config():
    import redis

    require_redis(REDIS_URL)
    prefix = f"test-shared-{uuid.uuid4().hex[:10]}"
    yield redis_cache(REDIS_URL, prefix)
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def redis_keys(config) -> list[bytes]:
    import redis

    return list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{config['KEY_PREFIX']}:*"))


def sessions_in_redis(config) -> list[bytes]:
    return [key for key in redis_keys(config) if b"django.contrib.sessions" in key]


class Server:
    """One app server: its own cache client and a browser whose requests it serves."""

    def __init__(self, cache):
        self.cache, self.browser = cache, Client()

    @contextlib.contextmanager
    def serving(self):
        previous = caches["default"]
        caches["default"] = self.cache
        try:
            yield
        finally:
            caches["default"] = previous

    def get(self, path):
        with self.serving():
            return self.browser.get(path, REMOTE_ADDR=IP)

    def post(self, path, data=None):
        with self.serving():
            return self.browser.post(path, data or {}, REMOTE_ADDR=IP)


def carry_session(a: Server, b: Server):
    """The same browser's next request, on the other server (a copy: a logout on one must not edit the other's)."""
    b.browser.cookies[settings.SESSION_COOKIE_NAME] = a.browser.cookies[settings.SESSION_COOKIE_NAME].value


def redis_servers(settings, config) -> tuple[Server, Server]:
    settings.CACHES = {"default": config}
    return Server(caches.create_connection("default")), Server(caches.create_connection("default"))


def private_servers() -> tuple[Server, Server]:
    """What a cache kept in each process's memory would be."""
    return Server(LocMemCache(f"a-{uuid.uuid4()}", {})), Server(LocMemCache(f"b-{uuid.uuid4()}", {}))


@pytest.fixture
def person(db):
    return User.objects.create_user("shared@ngo.example", email="shared@ngo.example", password=PASSWORD)


def log_in(server, password=PASSWORD):
    return server.post(reverse("login"), {"username": "shared@ngo.example", "password": password})


def ask_reset(server):
    return server.post(reverse("password_reset"), {"email": "shared@ngo.example"})


@pytest.mark.parametrize(
    "engine", ["tracker.sessions", "django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"]
)
def test_a_session_opened_on_one_server_is_open_on_the_other_and_a_logout_ends_it_on_both(
    settings, redis_config, person, engine
):
    settings.SESSION_ENGINE = engine
    a, b = redis_servers(settings, redis_config)
    cached = engine.endswith("cached_db")
    assert log_in(a).status_code == 302
    carry_session(a, b)  # the balancer sends the next request elsewhere
    mine = b.get(reverse("recommendations:my_updates"))
    assert mine.status_code == 200 and mine.wsgi_request.user == person
    assert len(sessions_in_redis(redis_config)) == (1 if cached else 0)
    assert b.post(reverse("logout")).status_code == 302
    assert a.get(reverse("recommendations:my_updates")).status_code == 302  # to the login page: ended on both
    assert not sessions_in_redis(redis_config)


def test_failed_logins_on_both_servers_count_towards_one_lockout(settings, redis_config, person):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    a, b = redis_servers(settings, redis_config)
    assert [log_in(server, "wrong").status_code for server in (a, b)] == [200, 200]
    assert log_in(a, "wrong").status_code == 429
    locked = log_in(b)  # the right password, on the other server
    assert locked.status_code == 429 and "Too many failed logins" in locked.content.decode()


def test_password_reset_requests_on_both_servers_count_towards_one_limit(settings, redis_config, person):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    a, b = redis_servers(settings, redis_config)
    assert [ask_reset(server).status_code for server in (a, b, a)] == [302, 302, 302]
    assert [ask_reset(server).status_code for server in (b, a)] == [429, 429]
    assert len(mail.outbox) == 3
    assert redis_keys(redis_config)  # counted in Redis


def test_control_private_caches_would_not_share_the_limit(settings, person):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    a, b = private_servers()
    assert [ask_reset(a).status_code for _ in range(3)] == [302, 302, 302]
    assert ask_reset(a).status_code == 429
    assert ask_reset(b).status_code == 302  # another process's memory: a fourth email went out
    assert len(mail.outbox) == 4


def test_control_private_caches_would_keep_a_logged_out_session_open_on_the_other_server(settings, person):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    a, b = private_servers()
    assert log_in(a).status_code == 302
    carry_session(a, b)
    assert b.post(reverse("logout")).status_code == 302
    assert a.get(reverse("recommendations:my_updates")).status_code == 200  # still open in A's own memory


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "django.core.cache.backends.db.DatabaseCache tracker_cache"),
        (
            {"REDIS_CACHE_URL": "redis://cache.internal:6379/1"},
            "django_redis.cache.RedisCache redis://cache.internal:6379/1",
        ),
        (
            {"CACHE_URL": "rediss://cache.internal:6380/2"},
            "django_redis.cache.RedisCache rediss://cache.internal:6380/2",
        ),
    ],
)
def test_redis_cache_url_selects_the_shared_redis_cache(env, expected):
    code = "import tracker.settings as s; c = s.CACHES['default']; print(c['BACKEND'], c['LOCATION'], s.SESSION_ENGINE)"
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_CACHE_URL", "CACHE_URL", "SESSION_ENGINE"}}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True)
    assert done.stdout.strip() == f"{expected} tracker.sessions", done.stderr


def test_a_cache_url_that_is_not_redis_is_refused_with_a_message():
    code = "import tracker.settings"
    env = {**os.environ, "REDIS_CACHE_URL": "memcached://127.0.0.1:11211"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "REDIS_CACHE_URL must be a Redis URL" in done.stderr


SECOND_SERVER = """
import django, json
django.setup()
from django.test import Client
browser = Client()
def post(path, data):
    return browser.post(path, data, REMOTE_ADDR="{ip}").status_code
codes = [post("/accounts/password_reset/", {{"email": "shared@ngo.example"}}) for _ in range(3)]
codes += [post("/accounts/login/", {{"username": "shared@ngo.example", "password": "wrong"}}) for _ in range(2)]
other = Client()
codes.append(other.post("/accounts/login/", {{"username": "second@ngo.example", "password": "{password}"}},
                        REMOTE_ADDR="{ip}").status_code)
print(json.dumps({{"codes": codes, "session": other.cookies["sessionid"].value}}))
"""


def test_a_second_real_process_shares_sessions_lockouts_and_limits(settings, redis_config, transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in this process's memory; PostgreSQL is shared")
    import json

    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "sharedsalt")  # the other process's default hasher
    User.objects.create(username="shared@ngo.example", email="shared@ngo.example", password=hashed)
    second = User.objects.create(username="second@ngo.example", email="second@ngo.example", password=hashed)
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": redis_config["KEY_PREFIX"],
        "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
        "LOGIN_FAILURE_LIMIT": "3",
        "PASSWORD_RESET_PER_ADDRESS": "3",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", SECOND_SERVER.format(ip=IP, password=PASSWORD)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    other = json.loads(done.stdout.strip().splitlines()[-1])
    assert other["codes"] == [302, 302, 302, 200, 200, 302]
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.AXES_ENABLED, settings.AXES_FAILURE_LIMIT = True, 3
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    here, _ = redis_servers(settings, redis_config)
    assert ask_reset(here).status_code == 429  # the fourth request, counted with the other process's three
    assert log_in(here, "wrong").status_code == 429  # the third failure, after the other process's two
    here.browser.cookies["sessionid"] = other["session"]
    assert here.get(reverse("recommendations:my_updates")).wsgi_request.user == second
