"""`make cluster-faults`: break the cluster under load and count what its users would notice.

1. start the `make cluster` topology in its own folder and on its own ports (.cluster-faults/, 18080…): nginx,
   two gunicorn servers, a Celery worker and beat, a private PostgreSQL and Redis, an SMTP sink that answers
   slowly (so a send takes a while), with the digest schedule every 5 seconds;
2. log in through the balancer (the login form) as a reporter and a reviewer; three followers of the item
   get every verified update "immediately" by email;
3. send bounded load through nginx: report pages (GETs, never retried by the client: the balancer must), the
   reporter logging progress through the form (each with its submission token; a submission that got no
   answer is sent again with the same token, as a person pressing the button again), the reviewer verifying
   each acknowledged update through the review form (its version number makes a repeat harmless), and the
   digests the worker sends;
4. meanwhile: kill one web server (SIGKILL to its whole process group) and start it again; kill the Celery
   worker while it is sending a digest and start it again; restart PostgreSQL (pg_ctl restart -m fast);
5. stop the load, let the digests settle, and check the database and the mailbox: every acknowledged update
   and verification is there once, every follower got every verified update in exactly one email, no email
   twice; report failed requests and the recovery time of each fault; write docs/reliability.md; stop and
   remove the cluster but its logs (.cluster-faults/logs/, which say why a request failed).

    python bench/cluster_faults.py [--seconds 90] [--keep]
"""

import argparse
import collections
import contextlib
import datetime
import email
import http.client
import os
import queue
import re
import shutil
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import replace_section  # noqa: E402  (the checkout on the path first)
from bench.cluster import Cluster, Ports, wait_until  # noqa: E402

RUN = ROOT / ".cluster-faults"
PORTS = Ports(balancer=18080, web=(18081, 18082), postgres=55434, redis=56380, smtp=18025)
MAIL_DELAY = 1.5  # seconds the mail server waits before its greeting: every send takes at least this long
LEASE = 15  # DIGEST_LEASE_SECONDS here (600 by default): bounds how long the run waits for a taken-over digest
BEGIN, END = "<!-- make cluster-faults: begin -->", "<!-- make cluster-faults: end -->"
ITEM, COUNTRIES = "R56", ["KEN", "MEX", "PHL", "SEN", "NPL", "ECU"]
READS = ["/reports/?item=R56", "/recommendations/R56/", "/reports/table/?item=R56", "/actors/KEN/", "/reports/"]
CSRF = "f" * 32  # Django accepts a 32-character secret as both the cookie and the form's token
PASSWORD = "fault-run-" + uuid.uuid4().hex


