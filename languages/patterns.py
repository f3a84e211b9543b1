"""Which URLs carry the language prefix (/fr/…, /ar/…): the pages do, the machine contract does not.

The root URLconf puts the apps whose URLs are all pages (or exports that may be reached under both) under
Django's ``i18n_patterns``. An app that mixes both, such as the API (its tokens page) or the open data (its
/data/ page), keeps its machine URLs unprefixed and wraps its pages in :func:`language_prefixed`, so one URL
namespace (``api:tokens``, ``opendata:data``) holds both kinds and every ``{% url %}`` keeps working.
"""

from django.urls import URLResolver, path
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
