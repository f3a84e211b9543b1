"""``Authorization: Bearer <token>`` with a personal API token; permissions by the token's scope."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from . import services
from .models import ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        try:
            token = services.authenticate_token(header[1].decode("utf-8", "replace"))
        except ValidationError as error:
            raise exceptions.AuthenticationFailed(error.messages[0]) from None
        return token.user, token

    def authenticate_header(self, request):
        # A 401 (not 403) for a request without a token, with the scheme to use.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (created on your API tokens page), scoped read or write.",
        }


class WriteScope(permissions.BasePermission):
    """Writes need a token with the write scope; what the person may do is then the services' business."""

    message = gettext_lazy(
        "This API token can only read; create a token with the write scope to log or review updates."
    )

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated(_("Writing needs an API token: “Authorization: Bearer <token>”."))
        token = request.auth
        return isinstance(token, ApiToken) and token.can_write
