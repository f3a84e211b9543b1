"""A PostgreSQL that is restarting delays a new connection instead of failing it (tracker/postgresql/base.py).

The restart is a real port: nothing listens on it for a second (connections are refused, as while PostgreSQL
restarts), then it forwards to the test database's server. A connection opened in that second waits and gets
through; with the wait turned off it fails at once; a database that stays away fails once the wait is over.
"""

import contextlib
import socket
import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from django.db.utils import load_backend

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the wait is the PostgreSQL backend's"),
    pytest.mark.django_db,
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def restarting_database(after: float):
    """A port that refuses connections for ``after`` seconds, then forwards them to the real server."""
    port, target = (
        free_port(),
        (connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432)),
    )
    stop = threading.Event()

    def pump(source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def serve():
        time.sleep(after)
        with socket.socket() as listener:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", port))
            listener.listen()
            listener.settimeout(0.1)
            while not stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                server = socket.create_connection(target)
                threading.Thread(target=pump, args=(client, server), daemon=True).start()
                threading.Thread(target=pump, args=(server, client), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join()


def other_connection(port: int):
    settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": str(port)}
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="other")


def connect(port: int) -> float:
    other = other_connection(port)
    began = time.monotonic()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        other.close()
    return time.monotonic() - began


def test_a_connection_opened_while_the_database_restarts_waits_and_gets_through(settings):
    settings.DATABASE_CONNECT_WAIT = 5
    with restarting_database(after=1.0) as port:
        took = connect(port)
    assert 0.9 <= took < 4


def test_without_the_wait_the_same_connection_fails_at_once(settings):
    settings.DATABASE_CONNECT_WAIT = 0
    with restarting_database(after=1.0) as port:
        began = time.monotonic()
        with pytest.raises(OperationalError):
            connect(port)
        assert time.monotonic() - began < 0.9


def test_a_database_that_stays_away_fails_when_the_wait_is_over(settings):
    settings.DATABASE_CONNECT_WAIT = 1
    began = time.monotonic()
    with pytest.raises(OperationalError):
        connect(free_port())
    assert 0.9 <= time.monotonic() - began < 3


def test_the_tracker_selects_the_waiting_backend_for_postgresql():
    assert connection.settings_dict["ENGINE"] == "tracker.postgresql"
    assert type(connections["default"]).__module__ == "tracker.postgresql.base"
