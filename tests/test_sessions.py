"""Sessions read by a statement built once (tracker/sessions.py): the same rows and the same rule as Django's db
engine (this key, not expired), one statement a request, on PostgreSQL the connection's prepared statement."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tracker.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_engine_is_this_one():
    from importlib import import_module

    assert import_module(settings.SESSION_ENGINE).SessionStore is SessionStore


def test_a_session_read_here_equals_django_s():
    mine = SessionStore()
    mine.update({"_auth_user_id": "7", "language": "fr", "nested": {"a": [1, 2]}})
    mine.save()
    row = SessionStore(mine.session_key)._get_session_from_db()
    theirs = DjangoSessionStore(mine.session_key)._get_session_from_db()
    assert isinstance(row, Session) and row._state.adding is False and row._state.db == "default"
    for field in Session._meta.concrete_fields:
        assert getattr(row, field.attname) == getattr(theirs, field.attname), field.name
    assert isinstance(row.expire_date, datetime.datetime) and timezone.is_aware(row.expire_date)
    assert dict(SessionStore(mine.session_key).items()) == dict(DjangoSessionStore(mine.session_key).items())
    assert SessionStore(mine.session_key)["nested"] == {"a": [1, 2]}


def test_an_expired_or_unknown_session_is_nobody_s_as_django_s():
    store = SessionStore()
    store["_auth_user_id"] = "7"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - datetime.timedelta(1))
    for key in (store.session_key, "x" * 32):
        for engine in (SessionStore, DjangoSessionStore):
            session = engine(key)
            assert session._get_session_from_db() is None
            assert session.session_key is None  # the dead key is dropped: the next save makes a new one
            assert dict(engine(key).items()) == {}


def test_an_expired_login_is_sent_to_log_in_again(client, people):
    client.force_login(people.reporter_a)
    assert client.get("/my/updates/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/my/updates/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_one_statement_reads_the_session_and_it_is_built_once(client, people):
    from tracker.sessions import _session_sql

    client.force_login(people.reporter_a)
    client.get("/my/updates/")
    _session_sql.cache_clear()
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/my/updates/").status_code == 200
        reads = [
            q["sql"]
            for q in captured.captured_queries
            if "django_session" in q["sql"] or "tracker_session_" in q["sql"]
        ]
        assert len(reads) == 1, reads
    assert _session_sql.cache_info().misses == 1
