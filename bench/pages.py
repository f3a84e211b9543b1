"""Time a few report pages on the benchmark database, without the whole of ``bench/run.py``.

    DATABASE_URL=postgres://…/tracker_bench nice -n 10 python bench/pages.py LABEL

Each page is fetched once (warm), five times timed (median and minimum), once for its query count — as
``run.py``'s ``measure_pages`` with fewer repeats. The pages of issue 19's follow-up: the summary's
disagreement count, the summary, ``disagree=yes``, a one-item snapshot, an item report.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from recommendations import reports  # noqa: E402
from recommendations.filters import StatusFilter  # noqa: E402

client = Client()


def fetch(path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def main(label: str) -> None:
    print(label, os.popen("uptime").read().strip())  # noqa: S605, S607  # nosec - a fixed command, for the load
    pages = [
        ("disagreements() count", lambda: reports.disagreements(reports.build_scope(StatusFilter(None)))),
        *(
            (path, lambda path=path: fetch(path))
            for path in (
                "/reports/",
                "/reports/table/?disagree=yes",
                "/reports/?item=R82&on=2015-12-31",
                "/recommendations/R82/",
                "/reports/table/?disagree=yes&perspective=civil_society",
            )
        ),
    ]
    for name, fn in pages:
        fn()
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            out = fn()
        count = out if isinstance(out, int) else ""
        print(
            f"{name:55} median {statistics.median(samples):8.0f} ms  min {min(samples):8.0f}"
            f"  queries {len(captured.captured_queries):3}  {count}"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
