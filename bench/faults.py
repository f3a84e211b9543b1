"""`make faults`: restart PostgreSQL under load and check that nothing acknowledged is lost.

1. initdb a private PostgreSQL (its own data folder and port), migrate and seed it;
2. serve the tracker with gunicorn (2 workers) against it;
3. send a bounded stream of reads (report pages) and writes (logging progress
   through the real form, each with its own submission token) on loopback;
4. restart that PostgreSQL in the middle (pg_ctl restart -m fast);
5. report the requests that failed during the outage, the seconds until
   requests succeed again, and whether every write that got a success
   response is in the database afterwards; write docs/reliability.md.

    python bench/faults.py [--seconds 30] [--restart-at 10]
"""

import argparse
import contextlib
import datetime
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import gunicorn_command, replace_section  # noqa: E402  (the checkout on the path first)
from bench.cluster import as_postgres, pg_bin  # noqa: E402

WORK = Path(tempfile.gettempdir()) / "tracker-faults"
PG_PORT = 55432
BEGIN, END = "<!-- make faults: begin -->", "<!-- make faults: end -->"
WEB_PORT = 8299


def start_postgres():
    if WORK.exists():
        stop_postgres()
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    data = WORK / "data"
    if os.geteuid() == 0:
        shutil.chown(WORK, "postgres", "postgres")
    as_postgres([pg_bin("initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "--no-sync"])
    pg_ctl("start")
    subprocess.run([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "tracker"], check=True)


def pg_ctl(action: str):
    as_postgres(
        [
            pg_bin("pg_ctl"),
            "-D",
            str(WORK / "data"),
            "-l",
            str(WORK / "postgres.log"),
            "-w",
            "-m",
            "fast",
            "-o",
            f"-p {PG_PORT} -k {WORK} -c listen_addresses=127.0.0.1",
            action,
        ]
    )


def stop_postgres():
    with contextlib.suppress(subprocess.CalledProcessError):
        pg_ctl("stop")


class Load:
    """Threads sending reads and writes; every request is recorded with its time and outcome."""

    def __init__(self, session: str, organization: int, threads: int = 4):
        self.session, self.organization, self.threads = session, organization, threads
        self.records, self.lock, self.stop = [], threading.Lock(), threading.Event()

    def request(self, method, path, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=10)
        headers = {"Cookie": f"sessionid={self.session}; csrftoken={'c' * 32}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, response.getheader("Location", "")
        except OSError as error:
            return f"{type(error).__name__}", ""
        finally:
            connection.close()

    def worker(self, index):
        n = 0
        while not self.stop.is_set():
            n += 1
            started = time.monotonic()
            if n % 2:
                status, _ = self.request("GET", "/reports/?item=R02" if n % 4 == 1 else "/recommendations/R56/")
                ok, token = status == 200, None
            else:
                token = str(uuid.uuid4())
                body = urllib.parse.urlencode(
                    {
                        "csrfmiddlewaretoken": "c" * 32,
                        "organization": self.organization,
                        "status": "limited",
                        "as_of": "2020-01-15",
                        "as_of_precision": "day",
                        "narrative": "Fault-injection update filed while the database restarts.",
                        "evidence_urls": "https://example.org/faults",
                        "submission_token": token,
                    }
                )
                status, location = self.request("POST", "/progress/new/?item=R56&actor=KEN", body)
                ok = status == 302 and "/updates/" in location
            with self.lock:
                self.records.append((started, time.monotonic(), "write" if token else "read", status, ok, token))
            time.sleep(0.02)

    def run(self):
        threads = [threading.Thread(target=self.worker, args=(i,)) for i in range(self.threads)]
        for thread in threads:
            thread.start()
        return threads


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--restart-at", type=float, default=10)
    parser.add_argument("--output", default=str(ROOT / "docs" / "reliability.md"))
    args = parser.parse_args()

    url = f"postgres://postgres@127.0.0.1:{PG_PORT}/tracker"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    print("== private PostgreSQL", flush=True)
    start_postgres()
    gunicorn = None
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "seed"], cwd=ROOT, env=env, check=True)
        os.environ.update(env)
        import django

        django.setup()
        from bench.run import reporter_session
        from recommendations.models import ProgressUpdate

        session, organization = reporter_session()
        from django.db import connection

        connection.close()
        print("== gunicorn, 2 workers", flush=True)
        gunicorn = subprocess.Popen(
            gunicorn_command(WEB_PORT),
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        load = Load(session, organization)
        start = time.monotonic()
        threads = load.run()
        time.sleep(args.restart_at)
        print("== restarting PostgreSQL", flush=True)
        restart_began = time.monotonic()
        pg_ctl("restart")
        restart_ended = time.monotonic()
        time.sleep(max(0.0, args.seconds - (time.monotonic() - start)))
        load.stop.set()
        for thread in threads:
            thread.join()
        records = sorted(load.records)
        failed_during = [r for r in records if not r[4] and r[0] >= restart_began - 1]
        failed_outside = [r for r in records if not r[4] and r[0] < restart_began - 1]
        first_ok_after = next((r for r in records if r[0] >= restart_began and r[4]), None)
        recovery = (first_ok_after[1] - restart_began) if first_ok_after else None
        acknowledged = [r[5] for r in records if r[2] == "write" and r[4]]
        stored = {
            str(t)
            for t in ProgressUpdate.objects.filter(submission_token__in=acknowledged).values_list(
                "submission_token", flat=True
            )
        }
        lost = [t for t in acknowledged if t not in stored]
        statuses = {}
        for r in failed_during:
            statuses[str(r[3])] = statuses.get(str(r[3]), 0) + 1
        result = {
            "requests": len(records),
            "reads": sum(1 for r in records if r[2] == "read"),
            "writes": sum(1 for r in records if r[2] == "write"),
            "failed_during_outage": len(failed_during),
            "failure_statuses": statuses,
            "failed_outside_outage": len(failed_outside),
            "restart_seconds": restart_ended - restart_began,
            "recovery_seconds": recovery,
            "acknowledged_writes": len(acknowledged),
            "lost_writes": len(lost),
        }
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        stop_postgres()
    for key, value in result.items():
        print(f"   {key}: {value}")
    write_report(args.output, result, args)
    print(f"Wrote {args.output}")
    if result["lost_writes"] or result["recovery_seconds"] is None or result["recovery_seconds"] > 5:
        sys.exit(1)


def write_report(path, r, args):
    recovery = f"{r['recovery_seconds']:.2f} s" if r["recovery_seconds"] is not None else "never"
    lines = [
        "## Latest `make faults` run",
        "",
        f"Run of {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M UTC}: {args.seconds:.0f} s of load (4 client "
        f"threads, half report reads, half progress updates through the form) against gunicorn with 2 workers and a "
        f"private PostgreSQL, restarted (`pg_ctl restart -m fast`) {args.restart_at:.0f} s in.",
        "",
        "| Measure | Result | Goal |",
        "|---|---:|---|",
        f"| Requests | {r['requests']} ({r['reads']} reads, {r['writes']} writes) | |",
        f"| PostgreSQL restart took | {r['restart_seconds']:.2f} s | |",
        f"| Requests that failed during the outage | {r['failed_during_outage']} "
        f"({', '.join(f'{k}: {v}' for k, v in r['failure_statuses'].items()) or 'none'}) | a clear 503, nothing half-written |",
        f"| Requests that failed outside it | {r['failed_outside_outage']} | 0 |",
        f"| From the restart to the next successful request | {recovery} | ≤ 5 s |",
        f"| Writes acknowledged (302 to the new update) | {r['acknowledged_writes']} | |",
        f"| Acknowledged writes missing afterwards | {r['lost_writes']} | 0 |",
        "",
    ]
    replace_section(path, BEGIN, END, lines)


if __name__ == "__main__":
    main()
