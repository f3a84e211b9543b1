"""A first visit in the visitor's language: an unprefixed page asked for by a browser that prefers French (its
Accept-Language, or the language it chose earlier: the language cookie) is redirected to /fr/….

Only pages: the redirect is decided on what the English address would answer, a 200 HTML page. Exports (CSV,
XLSX, JSON), charts, feeds, the API, /healthz, the open-data files and static files answer the same to every
client, whatever its headers, so machines get a stable answer. A visitor who chose English (cookie ``en``) is
never redirected: the cookie comes before Accept-Language (Django's ``get_language_from_request``).
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers

SAFE = ("GET", "HEAD")


def is_page(response) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")


class FirstVisitLanguageMiddleware:
    """After django.middleware.locale.LocaleMiddleware (which has activated English for an unprefixed path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE or translation.get_language_from_path(request.path_info):
            return self.get_response(request)
        here = request.get_full_path()
        preferred = translation.get_language_from_request(request, check_path=False)
        response = self.get_response(request)
        if not is_page(response):
            return response
        # The English page depends on these headers too: with others, this address answers a redirect.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        if preferred == settings.LANGUAGE_CODE:
            return response
        target = translate_url(here, preferred)
        # Not a page that has other languages (outside the language-prefixed URLs); or an address that would
        # read as another host ("//host/…"): never redirect off the site.
        if target == here or not target.startswith("/") or target.startswith("//"):
            return response
        response.close()
        redirect = HttpResponseRedirect(target)
        patch_vary_headers(redirect, ("Accept-Language", "Cookie"))
        return redirect
