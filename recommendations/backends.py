"""Log in with the email address, whatever its case: invitations make the address the username."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .roles import PersonLoader


class EmailOrUsernameBackend(PersonLoader, ModelBackend):
    """A session this backend logged in loads its person with their roles and organizations (roles.py)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            matches = list(get_user_model().objects.filter(email__iexact=username.strip()).values_list("username")[:2])
            if len(matches) == 1:  # two accounts sharing an address: neither is guessed
                username = matches[0][0]
        return super().authenticate(request, username=username, password=password, **kwargs)
