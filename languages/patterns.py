"""Which URLs carry the language prefix (/fr/…, /ar/…): the pages do, the machine contract does not.

The root URLconf puts the apps whose URLs are all pages (or exports that may be reached under both) under
Django's ``i18n_patterns``. An app that mixes both, such as the API (its tokens page) or the open data (its
/data/ page), keeps its machine URLs unprefixed and wraps its pages in :func:`language_prefixed`, so one URL
namespace (``api:tokens``, ``opendata:data``) holds both kinds and every ``{% url %}`` keeps working.
"""

import re

from django.conf import settings
from django.urls import URLPattern, URLResolver, path, re_path
from django.urls.resolvers import LocalePrefixPattern, RoutePattern


def language_prefixed(*urls) -> URLResolver:
    """The pages among an included URLconf's patterns, under the active language's prefix (none for English).

    Django forbids ``i18n_patterns`` at the top of an included URLconf (``include()`` checks for it) because the
    LocaleMiddleware only looks for it in the root URLconf; the root URLconf has it (tracker/urls.py), so the
    middleware does read the language from the path, and the prefix here is one level down, which ``include()``
    does not refuse. Like the root's, English has no prefix (``prefix_default_language=False``).
    """
    return URLResolver(RoutePattern(""), [URLResolver(LocalePrefixPattern(prefix_default_language=False), list(urls))])


def redirected_from_prefixes(*routes: str) -> URLResolver:
    """Machine URLs that a reader may still ask for under a language prefix (/ru/api/docs/: typed, or reached by
    putting the language in front of the address as every page has it) redirect to their one address
    (/api/docs/) instead of answering a 404. Unnamed: ``{% url %}`` keeps giving the one address, and the
    English prefix (none) never reaches them (the machine URL itself comes first in the URLconf)."""
    from .views import to_unprefixed

    return language_prefixed(*(path(route, to_unprefixed) for route in routes))


def other_spellings() -> URLPattern:
    """A language prefix spelled otherwise than ours (/zh/…, /zh-CN/…, /fr-ca/…, /FR/…, /en/…) redirects to our
    address in that language (/zh-hans/…, /fr/…, unprefixed for English) instead of answering a 404: readers
    type the ISO code they know, and other sites link with it. Which language a spelling means is Django's rule
    (``get_supported_language_variant``, as it reads Accept-Language); this pattern only lets through first
    segments that start with one of our languages, and comes after every page, so it never shadows one."""
    from .views import respelled

    # Letters in either case by classes ([zZ][hH]), not by the (?i) flag, which Django's reverse() cannot read.
    bases = sorted(
        {"".join(f"[{c.lower()}{c.upper()}]" for c in code.split("-")[0]) for code, __ in settings.LANGUAGES}
    )
    spelling = rf"(?:{'|'.join(bases)})(?:[-_][a-zA-Z0-9]{{1,8}}){{0,2}}"
    # Our own prefixes are left out (a negative lookahead, which reverse() skips): /fr/reports without its slash
    # must stay an address nothing matches, so that CommonMiddleware still redirects it to /fr/reports/.
    ours = "|".join(re.escape(code) for code, __ in settings.LANGUAGES if code != settings.LANGUAGE_CODE)
    return re_path(rf"^(?!(?:{ours})/)(?P<spelling>{spelling})/(?P<rest>.*)\Z", respelled)
