"""`make bench`: the tracker at a million progress updates, measured against the database's own speed.

Steps (each printed as it runs):
  1. a PostgreSQL database for the benchmark (BENCH_DATABASE_URL, default
     postgres://postgres@127.0.0.1:5432/tracker_bench), migrated and seeded,
     with --updates synthetic updates and --organizations organizations
     (regenerated only when the counts differ);
  2. every report page and export: median and p95 server time over 20 warm
     requests, its number of queries, and the same SQL replayed directly
     through psycopg2; the ratio page ÷ SQL is the headline figure;
  3. the naive summary (latest status from the history on the fly);
  4. the CSV export of every status: rows per second, time to first byte,
     and the exporting process's peak memory at 100k rows and at all rows;
  5. logging progress over HTTP under gunicorn (2 workers) with wrk, against
     a bare Django view and a bare view committing one row (the write floor)
     in the same run, --rounds times in turn;
  6. the admin changelists of progress updates and current statuses;
  7. reading the worst files the import accepts or refuses (bench/import_limits.py);
then writes docs/performance.md.

    python bench/run.py [--updates 1000000] [--organizations 5000] [--regenerate]
    python bench/run.py --mode depth | --mode breadth [--runs updates:pairs:organizations,…]   (bench/scaling.py)
    python bench/run.py --mode logging [--rounds 3] [--load-seconds 15]   (step 5 alone, printed only)
"""

import argparse
import dataclasses
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import gunicorn_command, server_shape  # noqa: E402  (the checkout on the path first)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench"
PY = sys.executable
REPEAT = 20
BENCH_REPORTER = "synthetic-bench-reporter"


def say(text):
    print(text, flush=True)


def manage(*args, env):
    subprocess.run([PY, str(ROOT / "manage.py"), *args], check=True, env=env, cwd=ROOT)


def ensure_database(url: str):
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres", dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def drop_database(url: str):
    import psycopg2

    parts = urlparse(url)
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres", dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    admin.close()


