"""`make cluster`: the production topology on one machine, from Debian's and PyPI's packages.

    nginx :8080 ──► gunicorn web1 :8081 ─┐
              └──► gunicorn web2 :8082 ─┼──► PostgreSQL :55433 (a private cluster, initdb)
    Celery worker ──────────────────────┤──► Redis :56379 (db 0: the task queue; db 1: the shared cache)
    Celery beat (the schedules) ────────┘──► SMTP sink :8025 (every email kept as a file)
    one MEDIA_ROOT (evidence, prepared exports) shared by all of them

Every piece runs from the checkout with DJANGO_ENV=production settings (collectstatic, a generated secret
key), on its own port, and keeps everything under one run folder (``.cluster/``, git-ignored): the database,
Redis's append-only file, the evidence files, the static files, the caught emails, the logs and the pids.
It never touches the machine's own PostgreSQL (5432) or Redis (6379).

    .venv/bin/python bench/cluster.py start|stop|status|manage [--dir .cluster] [--port 8080] [--web-ports 8081,8082]
                                               [--pg-port 55433] [--redis-port 56379] [--smtp-port 8025]

`stop` stops every process and keeps the run folder, so the next `start` finds its data again; remove the
folder to start afresh. The ports also come from the environment (CLUSTER_PORT, CLUSTER_WEB_PORTS,
CLUSTER_PG_PORT, CLUSTER_REDIS_PORT, CLUSTER_SMTP_PORT, CLUSTER_DIR), as the Makefile passes them.
`make cluster-faults` (bench/cluster_faults.py) drives this class.
"""

import argparse
import contextlib
import dataclasses
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
NGINX_USER = "www-data"  # nginx's worker processes, when started as root (Debian's user for web servers)


def pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found: install PostgreSQL's server package (apt-get install postgresql)")
    return str(found[-1])


def as_postgres(args, **kwargs):
    """initdb and pg_ctl refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


def process_start(pid: int) -> str | None:
    """When a live process started (clock ticks since boot), or None if there is none (or a zombie)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return None if fields[0] == "Z" else fields[19]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def http_status(port: int, path: str = "/healthz", timeout: float = 2.0) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        connection.close()


