"""An item page's "who is where" (``reports.actors_by_status``): English cuts each status's list in SQL; the other
languages read every actor in scope and sort them in the reader's order (``languages.collation.countries_first``).

    DATABASE_URL=postgres://…/tracker_writes_copy nice -n 10 python bench/who_is_where.py [ROUNDS]

Prints, for a ratification item (countries only) and a policy item (countries and organizations), the median time
of ROUNDS calls (scope built and names listed) in English, French and Arabic, and the size of each status's list.
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

from django.http import QueryDict  # noqa: E402
from django.utils import translation  # noqa: E402

from recommendations import reports  # noqa: E402
from recommendations.filters import StatusFilter  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 15


def main():
    for code in ("R02", "R45"):
        for language in ("en", "fr", "ar"):
            times = []
            with translation.override(language):
                for _ in range(ROUNDS):
                    start = time.perf_counter()
                    groups = reports.actors_by_status(reports.build_scope(StatusFilter(QueryDict(f"item={code}"))))
                    times.append((time.perf_counter() - start) * 1000)
            sizes = ", ".join(f"{status} {len(names)}/{total}" for status, _label, total, names in groups)
            print(f"{code} {language}: median {statistics.median(times):.1f} ms over {ROUNDS} ({sizes})")
    print(f"load: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
