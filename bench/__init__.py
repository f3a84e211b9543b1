import sys
from pathlib import Path


def gunicorn_command(port: int, workers: int = 2, threads: int = 4, tree: Path | None = None) -> list[str]:
    """The server both `make bench` and `make faults` measure: production's settings (``deploy/gunicorn.conf.py``
    of ``tree``, this checkout unless given: its worker hook freezes the loaded application, tracker/serving.py)
    with 2 gthread workers of 4 threads, as `make serve`."""
    config = Path(tree or Path(__file__).resolve().parent.parent) / "deploy" / "gunicorn.conf.py"
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        "-c",
        str(config),
        "tracker.wsgi:application",
        "-w",
        str(workers),
        "-k",
        "gthread",
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]


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
