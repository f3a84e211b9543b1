"""Which URLs carry the language prefix (/fr/…, /ar/…): the pages do, the machine contract does not.

The root URLconf puts the apps whose URLs are all pages (or exports that may be reached under both) under
Django's ``i18n_patterns``. An app that mixes both, such as the API (its tokens page) or the open data (its
/data/ page), keeps its machine URLs unprefixed and wraps its pages in :func:`language_prefixed`, so one URL
namespace (``api:tokens``, ``opendata:data``) holds both kinds and every ``{% url %}`` keeps working.
"""

from django.urls import URLResolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern


def language_prefixed(*urls) -> URLResolver:
    """The pages among an included URLconf's patterns, under the active language's prefix (none for English).

    Django forbids ``i18n_patterns`` at the top of an included URLconf (``include()`` checks for it) because the
    LocaleMiddleware only looks for it in the root URLconf; the root URLconf has it (tracker/urls.py), so the
    middleware does read the language from the path, and the prefix here is one level down, which ``include()``
    does not refuse. Like the root's, English has no prefix (``prefix_default_language=False``).
    """
    return URLResolver(RoutePattern(""), [URLResolver(LocalePrefixPattern(prefix_default_language=False), list(urls))])