def timed(fn, repeat=REPEAT, warm=2):
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(round(0.95 * len(samples))) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=1_000_000)
    parser.add_argument("--organizations", type=int, default=5000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--load-seconds", type=int, default=15)
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument(
        "--mode",
        choices=["full", "depth", "breadth", "both", "logging"],
        default="full",
        help="full: everything at one size (this page); depth: the same pairs with more history; "
        "breadth: ten times the pairs; both: depth then breadth (bench/scaling.py); logging: step 5 alone, on "
        "the database as it is (migrated and seeded), printed and not written to the page",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="step 5: logging, bare view and bare write, this many times in turn"
    )
    parser.add_argument("--runs", help="depth/breadth: updates:pairs:organizations,… (defaults in bench/scaling.py)")
    args = parser.parse_args()
    if args.mode == "logging":
        measure_logging_alone(args)
        return
    if args.mode != "full":
        from bench import scaling

        scaling.main(args.mode, args.runs, args.output)
        return

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    results = {"started": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"), "args": vars(args)}

    say(f"== 1. data: {args.updates:,} updates, {args.organizations:,} organizations in {url}")
    ensure_database(url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    from recommendations.models import Actor, CurrentStatus, ProgressUpdate

    # What the generator made (the load test adds updates of its own reporter: not counted).
    have = ProgressUpdate.objects.exclude(reported_by_organization__code=BENCH_REPORTER).count()
    orgs = Actor.objects.filter(code__startswith="synthetic-org-").count()
    if args.regenerate or have != args.updates or orgs != args.organizations:
        if have or orgs:
            say(f"   the database holds {have:,} updates and {orgs:,} synthetic organizations: rebuilding it")
            connection.close()
            drop_database(url)
            ensure_database(url)
            call_command("migrate", verbosity=0)
            call_command("seed", verbosity=0)
        started = time.perf_counter()
        call_command(
            "generate_benchmark_data", updates=args.updates, organizations=args.organizations, seed=1, verbosity=1
        )
        results["generation_seconds"] = time.perf_counter() - started
    else:
        say("   already generated; reusing it (--regenerate to rebuild)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    results["updates"] = ProgressUpdate.objects.count()
    results["current_statuses"] = CurrentStatus.objects.count()
    results["organizations"] = Actor.objects.organizations().count()
    results["countries"] = Actor.objects.countries().count()

    results["pages"] = measure_pages(connection, url)
    results["naive"] = measure_naive(url)
    results["export"] = measure_export(env)
    results["load"] = measure_load(env, args.load_seconds, args.rounds)
    results["admin"] = measure_admin(connection)
    results["import_limits"] = measure_import_limits(env)
    write_report(args.output, results)
    say(f"\nWrote {args.output}")


# ---------------------------------------------------------------------------
# 2. pages
# ---------------------------------------------------------------------------


def pick_targets():
    from django.db.models import Count

    from recommendations.models import Actor, CurrentStatus, ProgressUpdate, Recommendation

    popular = (
        ProgressUpdate.objects.values("recommendation_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["recommendation_id"]
    )
    item = Recommendation.objects.get(pk=popular).code
    country = (
        CurrentStatus.objects.filter(actor__kind="country")
        .values("actor_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["actor_id"]
    )
    return item, Actor.objects.get(pk=country).code


def measure_pages(connection, url):
    import psycopg2
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from recommendations import reports
    from recommendations.filters import StatusFilter

    item, country = pick_targets()
    client = Client()
    total = reports.table_page(reports.build_scope(StatusFilter(None)), sort="actor", offset=0, limit=1)[1]
    deep = max(1, total // 50 // 2)
    pages = [
        ("Summary", "/reports/"),
        ("Matrix: all countries × all items", "/reports/matrix/?actor_kind=country"),
        ("Table, page 1", "/reports/table/"),
        (f"Table, deep page ({deep})", f"/reports/table/?page={deep}"),
        (f"Item report ({item})", f"/recommendations/{item}/"),
        (f"Country profile ({country})", f"/actors/{country}/"),
        (f"As-of snapshot, one item ({item}, 2015-12-31)", f"/reports/?item={item}&on=2015-12-31"),
        ("As-of snapshot, all items (2015-12-31)", "/reports/?on=2015-12-31"),
        ("Item list", "/recommendations/"),
        ("Home", "/"),
        (f"World map ({item})", f"/reports/map/?item={item}"),
        (f"World map on a date ({item}, 2015-12-31)", f"/reports/map/?item={item}&on=2015-12-31"),
        (f"World map download, SVG ({item})", f"/reports/map.svg?item={item}"),
        ("Compare three countries (KEN, UGA, TZA)", "/compare/?actors=KEN,UGA,TZA"),
        (f"CSV export ({item})", f"/reports/status.csv?item={item}"),
        (f"JSON export ({item})", f"/reports/status.json?item={item}"),
    ]
    raw = psycopg2.connect(url)
    raw.autocommit = True
    rows = []
    say(f"\n== 2. pages ({REPEAT} warm requests each; SQL replayed through psycopg2)")
    say(f"{'page':50} {'median':>9} {'p95':>9} {'queries':>7} {'raw SQL':>9} {'ratio':>6}")

    def fetch(path):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return body

    for name, path in pages:
        median, p95 = timed(lambda path=path: fetch(path))
        with CaptureQueriesContext(connection) as captured:
            fetch(path)
        statements = [
            # A server-side cursor shows as DECLARE … FOR <query>: replay the query itself.
            re.sub(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(?:OUT)? HOLD FOR ', "", q["sql"])
            for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
        ]

        def replay(statements=statements):
            with raw.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()

        sql_median, _ = timed(replay)
        gz = len(client.get(path, HTTP_ACCEPT_ENCODING="gzip").content) if "export" not in name else None
        row = {
            "name": name,
            "path": path,
            "median_ms": median,
            "p95_ms": p95,
            "queries": len(statements),
            "sql_ms": sql_median,
            "ratio": median / sql_median if sql_median else None,
            "gzip_bytes": gz,
        }
        rows.append(row)
        say(f"{name:50} {median:8.1f}ms {p95:8.1f}ms {len(statements):7d} {sql_median:8.1f}ms {row['ratio']:6.2f}")
    raw.close()
    return rows


def measure_naive(url):
    import psycopg2

    say("\n== 3. the same summary the naive way (latest status from history on the fly)")
    naive = (
        "SELECT status, COUNT(*) FROM (SELECT DISTINCT ON (actor_id, recommendation_id) status "
        "FROM recommendations_progressupdate WHERE state = 'verified' "
        "ORDER BY actor_id, recommendation_id, as_of DESC, created_at DESC, id DESC) latest GROUP BY status"
    )
    maintained = "SELECT status, COUNT(*) FROM recommendations_currentstatus GROUP BY status"
    raw = psycopg2.connect(url)
    result = {}
    for name, sql in (("naive", naive), ("maintained", maintained)):

        def run(sql=sql):
            with raw.cursor() as cursor:
                cursor.execute(sql)
                cursor.fetchall()

        result[name] = timed(run, repeat=5, warm=1)[0]
        say(f"   {name:10} {result[name]:8.1f} ms")
    with raw.cursor() as cursor:
        cursor.execute(naive)
        a = sorted(cursor.fetchall())
        cursor.execute(maintained)
        b = sorted(cursor.fetchall())
    result["same_counts"] = a == b
    say(f"   same counts: {a == b}")
    raw.close()
    return result


def probe(script: str, *args, env):
    """Run a bench/ script in a fresh process; its last line of output is JSON."""
    out = subprocess.run(
        [PY, str(ROOT / "bench" / script), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_export(env):
    say("\n== 4. CSV export of every status (fresh process each)")
    result = {}
    for label, rows in (("100k", 100_000), ("all", 0)):
        data = probe("export_probe.py", "--rows", str(rows), env=env)
        data["rows_per_second"] = data["rows"] / data["seconds"]
        result[label] = data
        say(
            f"   {label:5} {data['rows']:>9,} rows in {data['seconds']:.2f} s = {data['rows_per_second']:,.0f} rows/s, "
            f"first byte {data['ttfb'] * 1000:.0f} ms, first row {data['first_row'] * 1000:.0f} ms, "
            f"peak RSS {data['peak_rss_mb']:.0f} MB"
        )
    result["growth_mb"] = result["all"]["peak_rss_mb"] - result["100k"]["peak_rss_mb"]
    say(f"   memory growth 100k → all: {result['growth_mb']:.1f} MB")
    return result


# ---------------------------------------------------------------------------
# 5. logging progress over HTTP
# ---------------------------------------------------------------------------


# What bench/log_progress.lua posts, and with which CSRF token (its cookie and the form's field).
LOGGING_PATH = "/progress/new/?item=R56&actor=KEN"
BENCH_CSRF = "b" * 32


def progress_post_fields(org):
    """The fields of the form ``bench/log_progress.lua`` posts to ``LOGGING_PATH`` (the real form, as a browser
    fills it), with a new submission token each time (a repeated token is a double submission, answered without
    a write). The query-count tests clean the same fields."""
    import uuid

    return {
        "organization": org,
        "status": "limited",
        "as_of": "2020-01-15",
        "as_of_precision": "day",
        "narrative": "Benchmark update filed through the form under load.",
        "evidence_urls": "https://example.org/bench",
        "submission_token": str(uuid.uuid4()),
    }


def progress_post_body(csrf, org):
    """``progress_post_fields`` form-encoded as a browser sends them, with the CSRF token."""
    from urllib.parse import urlencode

    return urlencode({"csrfmiddlewaretoken": csrf, **progress_post_fields(org)})


def reporter_session():
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from recommendations.models import Actor, Membership

    org, _ = Actor.objects.get_or_create(
        code=BENCH_REPORTER,
        defaults={
            "kind": "organization",
            "name": "Synthetic bench reporter",
            "organization_type": "ngo",
            "is_synthetic": True,
        },
    )
    user, _ = User.objects.get_or_create(username="bench-reporter", defaults={"email": "bench@example.org"})
    user.groups.add(Group.objects.get(name="Reporter"))
    Membership.objects.get_or_create(user=user, organization=org)
    # A session as a login makes it (the backend named in it must be one of AUTHENTICATION_BACKENDS: a
    # hand-made session naming ModelBackend, no longer listed, was anonymous, and every post went to the login).
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value, org.pk


def floor_table():
    """The table the write floor inserts into (``bench/urls.py``'s ``bare_write``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_write (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())"
        )


@dataclasses.dataclass
class Reporter:
    """The bench reporter logged in: its session and organization (for wrk's scripts, through the environment)
    and a test client holding its session and CSRF cookies, which posts the form as ``log_progress.lua`` does."""

    session: str
    org: int
    client: object
    csrf: str = BENCH_CSRF

    def environment(self) -> dict:
        """What ``bench/log_progress.lua`` reads from the environment."""
        return {"BENCH_SESSION": self.session, "BENCH_CSRF": self.csrf, "BENCH_ORG": str(self.org)}

    def post(self):
        """One update through the whole handler (every middleware, the form, the service, the redirect): form-
        encoded as a browser and the wrk script send it (the test client's default is multipart), a new
        submission token each time. A refused post stops the run: the figures would measure refusals."""
        response = self.client.post(
            LOGGING_PATH, progress_post_body(self.csrf, self.org), content_type="application/x-www-form-urlencoded"
        )
        if response.status_code != 302 or "/login" in response["Location"]:
            raise SystemExit(f"the post was refused ({response.status_code}); the figures would measure refusals")
        # The message cookie would otherwise grow with every post (a browser follows the redirect and reads it;
        # wrk never sends it back either).
        self.client.cookies.pop("messages", None)
        return response


def reporter_client() -> Reporter:
    """The bench reporter, logged in (``reporter_session``), with the floor's table made: what every logging
    benchmark starts from (``write_profile``, ``write_statements``, ``write_cpu``, ``logging_ab``, step 5)."""
    from django.conf import settings
    from django.test import Client

    session, org = reporter_session()
    floor_table()
    client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    client.cookies[settings.CSRF_COOKIE_NAME] = BENCH_CSRF
    return Reporter(session, org, client)


def wrk(script, url, seconds):
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}


def measure_load(env, seconds, rounds=1):
    """Logging, the bare view and the bare one-row write, each for ``seconds`` under wrk, ``rounds`` times in
    turn: on a shared machine the load changes during a run, so each round's ratio is taken from runs seconds
    apart, and the figures kept are the medians of the rounds.

    Each round runs the floor on both sides of logging (write, logging, write, then the bare view), and its
    ratio divides by the mean of the two floors. With one floor after logging, a machine whose speed swung
    with a period of about two rounds (seen on 2026-11-30: the bare view at 1,107 then 2,633 requests/s in
    consecutive rounds) made the ratio swing from 9 to 28 % round by round; a floor on each side cancels a
    change of speed that is steady across the round."""
    workers, threads = server_shape()
    say(
        f"\n== 5. logging progress over HTTP: gunicorn {workers} workers × {threads} threads, wrk 2 threads × 8 "
        f"connections, {seconds} s each, "
        f"{rounds} round(s) in turn"
    )
    if not shutil.which("wrk"):
        say("   wrk is not installed (apt-get install wrk): skipped")
        return None
    from recommendations.models import ProgressUpdate

    reporter = reporter_client()
    port = int(os.environ.get("BENCH_PORT", "8199"))  # another free port when two benches share a machine
    server = subprocess.Popen(
        gunicorn_command(port),
        env={**env, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        cwd=ROOT,
    )
    try:
        for _ in range(50):
            try:
                subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/__bare__/"], check=True, capture_output=True)
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)
        os.environ.update(reporter.environment())
        # A warm-up, not counted: each worker's first requests import and connect.
        wrk(str(ROOT / "bench" / "log_progress.lua"), f"http://127.0.0.1:{port}", 2)
        wrk(str(ROOT / "bench" / "bare.lua"), f"http://127.0.0.1:{port}/__bare_write__/", 1)
        runs = []
        for number in range(1, rounds + 1):
            floor = f"http://127.0.0.1:{port}/__bare_write__/"
            write_before = wrk(str(ROOT / "bench" / "bare.lua"), floor, seconds)
            before = ProgressUpdate.objects.count()
            logging = wrk(str(ROOT / "bench" / "log_progress.lua"), f"http://127.0.0.1:{port}", seconds)
            logging["created"] = ProgressUpdate.objects.count() - before
            if not logging["created"]:  # the posts were answered (a login page, a form with errors) without a write
                raise SystemExit("   no update was created under load: the figures would measure refusals, not writes")
            write_after = wrk(str(ROOT / "bench" / "bare.lua"), floor, seconds)
            bare = wrk(str(ROOT / "bench" / "bare.lua"), f"http://127.0.0.1:{port}/__bare__/", seconds)
            write = {key: (write_before[key] + write_after[key]) / 2 for key in write_before}
            load_average = os.getloadavg()[0]
            runs.append({"logging": logging, "bare": bare, "write": write, "load_average": load_average})
            if rounds > 1:
                say(
                    f"   round {number}: log {logging['rps']:.1f} req/s p95 {logging['p95_ms']:.1f} ms "
                    f"({int(logging['created'])} created); bare {bare['rps']:.1f}; bare write {write_before['rps']:.1f} "
                    f"before, {write_after['rps']:.1f} after, "
                    f"p95 {write['p95_ms']:.1f} ms; log ÷ floor {logging['rps'] / write['rps'] * 100:.1f} %; "
                    f"load average {load_average:.1f}"
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    def median_run(kind):
        return {key: statistics.median(run[kind][key] for run in runs) for key in runs[0][kind]}

    logging, bare, write = median_run("logging"), median_run("bare"), median_run("write")
    logging["created"] = sum(run["logging"]["created"] for run in runs)
    floor_shares = [run["logging"]["rps"] / run["write"]["rps"] for run in runs]
    say(
        f"   log progress: {logging['rps']:.1f} req/s, p95 {logging['p95_ms']:.1f} ms, {int(logging['created'])} updates "
        f"created,"
        f" {int(logging['errors'])} errors"
    )
    say(f"   bare view:    {bare['rps']:.1f} req/s, p95 {bare['p95_ms']:.1f} ms")
    say(f"   bare write:   {write['rps']:.1f} req/s, p95 {write['p95_ms']:.1f} ms")
    queries = queries_per_write()
    floor_share = statistics.median(floor_shares)
    say(
        f"   log progress: {queries} queries per write; {floor_share * 100:.0f} % of the one-row write floor's "
        f"requests/s; p95 {logging['p95_ms']:.1f} ms"
    )
    return {
        "logging": logging,
        "bare": bare,
        "write": write,
        "share": logging["rps"] / bare["rps"],
        "floor_share": floor_share,
        "queries_per_write": queries,
        "rounds": runs,
    }


def measure_logging_alone(args):
    """``--mode logging``: step 5 on BENCH_DATABASE_URL as it is (the write path reads no history: a seeded
    database is enough), for comparing a change to the write path with its floor quickly."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    ensure_database(url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from recommendations.models import ProgressUpdate

    call_command("migrate", verbosity=0)
    if not ProgressUpdate._meta.apps.get_model("recommendations", "Recommendation").objects.exists():
        call_command("seed", verbosity=0)
    say(f"== logging alone in {url}: {ProgressUpdate.objects.count():,} progress updates")
    result = measure_load(env, args.load_seconds, args.rounds)
    if result:
        say(json.dumps({key: value for key, value in result.items() if key != "rounds"}, indent=1))


def queries_per_write() -> int:
    """The statements one progress update costs through the form (session, roles, checks, inserts)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reporter = reporter_client()
    reporter.post()  # the connection's first post prepares its statements (the session, person, item, actor)
    with CaptureQueriesContext(connection) as captured:
        reporter.post()
    return len(captured.captured_queries)


# ---------------------------------------------------------------------------
# 6. admin
# ---------------------------------------------------------------------------


def measure_import_limits(env):
    say("\n== 7. reading the worst files the import accepts or refuses")
    result = probe("import_limits.py", "--json", env=env)
    for r in result:
        say(
            f"   {r['file']}: {r['seconds']:.2f} s, {r['rows_read']:,} rows, {r['heap_peak_mb']:.0f} MB — {r['outcome']}"
        )
    return result


def import_limits_section(results) -> list[str]:
    lines = [
        "",
        "## Import: the worst files",
        "",
        "Reading alone (the archive check and the rows, before any database work), in one process; "
        "`python bench/import_limits.py` reruns it. The limits are in the README.",
        "",
        "| File | Size | Time | Rows looked at | Heap peak | Outcome |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        outcome = r["outcome"].replace("|", "/")
        lines.append(
            f"| {r['file']} | {r['bytes'] / 1024:,.0f} KB | {r['seconds']:.2f} s | {r['rows_read']:,} | "
            f"{r['heap_peak_mb']:.0f} MB | {outcome} |"
        )
    return lines


def measure_admin(connection):
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    say("\n== 6. admin changelists")
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(admin)
    result = []
    for model in ("progressupdate", "currentstatus"):
        path = f"/admin/recommendations/{model}/"
        median, p95 = timed(lambda path=path: client.get(path), repeat=5, warm=1)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        unfiltered = [
            q["sql"]
            for q in captured.captured_queries
            if "COUNT(" in q["sql"].upper() and "progressupdate" in q["sql"] and "WHERE" not in q["sql"].upper()
        ]
        result.append(
            {"model": model, "median_ms": median, "p95_ms": p95, "unfiltered_history_counts": len(unfiltered)}
        )
        say(f"   {model:15} {median:8.1f} ms (p95 {p95:.1f}), unfiltered COUNT(*) on history: {len(unfiltered)}")
    return result


# ---------------------------------------------------------------------------
# docs/performance.md
# ---------------------------------------------------------------------------


def machine():
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    version = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} CPUs (nproc), {memory} memory, {platform.platform()}, Python {platform.python_version()}, {version}"


def ok(flag):
    return "yes" if flag else "**no**"


def write_report(path, r):
    pages = r["pages"]
    report_pages = [p for p in pages if "export" not in p["name"] and p["name"] not in ("Item list", "Home")]
    lines = [
        "# Performance",
        "",
        "Generated by `make bench` (`python bench/run.py`); rerun it to refresh this page. "
        f"Run of {r['started']} on {machine()}.",
        "",
        f"Data: {r['updates']:,} progress updates (about 80 % verified), {r['current_statuses']:,} current statuses, "
        f"{r['countries']} countries, {r['organizations']:,} organizations (synthetic, `generate_benchmark_data --seed 1`).",
    ]
    if r.get("generation_seconds"):
        lines.append(f"Generating them took {r['generation_seconds']:.0f} s.")
    lines += [
        "",
        "## Report pages",
        "",
        f"Server time through Django's test client, {REPEAT} warm requests each; *raw SQL* is the same statements "
        "replayed directly through psycopg2 (fetching every row); *ratio* = page ÷ raw SQL.",
        "",
        "| Page | Median | p95 | Queries | Raw SQL | Ratio | gzip size |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in pages:
        size = f"{p['gzip_bytes'] / 1024:.0f} KB" if p["gzip_bytes"] else "—"
        lines.append(
            f"| {p['name']} (`{p['path']}`) | {p['median_ms']:.1f} ms | {p['p95_ms']:.1f} ms | {p['queries']} | "
            f"{p['sql_ms']:.1f} ms | {p['ratio']:.2f} | {size} |"
        )
    naive = r["naive"]
    lines += [
        "",
        "## What the current-status table buys",
        "",
        f"Counting statuses the naive way (latest verified update per pair with `DISTINCT ON` over the history): "
        f"**{naive['naive']:.0f} ms**; over the maintained `CurrentStatus` table: **{naive['maintained']:.1f} ms** "
        f"(same counts: {naive['same_counts']}).",
        "",
        "## CSV export of every status",
        "",
        "| Rows | Time | Rows/s | First byte (header) | First data row | Peak memory of the process |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for label in ("100k", "all"):
        e = r["export"][label]
        lines.append(
            f"| {e['rows']:,} | {e['seconds']:.2f} s | {e['rows_per_second']:,.0f} | {e['ttfb'] * 1000:.0f} ms | "
            f"{e['first_row'] * 1000:.0f} ms | {e['peak_rss_mb']:.0f} MB |"
        )
    lines.append(f"\nMemory growth from 100k rows to all rows: {r['export']['growth_mb']:.1f} MB.")
    load = r["load"]
    lines += ["", "## Logging progress over HTTP", ""]
    if load:
        lg, bare = load["logging"], load["bare"]
        workers, threads = server_shape()
        lines += [
            f"gunicorn, {workers} workers × {threads} threads (gthread), local PostgreSQL; wrk with 2 threads and "
            "8 connections, "
            f"{r['args']['load_seconds']} s per run on loopback, {len(load.get('rounds', [None]))} round(s) of the "
            "three runs in turn (the medians of the rounds below). Logging posts the real form (session, CSRF, a new "
            "submission token per request) and creates an update awaiting review.",
            "",
            "| Endpoint | Requests/s | p50 | p95 | p99 | Errors |",
            "|---|---:|---:|---:|---:|---:|",
            f"| Log progress (`POST /progress/new/`) | {lg['rps']:.1f} | {lg['p50_ms']:.1f} ms | {lg['p95_ms']:.1f} ms | "
            f"{lg['p99_ms']:.1f} ms | {int(lg['errors'])} |",
            f"| Bare Django view | {bare['rps']:.1f} | {bare['p50_ms']:.1f} ms | {bare['p95_ms']:.1f} ms | "
            f"{bare['p99_ms']:.1f} ms | {int(bare['errors'])} |",
            f"| Bare view committing one row (the write floor) | {load['write']['rps']:.1f} | {load['write']['p50_ms']:.1f} ms | "
            f"{load['write']['p95_ms']:.1f} ms | {load['write']['p99_ms']:.1f} ms | {int(load['write']['errors'])} |",
            "",
            f"Logging runs at {load['share'] * 100:.0f} % of the bare view's rate and at "
            f"{load.get('floor_share', 0) * 100:.0f} % of the one-row write floor's; {int(lg['created'])} updates "
            f"were created. One update through the form costs {load.get('queries_per_write', '?')} statements, "
            "BEGIN and COMMIT included (before issue 21: 17 besides BEGIN and COMMIT; then 12 with them).",
            "",
            "The write path statement by statement, and two checkouts compared in turn (`bench/logging_ab.py`): "
            '"Writes closer to their floor" below.',
        ]
    else:
        lines.append("Skipped: wrk is not installed.")
    lines += [
        "",
        "## Admin changelists",
        "",
        "| Changelist | Median | p95 | Unfiltered COUNT(*) on history |",
        "|---|---:|---:|---:|",
    ]
    for a in r["admin"]:
        lines.append(
            f"| {a['model']} | {a['median_ms']:.1f} ms | {a['p95_ms']:.1f} ms | {a['unfiltered_history_counts']} |"
        )

    lines += import_limits_section(r["import_limits"])

    matrix = next(p for p in pages if p["name"].startswith("Matrix"))
    snapshot_all = next(p for p in pages if p["name"].startswith("As-of snapshot, all"))
    maps = [p for p in pages if p["name"].startswith("World map")]
    goals = [
        (
            "World map of one item ≤ 150 ms median (page, snapshot and SVG download)",
            all(p["median_ms"] <= 150 for p in maps),
            ", ".join(f"{p['name']} {p['median_ms']:.0f} ms" for p in maps),
        ),
        (
            "Every report page ≤ 250 ms median",
            all(p["median_ms"] <= 250 for p in report_pages if p is not snapshot_all),
            ", ".join(f"{p['name']} {p['median_ms']:.0f} ms" for p in report_pages if p is not snapshot_all),
        ),
        (
            "Every report page ≤ 2 × its raw SQL",
            all(p["ratio"] <= 2 for p in report_pages),
            ", ".join(f"{p['name']} {p['ratio']:.1f}×" for p in report_pages),
        ),
        (
            "As-of snapshot for all items ≤ 1 s",
            snapshot_all["median_ms"] <= 1000,
            f"{snapshot_all['median_ms']:.0f} ms",
        ),
        (
            "Matrix ≤ 200 KB with compression",
            matrix["gzip_bytes"] <= 200 * 1024,
            f"{matrix['gzip_bytes'] / 1024:.0f} KB",
        ),
        (
            "CSV ≥ 100k rows/s",
            r["export"]["all"]["rows_per_second"] >= 100_000,
            f"{r['export']['all']['rows_per_second']:,.0f} rows/s",
        ),
        (
            "CSV first byte < 1 s",
            r["export"]["all"]["ttfb"] < 1,
            f"{r['export']['all']['ttfb'] * 1000:.0f} ms (first data row {r['export']['all']['first_row'] * 1000:.0f} ms)",
        ),
        ("CSV memory growth 100k → all < 50 MB", r["export"]["growth_mb"] < 50, f"{r['export']['growth_mb']:.1f} MB"),
    ]
    if load:
        goals += [
            ("Logging ≥ 50 % of the bare view's requests/s", load["share"] >= 0.5, f"{load['share'] * 100:.0f} %"),
            ("Logging p95 < 150 ms", load["logging"]["p95_ms"] < 150, f"{load['logging']['p95_ms']:.0f} ms"),
            (
                "Logging ≥ 25 % of the one-row write floor, p95 < 100 ms (issue 21)",
                load.get("floor_share", 0) >= 0.25 and load["logging"]["p95_ms"] < 100,
                f"{load.get('floor_share', 0) * 100:.0f} %, p95 {load['logging']['p95_ms']:.0f} ms, "
                f"{load.get('queries_per_write', '?')} queries per write",
            ),
        ]
    goals.append(
        (
            "Admin changelists < 500 ms, no unfiltered COUNT(*) on history",
            all(a["median_ms"] < 500 and not a["unfiltered_history_counts"] for a in r["admin"]),
            ", ".join(f"{a['model']} {a['median_ms']:.0f} ms" for a in r["admin"]),
        )
    )
    lines += ["", "## Goals", "", "| Goal | Met | Measured |", "|---|---|---|"]
    lines += [f"| {goal} | {ok(met)} | {value} |" for goal, met, value in goals]
    if Path(path).exists():  # the depth and breadth tables (bench/scaling.py) survive a full run
        kept = re.findall(r"<!-- scaling:\w+:start -->.*?<!-- scaling:\w+:end -->", Path(path).read_text(), flags=re.S)
        if kept:
            lines += ["", "## Depth and breadth", "", *kept]
    notes = Path(path).with_name("performance-notes.md")
    if notes.exists():  # the hand-written analysis: what makes it fast, and what the misses mean
        lines += ["", notes.read_text().strip()]
    Path(path).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
