"""What each statement of one progress update costs PostgreSQL (issue 21, item 3): its backend's CPU time.

    BENCH_DATABASE_URL=postgres://…/SCRATCH python bench/write_statements.py [--repeat 2000]

Posts the logging form once through Django's whole handler (as `bench/write_profile.py`: the bench reporter's
session, CSRF, a new submission token) to capture the statements it sends, then replays each on one psycopg2
connection of its own, ``--repeat`` times, reading that backend's CPU time (`/proc/PID/stat`, user + system)
before and after: the reads one by one (the health check, the session, the person, the item, the actor), the
three INSERTs in their transaction with COMMIT (a new submission token each time), the same transaction with
the update's INSERT alone and with the update and its history row, and the floor's autocommitted one-row
INSERT. The person's and the item's statements are replayed as the code sends them (prepared or not) and, for
comparison, as plain SQL and as a prepared statement. Prints ms of backend CPU, of this process's CPU and of
wall time per execution. WRITES progress updates (a thousand or more): run it on a scratch copy.
"""

import argparse
import json
import os
import re
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
TICK = os.sysconf("SC_CLK_TCK")


def capture(url: str) -> list[str]:
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"})
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from bench.run import reporter_client
    from recommendations.forms import _actors_named_to_write
    from recommendations.roles import _person_sql
    from recommendations.rows import _compiled, _item_sql
    from tracker.sessions import _session_sql

    reporter = reporter_client()
    client, post = reporter.client, reporter.post

    post()
    with CaptureQueriesContext(connection) as captured:
        post()
    user_id = client.session["_auth_user_id"]
    person = _person_sql(connection.vendor).replace("%s", str(int(user_id)))
    item = _item_sql(connection.vendor).replace("%s", "'R56'")
    # What each prepared statement of the post runs, by the prefix of its name (rows.execute_built).
    built = {
        "tracker_person_": _person_sql(connection.vendor),
        "tracker_item_to_write_": _item_sql(connection.vendor),
        "tracker_session_": _session_sql(connection.vendor),
        "tracker_actors_named_to_write_": _compiled(
            _actors_named_to_write, connection.alias, translation.get_language()
        )[0],
    }
    return [q["sql"] for q in captured.captured_queries], person, item, built


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")
    sql, person, item, built = capture(url)
    from recommendations.rows import _numbered

    print("statements of one post, as sent:")
    for statement in sql:
        print("  ", " ".join(statement.split())[:110])
    import psycopg2

    parts = urlparse(url)
    db = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres", dbname=parts.path[1:]
    )
    db.autocommit = True
    cursor = db.cursor()
    cursor.execute("SELECT pg_backend_pid()")
    pid = cursor.fetchone()[0]

    def backend_cpu():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def run(name, body, repeat=args.repeat):
        for _ in range(20):
            body()
        started, own, wall = backend_cpu(), time.process_time(), time.perf_counter()
        for _ in range(repeat):
            body()
        print(
            f"{name:58} backend {(backend_cpu() - started) / repeat * 1000:6.3f} ms   "
            f"client {(time.process_time() - own) / repeat * 1000:6.3f} ms   "
            f"wall {(time.perf_counter() - wall) / repeat * 1000:6.3f} ms",
            flush=True,
        )

    def one(statement):
        def body():
            cursor.execute(statement)
            if cursor.description:
                cursor.fetchall()

        return body

    def strip_prepare(statement):  # the first post on a connection sends PREPARE …; EXECUTE …: keep the EXECUTE
        return statement.split(";\n")[-1] if statement.startswith("PREPARE") else statement

    reads = [strip_prepare(s) for s in sql if not s.startswith(("BEGIN", "INSERT", "COMMIT", "SAVEPOINT", "RELEASE"))]
    inserts = [s for s in sql if s.startswith("INSERT")]
    names = ["the session", "the person, roles, organizations", "the item and its document", "the actor"]
    token = re.compile(r"'[0-9a-f-]{36}'::uuid")
    # The EXECUTEs of prepared statements name statements of the capturing connection: prepare them here.
    for statement in reads:
        if statement.startswith("EXECUTE"):
            name = statement.split()[1].split("(")[0]
            statement = next(text for prefix, text in built.items() if name.startswith(prefix))
            cursor.execute(f"PREPARE {name} AS {_numbered(statement)[0]}")

    def transaction(count):
        def body():
            fresh = f"'{uuid.uuid4()}'::uuid"
            cursor.execute("BEGIN")
            cursor.execute(token.sub(fresh, inserts[0]))
            new = cursor.fetchone()[0]
            if count > 1:
                cursor.execute(re.sub(r"VALUES \(\d+,", f"VALUES ({new},", token.sub(fresh, inserts[1]), count=1))
            if count > 2:
                cursor.execute(inserts[2])
            cursor.execute("COMMIT")

        return body

    cursor.execute("PREPARE bench_person AS " + person)
    cursor.execute("PREPARE bench_item AS " + item)
    for rep in range(2):
        print(f"\npass {rep + 1} ({args.repeat} executions each; load average {os.getloadavg()[0]:.1f}):")
        run("health check (SELECT 1)", one("SELECT 1"))
        for name, statement in zip(names, reads, strict=False):
            run(f"{name} (as sent: {statement.split()[0]})", one(statement))
        run("the person, plain SQL", one(person))
        run("the person, prepared", one("EXECUTE bench_person"))
        run("the item, plain SQL", one(item))
        run("the item, prepared", one("EXECUTE bench_item"))
        run("BEGIN + INSERT update + COMMIT", transaction(1), args.repeat // 2)
        run("BEGIN + INSERT update, history + COMMIT", transaction(2), args.repeat // 2)
        run("BEGIN + INSERT update, history, audit + COMMIT", transaction(3), args.repeat // 2)
        run("the floor: INSERT INTO bench_write (autocommit)", one("INSERT INTO bench_write DEFAULT VALUES"))
    print(json.dumps({"statements": len(sql)}))


if __name__ == "__main__":
    main()
