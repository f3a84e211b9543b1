"""The API's language: labels and messages follow the request's Accept-Language; codes and field names never do.

The HTML pages take their language from the URL prefix (/fr/…); the API stays unprefixed (a machine contract),
so it chooses its language itself, from Accept-Language (or the language cookie), for the whole request:
authentication's refusals, the filter messages and the status labels alike. The body is rendered inside that
language and the previous one is restored after, so nothing leaks into the thread's next request.
"""

from django.utils import translation


class RequestLanguageMixin:
    def dispatch(self, request, *args, **kwargs):
        language = translation.get_language_from_request(request, check_path=False)
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()  # lazy labels become text in the request's language
            response.headers.setdefault("Content-Language", language)
        return response
