"""Schedule the abandoned-upload sweep (import previews never confirmed, stray uploads, kept evidence files)."""

from django.db import migrations

NAME = "Delete abandoned import previews and uploads"


def add(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "alerts.sweep_uploads", "interval": hourly})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_schedules_and_roles"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(add, remove)]
