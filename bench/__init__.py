import runpy
import sys
from pathlib import Path


def server_shape(tree: Path | None = None) -> tuple[int, int]:
    """Workers and threads per worker that ``tree``'s deploy/gunicorn.conf.py gives (WEB_CONCURRENCY and
    WEB_THREADS, read there and only there), for the benchmarks' labels."""
    settings = runpy.run_path(str(_config(tree)))
    return settings["workers"], settings["threads"]


def gunicorn_command(
    port: int, workers: int | None = None, threads: int | None = None, tree: Path | None = None
) -> list[str]:
    """The server both `make bench` and `make faults` measure: production's settings (``deploy/gunicorn.conf.py``
    of ``tree``, this checkout unless given: its worker hook freezes the loaded application, tracker/serving.py),
    so as many gthread workers and threads as `make serve` (WEB_CONCURRENCY, WEB_THREADS) unless given here."""
    shape = [*(["-w", str(workers)] if workers else []), *(["--threads", str(threads)] if threads else [])]
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c",
        str(_config(tree)),
        "tracker.wsgi:application",
        *shape,
        "-k",
        "gthread",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]


def _config(tree: Path | None) -> Path:
    return Path(tree or Path(__file__).resolve().parent.parent) / "deploy" / "gunicorn.conf.py"


def replace_section(path, begin: str, end: str, lines: list[str]) -> None:
    """Replace the generated section between the ``begin`` and ``end`` marks of a document; keep the prose around it.

    A document without the marks gets the section at its end.
    """
    document = Path(path)
    text = document.read_text() if document.exists() else ""
    if begin not in text:
        text = f"{text.rstrip()}\n\n{begin}\n{end}\n" if text else f"{begin}\n{end}\n"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    document.write_text(f"{head}{begin}\n" + "\n".join(lines) + f"{end}{tail}")
