"""Who is logged in, with their roles and organizations, in one query per request instead of three.

Django's ModelBackend reads the user, then (at the first permission check)
the user's own permissions and their groups' permissions, one query each, and
the tracker then read the person's organizations with another. Every page of
a logged-in person checks roles (the menu), and every write checks both. So
the user is loaded here with their roles and organizations in one statement
(``load_person``), and the results are kept on the user object, which lives
for one request: ``has_perm`` and ``services.organizations_of`` then ask
nothing more. The rules are Django's (an inactive user has no roles and is
not logged in, a superuser has every role; a role is the user's groups'
permissions plus their own); a change of role or membership counts from the
next request on, as before.

This backend only answers permission questions and loads the logged-in user:
passwords are still checked by the backend listed after it
(EmailOrUsernameBackend, a ModelBackend, which loads users the same way), so
a failed login hashes once.
"""

import functools
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q

from .models import Actor, Membership
from .rows import execute_built
from .rows import reader as _reader  # the person's column readers, built once per model and database


@functools.cache
def _person_sql(vendor: str) -> str:
    """The statement ``load_person`` runs, built once from the models' own tables and columns (no input of
    anyone's: the user id is a parameter)."""
    User = get_user_model()
    user_table, actor_table = User._meta.db_table, Actor._meta.db_table
    membership_table = Membership._meta.db_table
    user_permissions = User.user_permissions.through._meta.db_table
    user_groups = User.groups.through._meta.db_table
    group_permissions = Permission.group_set.through._meta.db_table
    content_types = Permission._meta.get_field("content_type").related_model._meta.db_table
    q = connection.ops.quote_name
    user_columns = ", ".join(f"u.{q(f.column)}" for f in User._meta.concrete_fields)
    actor_columns = ", ".join(f"a.{q(f.column)}" for f in Actor._meta.concrete_fields)
    # The role codes as one JSON array (json_agg is NULL for none; json_group_array is "[]").
    aggregate = "json_agg" if vendor == "postgresql" else "json_group_array"
    return f"""
        SELECT {user_columns}, r.roles, {actor_columns}
        FROM {q(user_table)} u
        CROSS JOIN (
            SELECT {aggregate}(ct.app_label || '.' || p.codename) AS roles
            FROM {q(Permission._meta.db_table)} p JOIN {q(content_types)} ct ON ct.id = p.content_type_id
            WHERE EXISTS (SELECT 1 FROM {q(user_table)} s WHERE s.id = %s AND s.is_superuser)
               OR p.id IN (SELECT up.permission_id FROM {q(user_permissions)} up WHERE up.user_id = %s)
               OR p.id IN (
                   SELECT gp.permission_id FROM {q(group_permissions)} gp
                   JOIN {q(user_groups)} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s
               )
        ) r
        LEFT JOIN {q(membership_table)} m ON m.user_id = u.id
        LEFT JOIN {q(actor_table)} a ON a.id = m.organization_id
        WHERE u.id = %s
        ORDER BY a.name, a.id
    """  # noqa: S608  # nosec B608


def load_person(user_id):
    """The user with this id, their roles on ``_perm_cache`` and their organizations kept for the request
    (``services.organizations_of``), from one query; None if there is no such user."""
    from .services.people import keep_organizations

    User = get_user_model()
    try:
        user_id = User._meta.pk.to_python(user_id)
    except ValidationError:  # a session naming an id of another shape: nobody, as ModelBackend answers
        return None
    with connection.cursor() as cursor:
        execute_built(cursor, "person", _person_sql(connection.vendor), [user_id] * 4)
        rows = cursor.fetchall()
    if not rows:
        return None
    read_user, width = _reader(User, connection.alias)
    read_actor, _width = _reader(Actor, connection.alias)
    first = rows[0]
    user = read_user(first[:width])
    roles = first[width]
    if isinstance(roles, str):
        roles = json.loads(roles)
    user._perm_cache = set(roles or ()) if user.is_active else set()
    organizations = [
        read_actor(row[width + 1 :])
        for row in rows
        if row[width + 1] is not None  # the LEFT JOIN's empty row: no organization
    ]
    keep_organizations(user, organizations)
    return user


class PersonLoader:
    """``get_user`` for the session's backend, whichever of ours logged the person in."""

    def get_user(self, user_id):
        user = load_person(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class RolesBackend(PersonLoader, ModelBackend):
    def authenticate(self, request, **credentials):
        return None  # ModelBackend, next in AUTHENTICATION_BACKENDS, checks the password

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            # A user object not loaded by load_person (a test's, a command's): its roles in one query.
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list("content_type__app_label", "codename").order_by()
            }
        return user_obj._perm_cache
