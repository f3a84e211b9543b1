"""A first visit in the visitor's language: an unprefixed page asked for by a browser that prefers French (its
Accept-Language, or the language it chose earlier: the language cookie) is redirected to /fr/….

Only pages. Exports (CSV, XLSX, JSON), charts, feeds, the API, /healthz, the open-data files and static files
answer the same to every client, whatever its headers, so machines get a stable answer. A visitor who chose
English (cookie ``en``) is never redirected: the cookie comes before Accept-Language (Django's
``get_language_from_request``).

The redirect is decided before the view runs, from the request alone: a GET or HEAD, no language prefix, a path
that resolves to a page route (one of the language-prefixed URLs that is not in ``MACHINE_ROUTES``, and no
``?format=json``) and a preferred language other than English. Deciding after the view would render the
English page only to throw it away. Every other request is answered by the view, and an English HTML page
says it depends on the two headers (``Vary: Accept-Language, Cookie``): with others, its address answers a
redirect. One difference from deciding on the response: a page route that answers a 404 or a login redirect in
English is redirected too (to the same answer in the visitor's language).
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, get_resolver, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers

SAFE = ("GET", "HEAD")
VARY = ("Accept-Language", "Cookie")

# The language-prefixed routes that answer a file, not a page: the same bytes whatever the visitor's language
# (tests/test_languages.py checks that every route whose address names a file type or a feed is listed here).
MACHINE_ROUTES = frozenset(
    {
        "recommendations:export_csv",
        "recommendations:export_json",
        "recommendations:actor_search",
        "recommendations:status_csv",
        "recommendations:status_xlsx",
        "recommendations:status_json",
        "recommendations:history_csv",
        "recommendations:chart_svg",
        "recommendations:chart_png",
        "recommendations:import_template_csv",
        "recommendations:import_template_xlsx",
        "recommendations:evidence",
        "atlas:map_svg",
        "atlas:map_png",
        "atlas:compare_csv",
        "alerts:export_download",
        "alerts:item_feed",
        "alerts:actor_feed",
        "alerts:theme_feed",
        "alerts:report_feed",
    }
)


def is_page(response) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")


def is_page_route(request) -> bool:
    """Whether the unprefixed path is one of the pages that have a version in each language."""
    if request.GET.get("format") == "json":  # a job page's progress, polled by its script
        return False
    try:
        match = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name not in MACHINE_ROUTES


class FirstVisitLanguageMiddleware:
    """After django.middleware.locale.LocaleMiddleware (which has activated English for an unprefixed path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE or translation.get_language_from_path(request.path_info):
            return self.get_response(request)
        preferred = translation.get_language_from_request(request, check_path=False)
        if preferred != settings.LANGUAGE_CODE and is_page_route(request):
            here = request.get_full_path()
            target = translate_url(here, preferred)
            # Not a page that has other languages (outside the language-prefixed URLs: the API, the open data);
            # or an address that would read as another host ("//host/…"): never redirect off the site.
            if target != here and target.startswith("/") and not target.startswith("//"):
                redirect = HttpResponseRedirect(target)
                patch_vary_headers(redirect, VARY)
                return redirect
        response = self.get_response(request)
        if is_page(response):
            # The English page depends on these headers too: with others, this address answers a redirect.
            patch_vary_headers(response, VARY)
        return response
