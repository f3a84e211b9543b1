"""Roles (Django permissions) read in one query per request instead of two.

Django's ModelBackend reads a user's own permissions and their groups'
permissions with one query each, then keeps them on the user object for the
request. This backend answers the same question, with the same rules (an
inactive user has none, a superuser has all), in one query: a user's role is
their groups' permissions plus their own.

It only answers permission questions: passwords are still checked by the
backend listed after it (EmailOrUsernameBackend, a ModelBackend), so a failed
login hashes once. When it says no, that backend finds the permissions this
one already read on the user object and asks nothing more.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class RolesBackend(ModelBackend):
    def authenticate(self, request, **credentials):
        return None  # ModelBackend, next in AUTHENTICATION_BACKENDS, checks the password

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list("content_type__app_label", "codename").order_by()
            }
        return user_obj._perm_cache
