"""The default schedules of the background tasks (editable afterwards in the admin), and editors' reporting cycles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SCHEDULES = [
    # (name, task, every N, period) — intervals; the check runs nightly by crontab below.
    ("Collect notifications and send due digests", "alerts.send_digests", 5, "minutes"),
    ("Delete prepared exports past their time", "alerts.delete_old_exports", 1, "hours"),
    ("Forget old notifications and digest records", "alerts.prune", 1, "days"),
]
CHECK = ("Current-status consistency check (a sample of pairs)", "alerts.check_current_statuses")


def add(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period in SCHEDULES:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "interval": interval})
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(name=CHECK[0], defaults={"task": CHECK[1], "crontab": nightly})
    # Editors set reporting cycles.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="alerts",
            codename__in=[
                "add_reportingcycle",
                "change_reportingcycle",
                "delete_reportingcycle",
                "view_reportingcycle",
            ],
        )
    )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULES] + [CHECK[0]]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_follows_notifications_digests"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("recommendations", "0002_roles"),
    ]

    operations = [migrations.RunPython(add, remove)]
