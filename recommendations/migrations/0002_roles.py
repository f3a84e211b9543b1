"""Create the roles (Reporter, Reviewer, Editor) as Django groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "recommendation": ["add", "change", "view"],
    "citation": ["add", "change", "delete", "view"],
    "theme": ["add", "change", "delete", "view"],
    "addressee": ["add", "change", "view"],
    "instrument": ["add", "change", "view"],
    "sdgtarget": ["add", "change", "view"],
    "actor": ["add", "change", "view"],
    "section": ["change", "view"],
    "paragraph": ["view"],
    "sourcedocument": ["change", "view"],
    "progressupdate": ["view"],
    "currentstatus": ["view"],
    "membership": ["view"],
}
ROLE_PERMISSIONS = {
    "Reporter": ["log_progress"],
    "Reviewer": ["log_progress", "review_progress"],
    "Editor": [f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="recommendations", codename__in=codenames)
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