class Browser:
    """One person's browser: cookies, one request at a time, through the balancer."""

    def __init__(self, port: int, log: "Log", kind: str):
        self.port, self.log, self.kind = port, log, kind
        self.cookies = {"csrftoken": CSRF}

    def request(self, method: str, path: str, form: dict | None = None, *, kind: str | None = None):
        headers = {"Host": f"localhost:{self.port}", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            # The token of the current cookie (Django rotates it at login).
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", CSRF), **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        began = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status, location = response.status, response.getheader("Location", "")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                if "expires=Thu, 01 Jan 1970" in rest or value in {"", '""'}:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        except OSError as error:
            status, location = type(error).__name__, ""
        finally:
            connection.close()
        self.log.add(began, time.monotonic(), kind or self.kind, method, path, status, location)
        return status, location

    def log_in(self, username: str) -> None:
        status, location = self.request("POST", "/accounts/login/", {"username": username, "password": PASSWORD})
        if status != 302 or "sessionid" not in self.cookies:
            sys.exit(f"could not log in as {username} through the balancer: {status} {location}")


class Log:
    def __init__(self):
        self.rows, self.lock = [], threading.Lock()

    def add(self, *row):
        with self.lock:
            self.rows.append(row)


class Load:
    """Readers, a reporter and a reviewer, until stopped."""

    def __init__(self, port: int, log: Log, reporter: Browser, reviewer: Browser, readers: int = 2):
        self.port, self.log, self.reporter, self.reviewer = port, log, reporter, reviewer
        self.readers, self.stop = readers, threading.Event()
        self.to_review: queue.Queue = queue.Queue()
        self.acknowledged: dict[str, int] = {}  # submission token -> update id
        self.sent_tokens: list[str] = []
        self.verified: list[int] = []
        self.resubmitted = collections.Counter()

    def read(self, n: int):
        browser = Browser(self.port, self.log, "read")
        i = n
        while not self.stop.is_set():
            browser.request("GET", READS[i % len(READS)])
            i += 1
            time.sleep(0.05)

    def submit(self, browser: Browser, path: str, form: dict, kind: str, accepted) -> str | None:
        """Send a form until it is acknowledged, the same form each time (as a person pressing again)."""
        for attempt in range(60):
            status, location = browser.request("POST", path, form, kind=kind)
            if accepted(status, location):
                return location
            if attempt == 0:
                self.resubmitted[kind] += 1
            time.sleep(0.5)
        return None

    def report(self):
        n = 0
        while not self.stop.is_set():
            country = COUNTRIES[n % len(COUNTRIES)]
            n += 1
            token = str(uuid.uuid4())
            self.sent_tokens.append(token)
            form = {
                "organization": self.organization,
                "status": "limited",
                "as_of": "2024-01-15",
                "as_of_precision": "day",
                "narrative": "Filed by make cluster-faults while the cluster is being broken.",
                "evidence_urls": "https://example.org/cluster-faults",
                "submission_token": token,
            }
            location = self.submit(
                self.reporter,
                f"/progress/new/?item={ITEM}&actor={country}",
                form,
                "write",
                lambda status, location: status == 302 and "/updates/" in location,
            )
            if location:
                pk = int(re.search(r"/updates/(\d+)/", location)[1])
                self.acknowledged[token] = pk
                self.to_review.put(pk)
            time.sleep(0.2)

    def review(self):
        while not (self.stop.is_set() and self.to_review.empty()):
            try:
                pk = self.to_review.get(timeout=0.5)
            except queue.Empty:
                continue
            location = self.submit(
                self.reviewer,
                f"/updates/{pk}/review/",
                {"decision": "verify", "version": 1},
                "verify",
                lambda status, location: status == 302,
            )
            if location is not None:
                self.verified.append(pk)

    def start(self, organization: int) -> list[threading.Thread]:
        self.organization = organization
        threads = [threading.Thread(target=self.read, args=(n,)) for n in range(self.readers)]
        threads += [threading.Thread(target=self.report), threading.Thread(target=self.review)]
        for thread in threads:
            thread.start()
        return threads


# --- setting up the people (through the ORM, against the cluster's database) --------------------------


def fresh_connections():
    from django.db import connections

    connections.close_all()


def set_up_people():
    from django.contrib.auth.models import Group, User
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from alerts import services as alerts
    from alerts.models import Follow, Frequency, Preference
    from recommendations.models import Actor, Membership, Recommendation

    fresh_connections()
    organization, _ = Actor.objects.get_or_create(
        code="cluster-faults-ngo",
        defaults={
            "kind": "organization",
            "name": "Cluster faults NGO",
            "organization_type": "ngo",
            "is_synthetic": True,
        },
    )

    def person(name, group):
        user, _ = User.objects.get_or_create(username=name, defaults={"email": f"{name}@faults.example"})
        user.set_password(PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=group))
        return user

    reporter = person("fault-reporter", "Reporter")
    Membership.objects.get_or_create(user=reporter, organization=organization)
    person("fault-reviewer", "Reviewer")
    Preference.objects.update_or_create(user=reporter, defaults={"frequency": Frequency.NEVER})
    item = Recommendation.objects.get(code=ITEM)
    followers = []
    for n in range(1, 4):
        follower = person(f"fault-follower-{n}", "Reporter")
        Preference.objects.update_or_create(user=follower, defaults={"frequency": Frequency.IMMEDIATELY})
        Follow.objects.get_or_create(user=follower, recommendation=item)
        followers.append(follower.pk)
    alerts.collect_notifications()  # the first run starts the clock
    every_five, _ = IntervalSchedule.objects.get_or_create(every=5, period=IntervalSchedule.SECONDS)
    digests = PeriodicTask.objects.get(task="alerts.send_digests")
    digests.interval = every_five
    digests.save()
    return organization.pk, followers


# --- the faults -------------------------------------------------------------------------------------


def web_fault(cluster: Cluster, down_for: float) -> dict:
    say("== killing web1 (SIGKILL to gunicorn's master and workers)")
    killed = time.monotonic()
    killed_at = time.time()
    cluster.kill("web1")
    time.sleep(down_for)
    say("== starting web1 again")
    restarted = time.monotonic()
    restarted_at = time.time()
    cluster.start_web(1)
    healthy = wait_until(lambda: cluster.web_healthy(1), 60, 0.05)
    routed = wait_until(lambda: first_routed(cluster, PORTS.web[0], restarted_at) is not None, 30, 0.2)
    back = first_routed(cluster, PORTS.web[0], restarted_at)
    return {
        "killed": killed,
        "killed_at": killed_at,
        "restarted": restarted,
        "down_for": down_for,
        "healthy_after_restart": healthy,
        "routed_after_restart": (back - restarted_at) if back and routed is not None else None,
    }