def wait_until(condition, seconds: float, step: float = 0.1) -> float | None:
    """Seconds until ``condition()`` held, or None if it did not within ``seconds``."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if condition():
            return time.monotonic() - began
        time.sleep(step)
    return None


@dataclasses.dataclass
class Ports:
    balancer: int = 8080
    web: tuple[int, ...] = (8081, 8082)
    postgres: int = 55433
    redis: int = 56379
    smtp: int = 8025

    def all(self) -> dict[str, int]:
        named = {"nginx": self.balancer, "postgres": self.postgres, "redis": self.redis, "mail": self.smtp}
        named.update({f"web{n}": port for n, port in enumerate(self.web, 1)})
        return named


class Cluster:
    """Start, stop and break the pieces of the cluster; each runs in its own process group."""

    def __init__(self, run: Path, ports: Ports, *, settings: dict | None = None, mail_delay: float = 0.0):
        self.run, self.ports, self.extra, self.mail_delay = run.resolve(), ports, settings or {}, mail_delay
        self.logs, self.pids, self.data = self.run / "logs", self.run / "pids", self.run / "postgres"
        self.media, self.static, self.mail = self.run / "media", self.run / "static", self.run / "mail"
        self.processes: dict[str, subprocess.Popen] = {}

    # --- the environment every tracker process gets ---------------------------------------------

    def secret_key(self) -> str:
        path = self.run / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.ports.postgres}/tracker"

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"}}
        redis = f"redis://127.0.0.1:{self.ports.redis}"
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": self.secret_key(),
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "SITE_URL": f"http://localhost:{self.ports.balancer}",
            # nginx sets X-Forwarded-For/-Proto. No TLS on this loopback cluster (a real one terminates it in nginx).
            "BEHIND_PROXY": "1",
            "SECURE_SSL_REDIRECT": "0",
            "HSTS_SECONDS": "0",
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": f"{redis}/0",
            "REDIS_CACHE_URL": f"{redis}/1",
            "MEDIA_ROOT": str(self.media),
            "STATIC_ROOT": str(self.static),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.ports.smtp),
            "EMAIL_USE_TLS": "0",
            "PYTHONUNBUFFERED": "1",
            **self.extra,
        }

    # --- processes --------------------------------------------------------------------------------

    def spawn(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env if env is not None else self.env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as a whole, survives `make cluster`
        )
        log.close()
        (self.pids / f"{name}.pid").write_text(f"{process.pid} {process_start(process.pid)}")
        self.processes[name] = process
        return process

    def pid(self, name: str) -> int | None:
        """The pid of a running piece started from this run folder (the start time tells a recycled pid)."""
        path = self.pids / f"{name}.pid"
        if not path.exists():
            return None
        pid, started = path.read_text().split()
        if process_start(int(pid)) != started:
            return None
        return int(pid)

    def signal(self, name: str, how: int) -> bool:
        pid = self.pid(name)
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, how)
        return True

    def stop_process(self, name: str, grace: float = 30.0) -> None:
        if self.signal(name, signal.SIGTERM) and wait_until(lambda: self.pid(name) is None, grace, 0.2) is None:
            self.signal(name, signal.SIGKILL)
            wait_until(lambda: self.pid(name) is None, 5, 0.1)
        self.reap(name)
        (self.pids / f"{name}.pid").unlink(missing_ok=True)

    def kill(self, name: str) -> None:
        """SIGKILL to the whole process group: what a crash, the OOM killer or a lost machine does."""
        self.signal(name, signal.SIGKILL)
        wait_until(lambda: self.pid(name) is None, 10, 0.02)
        self.reap(name)

    def reap(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)

    # --- the pieces -------------------------------------------------------------------------------

    def pg_ctl(self, action: str) -> None:
        options = f"-p {self.ports.postgres} -k {self.data} -c listen_addresses=127.0.0.1"
        as_postgres(
            [pg_bin("pg_ctl"), "-D", str(self.data / "data"), "-l", str(self.data / "postgres.log"), "-w", "-m", "fast"]
            + ["-t", "60", "-o", options, action]
        )

    def postgres_running(self) -> bool:
        return (self.data / "data" / "postmaster.pid").exists() and subprocess.run(
            [pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.ports.postgres)], check=False
        ).returncode in (0, 1)

    def start_postgres(self) -> None:
        if not (self.data / "data" / "PG_VERSION").exists():
            self.data.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.data, "postgres", "postgres")
            as_postgres([pg_bin("initdb"), "-D", str(self.data / "data"), "--auth=trust", "-U", "postgres"])
        self.pg_ctl("start")
        exists = subprocess.run(
            [pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.ports.postgres), "-U", "postgres", "-tAc"]
            + ["SELECT 1 FROM pg_database WHERE datname = 'tracker'"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(
                [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.ports.postgres), "-U", "postgres", "tracker"],
                check=True,
            )

    def restart_postgres(self) -> None:
        self.pg_ctl("restart")

    def stop_postgres(self) -> None:
        if (self.data / "data" / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self.pg_ctl("stop")

    def start_redis(self) -> None:
        (self.run / "redis").mkdir(exist_ok=True)
        # The queue survives a Redis restart: every write is appended to a file, flushed every second.
        self.spawn(
            "redis",
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.ports.redis), "--dir", str(self.run / "redis")]
            + ["--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--protected-mode", "yes"],
        )
        self.wait_for_port(self.ports.redis, "redis")

    def start_mail(self) -> None:
        self.mail.mkdir(exist_ok=True)
        self.spawn(
            "mail",
            [sys.executable, str(ROOT / "bench" / "cluster_mail.py"), "--port", str(self.ports.smtp)]
            + ["--folder", str(self.mail), "--greet-delay", str(self.mail_delay)],
        )
        self.wait_for_port(self.ports.smtp, "mail")

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def prepare(self) -> str:
        """Migrate, seed (idempotent), collect the static files; create the first administrator once."""
        self.media.mkdir(exist_ok=True)
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("seed")
        self.manage("load_icrmw_baseline")
        self.manage("collectstatic", "--noinput", "-v", "0")
        return self.manage("ensure_admin", "--url", f"http://localhost:{self.ports.balancer}/admin/")

    def start_web(self, n: int) -> None:
        port = self.ports.web[n - 1]
        env = {**self.env(), "GUNICORN_BIND": f"127.0.0.1:{port}"}
        self.spawn(
            f"web{n}",
            [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--name", f"tracker-web{n}"]
            + ["--pid", str(self.run / f"gunicorn-web{n}.pid")],
            env=env,
        )

    def web_healthy(self, n: int) -> bool:
        return http_status(self.ports.web[n - 1]) == 200

    def start_worker(self) -> None:
        self.spawn(
            "worker",
            [str(VENV_BIN / "celery"), "-A", "tracker", "worker", "-n", "tracker-worker@%h", "--loglevel=INFO"]
            + ["--concurrency=2"],
        )

    def start_beat(self) -> None:
        self.spawn(
            "beat",
            [str(VENV_BIN / "celery"), "-A", "tracker", "beat", "--loglevel=INFO", "--pidfile"]
            + [str(self.run / "celerybeat.pid")],
        )

    def nginx_conf(self) -> Path:
        folder = self.run / "nginx"
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(folder / sub, NGINX_USER)
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=3 fail_timeout=5s;" for port in self.ports.web)
        values = {
            "USER": f"user {NGINX_USER};" if os.geteuid() == 0 else "",
            "WORKER_PROCESSES": "1",
            "RUN": str(folder),
            "LOGS": str(self.logs),
            "MAX_BODY_MB": str(int(self.env().get("EVIDENCE_MAX_MB", "10")) + 2),
            "SERVERS": servers,
            "TRIES": str(len(self.ports.web)),
            "LISTEN": f"127.0.0.1:{self.ports.balancer}",
        }
        text = (ROOT / "deploy" / "nginx.conf").read_text()
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        conf = folder / "nginx.conf"
        conf.write_text(text)
        return conf

    def start_nginx(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            sys.exit("nginx is not installed: apt-get install nginx")
        conf = self.nginx_conf()
        prefix = str(conf.parent)
        test = subprocess.run(
            [nginx, "-t", "-q", "-p", prefix, "-c", str(conf), "-e", str(self.logs / "nginx-error.log")],
            capture_output=True,
            text=True,
        )
        if test.returncode:
            sys.exit(f"nginx refused its configuration ({conf}):\n{test.stderr}")
        self.spawn(
            "nginx",
            [nginx, "-p", prefix, "-c", str(conf), "-e", str(self.logs / "nginx-error.log"), "-g", "daemon off;"],
        )

    def wait_for_port(self, port: int, name: str, seconds: float = 20) -> None:
        def listening():
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        if wait_until(listening, seconds) is None:
            sys.exit(f"{name} did not start on port {port}: see {self.logs / (name + '.log')}")

    # --- the whole cluster ------------------------------------------------------------------------

    def start(self) -> str:
        for folder in (self.run, self.logs, self.pids):
            folder.mkdir(parents=True, exist_ok=True)
        running = [name for name in (*self.ports.all(), "worker", "beat") if name != "postgres" and self.pid(name)]
        if running or self.postgres_running():
            sys.exit(
                f"The cluster in {self.run} is already running ({', '.join(running) or 'postgres'}): make cluster-stop"
            )
        taken = [f"{name} {port}" for name, port in self.ports.all().items() if not port_is_free(port)]
        if taken:
            sys.exit(
                f"Ports in use: {', '.join(taken)}. Choose others, e.g. make cluster CLUSTER_PORT=9080 "
                "CLUSTER_WEB_PORTS=9081,9082 CLUSTER_PG_PORT=55533 CLUSTER_REDIS_PORT=56479 CLUSTER_SMTP_PORT=9025"
            )
        try:
            self.start_postgres()
            self.start_redis()
            self.start_mail()
            admin = self.prepare()
            for n in range(1, len(self.ports.web) + 1):
                self.start_web(n)
            for n in range(1, len(self.ports.web) + 1):
                if wait_until(lambda n=n: self.web_healthy(n), 60) is None:
                    sys.exit(f"web{n} did not answer /healthz: see {self.logs / f'web{n}.log'}")
            self.start_worker()
            self.start_beat()
            self.start_nginx()
            if wait_until(lambda: http_status(self.ports.balancer) == 200, 20) is None:
                sys.exit(f"nginx did not answer: see {self.logs / 'nginx-error.log'}")
        except BaseException:
            self.stop()
            raise
        return admin

    def stop(self) -> None:
        # The balancer first (no new requests), then the workers finish their tasks, then the servers.
        for name in (
            "nginx",
            "beat",
            "worker",
            *(f"web{n}" for n in range(1, len(self.ports.web) + 1)),
            "mail",
            "redis",
        ):
            self.stop_process(name)
        self.stop_postgres()

    def status(self) -> list[str]:
        lines = []
        for name, port in self.ports.all().items():
            up = self.postgres_running() if name == "postgres" else bool(self.pid(name))
            lines.append(f"{name:9} {'up' if up else 'down':5} 127.0.0.1:{port}")
        for name in ("worker", "beat"):
            lines.append(f"{name:9} {'up' if self.pid(name) else 'down'}")
        return lines


def add_cluster_arguments(parser) -> None:
    """The cluster's folder and ports, each also from its environment variable (as the Makefile passes them):
    every script that starts or reaches a cluster reads them the same way."""
    env = os.environ.get
    parser.add_argument("--dir", type=Path, default=Path(env("CLUSTER_DIR") or ROOT / ".cluster"))
    parser.add_argument("--port", type=int, default=int(env("CLUSTER_PORT") or 8080))
    parser.add_argument("--web-ports", default=env("CLUSTER_WEB_PORTS") or "8081,8082")
    parser.add_argument("--pg-port", type=int, default=int(env("CLUSTER_PG_PORT") or 55433))
    parser.add_argument("--redis-port", type=int, default=int(env("CLUSTER_REDIS_PORT") or 56379))
    parser.add_argument("--smtp-port", type=int, default=int(env("CLUSTER_SMTP_PORT") or 8025))


def ports_from(args) -> Ports:
    return Ports(
        balancer=args.port,
        web=tuple(int(port) for port in args.web_ports.split(",")),
        postgres=args.pg_port,
        redis=args.redis_port,
        smtp=args.smtp_port,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop", "status", "manage"])
    parser.add_argument("arguments", nargs=argparse.REMAINDER, help="manage: a manage.py command and its arguments")
    add_cluster_arguments(parser)
    args = parser.parse_args()
    cluster = Cluster(args.dir, ports_from(args))
    if args.action == "stop":
        cluster.stop()
        print(f"Cluster stopped; its data stays in {args.dir} (remove the folder to start afresh).")
    elif args.action == "status":
        print("\n".join(cluster.status()))
    elif args.action == "manage":
        # A manage.py command against the cluster's database, e.g. `changepassword admin` or `createsuperuser`.
        sys.exit(subprocess.run([sys.executable, "manage.py", *args.arguments], cwd=ROOT, env=cluster.env()).returncode)
    else:
        admin = cluster.start()
        p = cluster.ports
        print(admin.strip())
        print(
            f"\nCluster up: http://localhost:{p.balancer}/ (nginx, balancing "
            + ", ".join(f"web{n} :{port}" for n, port in enumerate(p.web, 1))
            + ")\n"
            f"  Celery worker and beat on Redis 127.0.0.1:{p.redis} (db 0 the queue, db 1 the shared cache)\n"
            f"  PostgreSQL 127.0.0.1:{p.postgres}/tracker; evidence in {cluster.media}\n"
            f"  emails are kept in {cluster.mail}/ (SMTP 127.0.0.1:{p.smtp}); logs in {cluster.logs}/\n"
            f"  manage.py against it: {os.path.relpath(sys.executable, ROOT)} bench/cluster.py manage "
            "<command> (e.g. changepassword admin)\n"
            "  stop it with `make cluster-stop`"
        )


if __name__ == "__main__":
    main()
