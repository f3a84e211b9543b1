"""Schedule the nightly compaction of the chart's rows kept per item (YearEndChange, recommendations 0032).

Concurrent writers that meet on a key add a row of their own rather than wait; this merges a key's rows back into
one (``services.year_ends.compact_year_end_changes``). Editable afterwards in the admin's periodic tasks.
"""

from django.db import migrations

NAME = "Merge the chart's year-end rows kept per item"
TASK = "alerts.compact_year_end_changes"


def add(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="45", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": nightly})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0007_admin_model_names"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(add, remove)]
