"""The same page in every language: the switcher's links and the hreflang alternates (templates/base.html).

Both come from Django's ``translate_url`` (resolve the address in the active language, reverse it in another),
so a page's query string (filters, sort, page) comes along and a shared link keeps its language.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject


@dataclass(frozen=True)
class Alternate:
    code: str  # Django's code, also the lang= and hreflang= value (BCP 47 is case-insensitive: zh-hans)
    name: str  # the language's own name (Français, العربية)
    url: str  # this page in that language (path and query)
    absolute_url: str  # the same with scheme and host, for <link rel="alternate" hreflang>
    choose_url: str  # the switcher's link: remembers the choice, then goes to ``url``
    current: bool
    bidi: bool


def alternates(request) -> list[Alternate]:
    """This page in each of settings.LANGUAGES, in their order.

    A path that resolves to no page (a 404) has no counterpart: its alternates are each language's home page.
    """
    here = request.get_full_path()
    active = translation.get_language()
    found = []
    for code, name in settings.LANGUAGES:
        url = translate_url(here, code)
        if url == here and code != active:
            with translation.override(code):
                url = reverse("recommendations:home")
        choose_url = reverse("languages:choose", args=[code]) + "?" + urlencode({"next": url})
        found.append(
            Alternate(
                code=code,
                name=name,
                url=url,
                absolute_url=request.build_absolute_uri(url),
                choose_url=choose_url,
                current=code == active,
                bidi=translation.get_language_info(code)["bidi"],
            )
        )
    return found


def language_context(request):
    """Context processor: ``language_alternates``, computed only if a template reads it (base.html does)."""
    return {"language_alternates": SimpleLazyObject(lambda: alternates(request))}
