"""Per-client rate limits (DRF throttling; a refusal is a 429 with Retry-After).

Rates come from settings.API_RATES at request time, so an environment (or a test) can change them.
Anonymous clients are counted by IP address, token holders by their account. Counts live in the shared
cache (Redis with several app servers), so every server counts the same requests.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonymousRate(AnonRateThrottle):
    scope = "anon"

    def get_rate(self):
        return settings.API_RATES["anon"]


class TokenRate(UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        # Token holders only: anonymous clients are AnonymousRate's (DRF's own would count them a second
        # time, by address, at the token rate: a second cache write on every anonymous request).
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)

    def get_rate(self):
        return settings.API_RATES["user"]
