"""What a post's three INSERTs cost as five round trips (BEGIN, the update, its history row, its audit line, COMMIT)
against one data-modifying ``WITH`` statement in autocommit, at the driver: the price of the "one round trip
where three are made" that issue 21 suggests, before deciding whether it is worth a second write path.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/SCRATCH python bench/round_trips.py [--writes 3000] [--rounds 3]

Three small tables of its own (created afresh in the database named: use a scratch one), psycopg2 alone (no
Django: this prices the round trips and the statements, not the ORM's Python, which "Writes: a post's CPU" prices).
Prints, per write, the wall time, this process's CPU and the PostgreSQL backend's CPU (from /proc), each way,
alternating the two ways ``--rounds`` times.
"""

import argparse
import os
import resource
import time
from urllib.parse import urlparse

import psycopg2

NARRATIVE = "Benchmark update filed through the form under load. " * 2
TABLES = ("bench_rt_update", "bench_rt_history", "bench_rt_audit")


def connect():
    url = urlparse(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_round_trips"))
    connection = psycopg2.connect(
        dbname=url.path.lstrip("/"), host=url.hostname, port=url.port or 5432, user=url.username or "postgres"
    )
    connection.autocommit = True
    return connection


def five_round_trips(cursor):
    cursor.execute("BEGIN")
    cursor.execute("INSERT INTO bench_rt_update (text, status) VALUES (%s, %s) RETURNING id", (NARRATIVE, "limited"))
    update = cursor.fetchone()[0]
    cursor.execute("INSERT INTO bench_rt_history (ref, text, status) VALUES (%s, %s, %s)", (update, NARRATIVE, "+"))
    cursor.execute("INSERT INTO bench_rt_audit (ref, text, status) VALUES (%s, %s, %s)", (update, "created", "update"))
    cursor.execute("COMMIT")


def one_statement(cursor):
    cursor.execute(
        "WITH u AS (INSERT INTO bench_rt_update (text, status) VALUES (%s, %s) RETURNING id), "
        "h AS (INSERT INTO bench_rt_history (ref, text, status) SELECT id, %s, %s FROM u) "
        "INSERT INTO bench_rt_audit (ref, text, status) SELECT id, %s, %s FROM u RETURNING ref",
        (NARRATIVE, "limited", NARRATIVE, "+", "created", "update"),
    )
    cursor.fetchone()


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    connection = connect()
    cursor = connection.cursor()
    for table in TABLES:
        cursor.execute(
            f"DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id bigserial PRIMARY KEY, ref bigint, text text, "
            "status text, at timestamptz DEFAULT now())"
        )
    cursor.execute("SELECT pg_backend_pid()")
    pid = cursor.fetchone()[0]
    print(f"load average {os.getloadavg()[0]:.1f}; {args.writes} writes a run")
    for __ in range(args.rounds):
        for name, write in (("five round trips", five_round_trips), ("one statement", one_statement)):
            wall, cpu, backend = time.perf_counter(), own_cpu(), backend_cpu(pid)
            for __ in range(args.writes):
                write(cursor)
            wall, cpu = time.perf_counter() - wall, own_cpu() - cpu
            backend = backend_cpu(pid) - backend
            per = 1000 / args.writes
            print(
                f"{name:>16}: wall {wall * per:.3f} ms, this process {cpu * per:.3f} ms CPU, "
                f"PostgreSQL backend {backend * per:.3f} ms CPU per write"
            )
    for table in TABLES:
        cursor.execute(f"DROP TABLE {table}")


if __name__ == "__main__":
    main()
