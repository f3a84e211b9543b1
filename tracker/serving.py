"""What an app server process does once, after loading the application and before serving its first request.

``settle()`` runs in every gunicorn worker (``post_worker_init`` in ``deploy/gunicorn.conf.py``, which `make serve`,
`make cluster` and the benchmarks all start from): it imports what the first requests would (every URL module,
and with them the views, forms and models they use), collects once, then moves every object alive into the
garbage collector's permanent generation (``gc.freeze``). Those ~130,000 objects (modules, classes, functions,
the URL patterns, translations) live as long as the process; without the freeze, each full collection walked
them all: 65–75 ms with the worker's threads held, about once every 600–900 posts of the logging form, ~0.1 ms
a post (issue 21). Collections still run as before for everything made afterwards (each request's objects);
raising the collector's thresholds instead was measured too and cost more, not less (docs/performance.md).
"""

import gc


def settle() -> None:
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  (imports every URL module: the views, forms and models they use)
    resolver.reverse_dict  # noqa: B018  (the reverse lookups, built at the first reverse() otherwise)
    gc.collect()
    gc.freeze()
