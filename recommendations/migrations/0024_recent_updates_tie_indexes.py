"""Indexes that break the ties of "latest first" by id, so a page of the latest updates reads only its rows.

The home page's recent updates and the feeds order verified updates by ``-reviewed_at, -id``; the API's update
list by ``-created_at, -id``. Indexes on the date alone left every update sharing the latest date (tens of
thousands in a bulk load) to be sorted on each request. The new (date, id) indexes replace the date-only ones
(``update_recently_verified`` and ``created_at``'s own), which they cover as a prefix.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0023_chart_year_end_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="progressupdate",
            name="update_recently_verified",
        ),
        migrations.AlterField(
            model_name="historicalprogressupdate",
            name="created_at",
            field=models.DateTimeField(),
        ),
        migrations.AlterField(
            model_name="progressupdate",
            name="created_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="progressupdate",
            index=models.Index(
                models.OrderBy(models.F("reviewed_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("state", "verified")),
                name="update_verified_latest",
            ),
        ),
        migrations.AddIndex(
            model_name="progressupdate",
            index=models.Index(
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                name="update_newest_entry",
            ),
        ),
    ]
