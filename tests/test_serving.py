"""The app servers' settings: every gunicorn we start reads deploy/gunicorn.conf.py, whose worker hook freezes the
loaded application out of the garbage collector's walks (tracker/serving.py, issue 21)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"

# A worker's life in a fresh process, as gunicorn runs it: load the application, then the config's hook.
WORKER = f"""
import gc, json, runpy, sys
from tracker.wsgi import application
before = {{"views": "recommendations.views.progress" in sys.modules, "frozen": gc.get_freeze_count()}}
runpy.run_path({str(CONFIG)!r})["post_worker_init"](worker=None)
after = {{"views": "recommendations.views.progress" in sys.modules, "frozen": gc.get_freeze_count()}}
gc.collect()
print(json.dumps({{"before": before, "after": after, "collected": gc.get_freeze_count()}}))
"""


def test_worker_hook_loads_then_freezes_the_application():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)  # loading touches no database
    out = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] == {"views": False, "frozen": 0}
    # The URL modules, with the views and forms they import, were loaded first and frozen with the rest.
    assert seen["after"]["views"] is True
    assert seen["after"]["frozen"] > 50_000
    assert seen["collected"] == seen["after"]["frozen"]  # a full collection leaves them alone


def test_every_gunicorn_we_start_reads_the_config():
    from bench import gunicorn_command

    command = gunicorn_command(8000)
    assert command[command.index("-c") + 1] == str(CONFIG)
    other = Path("/elsewhere/checkout")
    command = gunicorn_command(8000, tree=other)
    assert command[command.index("-c") + 1] == str(other / "deploy" / "gunicorn.conf.py")
    makefile = (ROOT / "Makefile").read_text()
    serve = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "gunicorn -c deploy/gunicorn.conf.py" in serve
    cluster = (ROOT / "bench" / "cluster.py").read_text()
    assert '"-c", str(ROOT / "deploy" / "gunicorn.conf.py")' in cluster


def test_the_benchmarks_serve_with_the_configs_processes_and_threads(monkeypatch):
    """WEB_CONCURRENCY and WEB_THREADS are read in deploy/gunicorn.conf.py only: the benchmarks' server and their
    labels take them from there, so a sweep of either (docs/performance.md) measures what `make serve` would run."""
    from bench import gunicorn_command, server_shape

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "5")
    assert server_shape() == (3, 5)
    command = gunicorn_command(8000)
    assert "-w" not in command and "--threads" not in command  # the config decides
    monkeypatch.delenv("WEB_CONCURRENCY")
    monkeypatch.delenv("WEB_THREADS")
    assert server_shape() == (2, 4)
    command = gunicorn_command(8000, workers=1, threads=2)  # a bench that asks for its own shape gets it
    assert command[command.index("-w") + 1] == "1" and command[command.index("--threads") + 1] == "2"