def first_routed(cluster: Cluster, port: int, since: float) -> float | None:
    """When nginx first got a 200 from that server after ``since`` (its access log, msec precision)."""
    with contextlib.suppress(FileNotFoundError):
        for line in (cluster.logs / "nginx-access.log").read_text().splitlines():
            match = re.match(r"(\d+\.\d+) .* upstream=(.*) upstream_status=(.*)$", line)
            if not match or float(match[1]) < since:
                continue
            pairs = list(zip(match[2].split(", "), match[3].split(", "), strict=False))
            if (f"127.0.0.1:{port}", "200") in pairs:
                return float(match[1])
    return None


def retried_by_nginx(cluster: Cluster, began_at: float, ended_at: float) -> int:
    """Requests nginx sent to a second server (its log names two) between these times."""
    count = 0
    with contextlib.suppress(FileNotFoundError):
        for line in (cluster.logs / "nginx-access.log").read_text().splitlines():
            match = re.match(r"(\d+\.\d+) .* upstream=(.*) upstream_status=", line)
            if match and began_at <= float(match[1]) <= ended_at and "," in match[2]:
                count += 1
    return count


def sends_in_progress() -> list[int]:
    from django.utils import timezone

    from alerts.models import Digest

    fresh_connections()
    return list(
        Digest.objects.filter(sent_at__isnull=True, lease_until__gt=timezone.now()).values_list("pk", flat=True)
    )


def worker_fault(cluster: Cluster) -> dict:
    from alerts.models import Digest

    say("== waiting for the worker to be in the middle of sending a digest")
    if wait_until(lambda: bool(sends_in_progress()), 60, 0.05) is None:
        return {"interrupted": [], "recovery": None}
    interrupted = sends_in_progress()
    say(f"== killing the Celery worker (SIGKILL to its whole process group) while it sends digests {interrupted}")
    killed = time.monotonic()
    cluster.kill("worker")
    time.sleep(3)
    say("== starting the worker again")
    cluster.start_worker()

    def delivered():
        fresh_connections()
        return not Digest.objects.filter(pk__in=interrupted, sent_at__isnull=True).exists()

    recovered = wait_until(delivered, LEASE + 90, 0.2)
    return {
        "killed": killed,
        "interrupted": interrupted,
        "recovery": (recovered + 3) if recovered is not None else None,  # from the kill (3 s of which it was down)
    }


def postgres_fault(cluster: Cluster) -> dict:
    say("== restarting PostgreSQL (pg_ctl restart -m fast)")
    began, began_at = time.monotonic(), time.time()
    cluster.restart_postgres()
    ended = time.monotonic()
    return {"began": began, "began_at": began_at, "took": ended - began}


# --- the figures ------------------------------------------------------------------------------------


