"""The switcher's link: remember the language chosen (the language cookie), then show the page in it.

A plain link (GET), so the switcher works without JavaScript and reads as a list of links. Setting the cookie on a
GET is safe here: it changes only the language pages are shown in, nothing an attacker could abuse through a
forged link (no account, no data, no session). ``next`` must be an address on this site (no open redirect).
"""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from .names import language_code


@never_cache
def choose(request, code: str):
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language")
    target = request.GET.get("next", "")
    hosts = {request.get_host()}
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts=hosts, require_https=request.is_secure())
    if not safe:
        with translation.override(code):
            target = reverse("recommendations:home")
    return remembered(HttpResponseRedirect(target), code)


def remembered(response, code: str):
    """``response`` with the language cookie set to ``code``: the visitor's choice, which comes before their
    browser's Accept-Language on every later unprefixed page (``middleware.FirstVisitLanguageMiddleware``)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@never_cache
def to_unprefixed(request):
    """/ru/api/docs/?x → /api/docs/?x (``patterns.redirected_from_prefixes``): the same address without its
    language prefix. Not permanent: the documentation may one day be served in each language."""
    language = translation.get_language_from_path(request.path_info)
    if not language:  # the English (unprefixed) address is the machine URL itself, never this view
        raise Http404("No language prefix")
    return _redirect_within_site(request, request.path_info.lstrip("/").split("/", 1)[1])


@never_cache
def respelled(request, spelling: str, rest: str):
    """/zh-CN/reports/?x → /zh-hans/reports/?x, /en/reports/ → /reports/ (``patterns.other_spellings``, which lets
    through only spellings of our languages other than our own prefixes). Which language a spelling means is the
    project's one rule for it, ``names.language_code``.

    English has no prefix of ours, so an address that names it (/en/…) is the one spelling whose choice the
    address it lands on cannot carry: the redirect remembers it (the language cookie, as the switcher sets), or
    a browser preferring French would be sent on from /reports/ to /fr/reports/ by the first-visit rule."""
    language = language_code(spelling.replace("_", "-").lower())
    if language == settings.LANGUAGE_CODE:
        return remembered(_redirect_within_site(request, rest), language)
    return _redirect_within_site(request, f"{language}/{rest}")


def _redirect_within_site(request, path: str):
    """A redirect to ``path`` under the site's script prefix, with the request's query string."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(get_script_prefix() + path + (f"?{query}" if query else ""))
