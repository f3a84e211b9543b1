"""The client's IP address: one rule for every limit counted per address — login throttling (django-axes,
``AXES_CLIENT_IP_CALLABLE``, which the password-reset and "Take part" limits also read) and the API's anonymous
rate (``api.throttles.AnonymousRate``).

``X-Forwarded-For`` is what the client says unless our own reverse proxy wrote it: trusting it otherwise lets
anyone reset a limit by sending a new value with each request. So it is read only with ``BEHIND_PROXY``, and
then only its right-most entry — the address the proxy itself saw (nginx replaces the header; a proxy that
appends puts its own observation last, after whatever the client sent).
"""

from django.conf import settings


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_PROXY:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    return forwarded or remote