def check(load: Load, followers: list[int], cluster: Cluster) -> dict:
    from alerts.models import Digest, Notification
    from recommendations.models import AuditAction, AuditEvent, ProgressUpdate

    fresh_connections()
    filed = ProgressUpdate.objects.filter(created_by__username="fault-reporter")
    stored = collections.Counter(str(t) for t in filed.values_list("submission_token", flat=True))
    acknowledged = load.acknowledged
    logged = collections.Counter(
        AuditEvent.objects.filter(
            action=AuditAction.LOGGED, object_id__in=[str(pk) for pk in filed.values_list("pk", flat=True)]
        ).values_list("object_id", flat=True)
    )
    verified_events = collections.Counter(
        AuditEvent.objects.filter(
            action=AuditAction.VERIFIED, object_id__in=[str(pk) for pk in load.verified]
        ).values_list("object_id", flat=True)
    )
    verified_now = set(filed.filter(state="verified").values_list("pk", flat=True))
    # Email: every follower hears of every verified update once, in exactly one email per digest sent.
    mailbox = collections.Counter()
    for path in cluster.mail.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        mailbox[message["To"]] += 1
    sent = collections.Counter(
        Digest.objects.filter(sent_at__isnull=False, items__gt=0).values_list("user__email", flat=True)
    )
    undelivered = Notification.objects.filter(user_id__in=followers, update_id__in=verified_now).exclude(
        digest__sent_at__isnull=False
    )
    heard = collections.Counter(
        Notification.objects.filter(user_id__in=followers, update_id__in=verified_now).values_list("user_id", flat=True)
    )
    return {
        "writes_sent": len(load.sent_tokens),
        "writes_acknowledged": len(acknowledged),
        "writes_lost": sum(1 for token in acknowledged if not stored[token]),
        "writes_duplicated": sum(n - 1 for n in stored.values() if n > 1)
        + sum(n - 1 for n in logged.values() if n > 1)
        + sum(1 for token in stored if token not in load.sent_tokens),
        "verifies_acknowledged": len(load.verified),
        "verifies_lost": sum(1 for pk in load.verified if pk not in verified_now),
        "verifies_duplicated": sum(n - 1 for n in verified_events.values() if n > 1),
        "emails": sum(mailbox.values()),
        "digests_sent": sum(sent.values()),
        "emails_duplicated": sum(max(0, n - sent[address]) for address, n in mailbox.items()),
        "emails_missing": sum(max(0, n - mailbox[address]) for address, n in sent.items()),
        "notifications_undelivered": undelivered.count(),
        "followers_missing_an_update": sum(1 for user in followers if heard[user] != len(verified_now)),
        "verified_updates": len(verified_now),
    }


def settle(load: Load, followers: list[int], seconds: float) -> float | None:
    """Wait until every verified update is in a sent email to every follower."""
    from alerts.models import Notification
    from recommendations.models import ProgressUpdate

    def done():
        fresh_connections()
        verified = ProgressUpdate.objects.filter(created_by__username="fault-reporter", state="verified")
        expected = verified.count() * len(followers)
        delivered = Notification.objects.filter(
            user_id__in=followers, update__in=verified, digest__sent_at__isnull=False
        ).count()
        return delivered == expected

    return wait_until(done, seconds, 0.5)


def window(rows, began, ended, kinds=("read",)) -> dict:
    """The requests of these kinds that were under way at some moment between ``began`` and ``ended``."""
    inside = [r for r in rows if r[2] in kinds and r[0] < ended and r[1] > began]
    return {
        "requests": len(inside),
        "failed": len([r for r in inside if not ok(r)]),
        "slowest_ms": max(((r[1] - r[0]) * 1000 for r in inside), default=0),
    }


def ok(row) -> bool:
    kind, status, location = row[2], row[5], row[6]
    if kind == "read":
        return status == 200
    if kind == "write":
        return status == 302 and "/updates/" in location
    return status == 302


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values, default=0)


