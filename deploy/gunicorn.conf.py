"""gunicorn settings of one app server (`gunicorn -c deploy/gunicorn.conf.py`): `make serve` starts one, `make
cluster` two, and the benchmarks serve with them too (bench.gunicorn_command).

Everything that differs between servers comes from the environment: GUNICORN_BIND (host:port),
WEB_CONCURRENCY (processes), WEB_THREADS (threads per process).
"""

import os

wsgi_app = "tracker.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads let a long export stream while the other requests are served.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 120
# On SIGTERM (a deploy, `make cluster-stop`) requests in flight get this long to finish.
graceful_timeout = 30
# Longer than nginx's upstream keepalive_timeout (deploy/nginx.conf: 4 s): nginx closes idle connections first.
keepalive = 5
# nginx on the same machine sets X-Forwarded-Proto; gunicorn believes it only from there.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# nginx logs every request (with the server that answered it); gunicorn logs errors only.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_worker_init(worker):
    """Each worker, once the application is loaded: what lives as long as the process is left out of the
    garbage collector's walks (tracker/serving.py)."""
    from tracker.serving import settle

    settle()
