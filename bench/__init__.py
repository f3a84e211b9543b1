import sys
from pathlib import Path


def gunicorn_command(port: int) -> list[str]:
    """The server both `make bench` and `make faults` measure: 2 gthread workers of 4 threads, as `make serve`."""
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        "tracker.wsgi:application",
        "-w",
        "2",
        "-k",
        "gthread",
        "--threads",
        "4",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
