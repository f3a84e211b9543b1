"""Password reset is throttled per address and per IP address, with a clear message, across processes."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

RESET = reverse("password_reset")
ROOT = Path(__file__).resolve().parent.parent


def ask(client, address, ip="198.51.100.7"):
    return client.post(RESET, {"email": address}, REMOTE_ADDR=ip)


def refused(response) -> bool:
    return response.status_code == 429 and "Too many password reset requests" in response.content.decode()


@pytest.fixture
def accounts(db):
    for n in range(12):
        User.objects.create_user(f"person{n}@ngo.example", email=f"person{n}@ngo.example", password="x" * 12)


def test_an_address_gets_a_few_resets_an_hour_then_a_clear_message(client, accounts, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    for _ in range(3):
        assert ask(client, "person1@ngo.example").status_code == 302
    assert len(mail.outbox) == 3
    fourth = ask(client, "Person1@NGO.example ", ip="192.0.2.44")  # another spelling, another IP: same address
    assert refused(fourth)
    assert "3 an hour" in fourth.content.decode()
    assert len(mail.outbox) == 3
    assert ask(client, "person2@ngo.example").status_code == 302  # other addresses are not affected
    assert len(mail.outbox) == 4


def test_an_ip_address_gets_a_few_resets_an_hour_then_a_clear_message(client, accounts, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 10
    for n in range(10):
        assert ask(client, f"person{n}@ngo.example", ip="203.0.113.9").status_code == 302
    eleventh = ask(client, "person10@ngo.example", ip="203.0.113.9")
    assert refused(eleventh)
    assert "10 an hour" in eleventh.content.decode()
    assert len(mail.outbox) == 10
    assert ask(client, "person10@ngo.example", ip="203.0.113.10").status_code == 302  # another IP


def test_unknown_addresses_count_too_so_the_answer_reveals_nothing(client, accounts, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    answers = [ask(client, "nobody@nowhere.example").status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert not mail.outbox


def test_the_limit_lifts_when_the_window_has_passed(client, accounts, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 1
    settings.PASSWORD_RESET_WINDOW_SECONDS = 1  # an hour in production; a second here
    assert ask(client, "person3@ngo.example").status_code == 302
    refusal = ask(client, "person3@ngo.example")
    assert refused(refusal) and "for this address (1 every 1 second)" in refusal.content.decode()
    time.sleep(2.1)
    assert ask(client, "person3@ngo.example").status_code == 302


def test_the_throttle_is_shared_by_every_process(transactional_db):
    """Requests served by another process (another gunicorn worker) count against the same limit."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in this process's memory; PostgreSQL is shared")
    User.objects.create_user("shared@ngo.example", email="shared@ngo.example", password="x" * 12)
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    worker = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "codes = [Client().post('/accounts/password_reset/', {'email': 'shared@ngo.example'},"
        " REMOTE_ADDR='198.51.100.99').status_code for _ in range(3)]\n"
        "print(codes)\n"
    )
    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", worker], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
        )
        assert done.stdout.strip().splitlines()[-1] == "[302, 302, 302]", done.stdout + done.stderr
        assert refused(ask(Client(), "shared@ngo.example", ip="198.51.100.98"))
    finally:
        cache.clear()
