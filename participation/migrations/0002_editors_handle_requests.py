"""Editors read requests to take part and turn them into invitations."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_participationrequest", "change_participationrequest"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(
        *Permission.objects.filter(content_type__app_label="participation", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editor in Group.objects.filter(name="Editor"):
        editor.permissions.remove(
            *Permission.objects.filter(content_type__app_label="participation", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0001_take_part_requests"),
        ("recommendations", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