def say(text):
    print(text, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=90, help="how long the load runs (the faults take ~70 s)")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running and its folder in place")
    parser.add_argument("--output", default=str(ROOT / "docs" / "reliability.md"))
    args = parser.parse_args()

    if RUN.exists():
        Cluster(RUN, PORTS).stop()
        shutil.rmtree(RUN)
    cluster = Cluster(
        RUN, PORTS, settings={"DIGEST_LEASE_SECONDS": str(LEASE), "LOG_LEVEL": "WARNING"}, mail_delay=MAIL_DELAY
    )
    started = time.monotonic()
    say(f"== starting the cluster in {RUN} (nginx :{PORTS.balancer}, web :{PORTS.web[0]} :{PORTS.web[1]})")
    cluster.start()
    say(f"   up in {time.monotonic() - started:.0f} s")
    try:
        os.environ.update(cluster.env())
        import django

        django.setup()
        organization, followers = set_up_people()
        fresh_connections()
        log = Log()
        reporter, reviewer = Browser(PORTS.balancer, log, "login"), Browser(PORTS.balancer, log, "login")
        reporter.log_in("fault-reporter")
        reviewer.log_in("fault-reviewer")
        load = Load(PORTS.balancer, log, reporter, reviewer)
        say(f"== load through nginx for {args.seconds:.0f} s: 2 readers, a reporter, a reviewer; digests every 5 s")
        began, load_average = time.monotonic(), os.getloadavg()
        threads = load.start(organization)
        time.sleep(8)
        web = web_fault(cluster, down_for=8)
        time.sleep(5)
        worker = worker_fault(cluster)
        time.sleep(3)
        postgres = postgres_fault(cluster)
        time.sleep(max(5.0, args.seconds - (time.monotonic() - began)))
        load.stop.set()
        for thread in threads:
            thread.join()
        load_seconds, load_average_after = time.monotonic() - began, os.getloadavg()
        say("== load stopped; waiting for the last digests")
        settled = settle(load, followers, LEASE + 60)
        rows = sorted(log.rows)
        first_ok_after_pg = next((r for r in rows if r[0] >= postgres["began"] and ok(r)), None)
        postgres["recovery"] = (first_ok_after_pg[1] - postgres["began"]) if first_ok_after_pg else None
        figures = check(load, followers, cluster)
        reads = [r for r in rows if r[2] == "read"]
        web_end, pg_end = web["restarted"] + 10, postgres["began"] + postgres["took"] + 5
        web["retried"] = retried_by_nginx(cluster, web["killed_at"], web["killed_at"] + (web_end - web["killed"]))
        postgres["retried"] = retried_by_nginx(
            cluster, postgres["began_at"], postgres["began_at"] + (pg_end - postgres["began"])
        )
        logs = cluster.logs
        web_logs = "".join((logs / f"web{n}.log").read_text(errors="replace") for n in (1, 2))
        result = {
            "served_again": web_logs.count("serving it again"),
            "marks_waited": (logs / "worker.log").read_text(errors="replace").count("trying again"),
            "load_seconds": load_seconds,
            "load_average": load_average,
            "load_average_after": load_average_after,
            "reads": len(reads),
            "reads_failed": sum(1 for r in reads if not ok(r)),
            "read_p95_ms": p95([(r[1] - r[0]) * 1000 for r in reads]),
            "web": web,
            "web_reads": window(rows, web["killed"], web_end),
            "web_posts": window(rows, web["killed"], web_end, ("write", "verify")),
            "worker": worker,
            "postgres": postgres,
            "pg_reads": window(rows, postgres["began"], pg_end),
            "pg_posts": window(rows, postgres["began"], pg_end, ("write", "verify")),
            "resubmitted": dict(load.resubmitted),
            "settled": settled,
            **figures,
        }
        failures_by_status = collections.Counter(str(r[5]) for r in reads if not ok(r))
        result["read_failures_by_status"] = dict(failures_by_status)
        # Which requests failed, when (seconds after the load began) and on which fault's watch: the server logs
        # (kept in .cluster-faults/logs/) say why.
        result["failed_requests"] = [
            f"{r[3]} {r[4]} -> {r[5]} at {r[0] - began:.2f}-{r[1] - began:.2f} s" for r in rows if not ok(r)
        ]
    finally:
        if not args.keep:
            say("== stopping and removing the cluster")
            cluster.stop()
            # Everything but the logs, which say why a request failed (the next run removes them).
            for path in RUN.iterdir():
                if path != cluster.logs:
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
    for key, value in result.items():
        say(f"   {key}: {value}")
    write_report(args.output, result, args, sys.argv[1:])
    say(f"Wrote {args.output}")
    missed = [
        name
        for name in (
            "reads_failed",
            "writes_lost",
            "writes_duplicated",
            "verifies_lost",
            "verifies_duplicated",
            "emails_duplicated",
            "emails_missing",
            "notifications_undelivered",
            "followers_missing_an_update",
        )
        if result[name]
    ]
    if result["worker"]["recovery"] is None or result["postgres"]["recovery"] is None:
        missed.append("recovery")
    if missed:
        sys.exit(f"Goals missed: {', '.join(missed)}")


def seconds(value) -> str:
    return f"{value:.2f} s" if value is not None else "never"


RUNS_HEADING = "## `make cluster-faults` runs"


def command_line(argv: list[str]) -> str:
    """The command that ran this, as a person would type it again: make's, when make started it; nice's too."""
    extra = " ".join(argv)
    if os.environ.get("MAKELEVEL"):
        command = "make cluster-faults" + (f" FAULT_ARGS='{extra}'" if extra else "")
    else:
        command = " ".join(["python bench/cluster_faults.py", *argv])
    niceness = os.nice(0)
    return f"nice -n {niceness} {command}" if niceness else command


def add_run(path, lines: list[str]) -> None:
    """Put this run's section first between the marks and keep the earlier runs under it, newest first."""
    document = Path(path)
    text = document.read_text() if document.exists() else ""
    earlier = text.partition(BEGIN)[2].partition(END)[0].splitlines() if BEGIN in text else []
    earlier = [line for line in earlier if line != RUNS_HEADING]
    while earlier and not earlier[0].strip():
        earlier.pop(0)
    while earlier and not earlier[-1].strip():
        earlier.pop()
    replace_section(path, BEGIN, END, [RUNS_HEADING, "", *lines, *earlier, *([""] if earlier else [])])


def write_report(path, r, args, argv: list[str]):
    web, worker, pg = r["web"], r["worker"], r["postgres"]
    now = datetime.datetime.now(datetime.UTC)
    load = ", ".join(f"{value:.1f}" for value in r["load_average"])
    statuses = ", ".join(f"{k}: {v}" for k, v in r["read_failures_by_status"].items()) or "none"
    resubmitted = ", ".join(f"{k} {v}" for k, v in r["resubmitted"].items()) or "none"

    def saw(reads, posts, retried):
        return (
            f"{reads['failed']} of {reads['requests']} reads failed (slowest {reads['slowest_ms']:.0f} ms; "
            f"{retried} requests sent on to the other server by nginx); {posts['failed']} of {posts['requests']} "
            "form posts answered with an error, then sent again"
        )

    lines = [
        f"### Run of {now:%Y-%m-%d %H:%M UTC}",
        "",
        f"`{command_line(argv)}`; load average {load} (1, 5, 15 min) when the load began, "
        f"{r['load_average_after'][0]:.1f} when it stopped ({os.cpu_count()} cores, shared with other work). "
        f"{r['load_seconds']:.0f} s of load through nginx (2 readers, a reporter "
        "logging progress through the form, a reviewer verifying each update through the review form; digests "
        f"every 5 s to 3 followers, through a mail server that takes {MAIL_DELAY} s to greet).",
        "",
        "| Fault | What users saw | Recovery | Goal |",
        "|---|---|---|---|",
        f"| web1 killed (SIGKILL, whole process group), started again {web['down_for']:.0f} s later | "
        f"{saw(r['web_reads'], r['web_posts'], web['retried'])} | back on /healthz "
        f"{seconds(web['healthy_after_restart'])} after its start; nginx routed to it again after "
        f"{seconds(web['routed_after_restart'])} | 0 failed reads |",
        f"| Celery worker killed while sending {len(worker['interrupted'])} digests (restarted 3 s later) | "
        f"nothing on the web | the interrupted digests sent {seconds(worker['recovery'])} after the kill "
        f"(lease {LEASE} s here, 600 s by default) | sent once, none lost |",
        f"| PostgreSQL restarted (`pg_ctl restart -m fast`, {pg['took']:.2f} s) | "
        f"{saw(r['pg_reads'], r['pg_posts'], pg['retried'])} | first success {seconds(pg['recovery'])} after "
        "the restart began | 0 failed reads |",
        "",
        "| Measure | Result | Goal |",
        "|---|---:|---|",
        f"| Report-page reads through nginx | {r['reads']} (p95 {r['read_p95_ms']:.0f} ms) | |",
        f"| Reads that failed | {r['reads_failed']} ({statuses}) | 0 |",
        f"| Updates submitted / acknowledged (302 to the update) | {r['writes_sent']} / {r['writes_acknowledged']} | |",
        f"| Form posts sent again with the same token after an error or no answer | {resubmitted} | |",
        f"| Reads served again inside a server after their connection was cut (tracker/middleware.py) | "
        f"{r['served_again']} | |",
        f'| Digests sent during the restart whose "sent" mark waited for the database | {r["marks_waited"]} | |',
        f"| Acknowledged updates missing afterwards | {r['writes_lost']} | 0 |",
        f"| Updates stored twice (per token, or logged twice) | {r['writes_duplicated']} | 0 |",
        f"| Verifications acknowledged / missing / recorded twice | {r['verifies_acknowledged']} / "
        f"{r['verifies_lost']} / {r['verifies_duplicated']} | – / 0 / 0 |",
        f"| Emails in the mailbox / digests marked sent | {r['emails']} / {r['digests_sent']} | equal |",
        f"| Emails sent twice / sent digests with no email | {r['emails_duplicated']} / {r['emails_missing']} | 0 / 0 |",
        f"| Verified updates a follower never got by email | {r['notifications_undelivered']} | 0 |",
        f"| Last digest delivered after the load stopped | {seconds(r['settled'])} | |",
        "",
    ]
    if r.get("failed_requests"):
        lines += [
            "Requests answered with an error (seconds after the load began; the server logs say why):",
            "",
            *(f"- `{failed}`" for failed in r["failed_requests"]),
            "",
        ]
    add_run(path, lines)


if __name__ == "__main__":
    main()
