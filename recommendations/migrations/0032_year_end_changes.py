"""YearEndChange: the over-time chart's per-year changes kept per item (issue 21), filled from the intervals.

``reports.history_by_year`` read every interval of its scope that holds at a year end: ~20 per pair at 10M updates
against ~3.7 at 1M, so one item's chart grew 7.75x. For scopes that name items only it now sums these rows. The
fill groups the crossing intervals of both tracks once (a copy of ``services.year_ends``: migrations do not import
code that may change).
"""

from collections import defaultdict
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import BooleanField, Count
from django.db.models.expressions import RawSQL
from django.db.models.functions import ExtractYear


def crossing(model, schema_editor):
    """``StatusIntervalQuerySet.crossing_year_ends`` (word for word: the partial indexes' predicate)."""
    table = schema_editor.connection.ops.quote_name(model._meta.db_table)
    start, end = f"{table}.valid_from", f"{table}.valid_to"
    if schema_editor.connection.vendor == "postgresql":
        start, end = f"EXTRACT(YEAR FROM {start})", f"EXTRACT(YEAR FROM {end})"
    else:
        start, end = f"SUBSTR({start}, 1, 4)", f"SUBSTR({end}, 1, 4)"
    condition = f"({table}.valid_to IS NULL OR {start} <> {end})"
    return model.objects.filter(RawSQL(condition, [], output_field=BooleanField()))  # noqa: S611  # nosec B611 - names only


def fill(apps, schema_editor):
    YearEndChange = apps.get_model("recommendations", "YearEndChange")
    rows = defaultdict(lambda: [0, 0])
    for name, per_perspective in (("StatusInterval", False), ("PerspectiveInterval", True)):
        model = apps.get_model("recommendations", name)
        columns = ["recommendation_id", "status", "value", *(["perspective"] if per_perspective else [])]
        grouped = (
            crossing(model, schema_editor)
            .order_by()
            .values(*columns, start=ExtractYear("valid_from"), end=ExtractYear("valid_to"))
            .annotate(n=Count("*"))
        )
        for row in grouped.iterator():
            track = row["perspective"] if per_perspective else ""
            measured = row["value"] is not None
            value = Decimal(row["value"]) if measured else Decimal(0)
            key = (row["recommendation_id"], track, row["status"], measured, value)
            rows[(*key[:2], row["start"], *key[2:])][0] += row["n"]
            if row["end"] is not None:
                rows[(*key[:2], row["end"], *key[2:])][1] += row["n"]
    YearEndChange.objects.bulk_create(
        [
            YearEndChange(
                recommendation_id=item,
                track=track,
                year=year,
                status=status,
                measured=measured,
                value=value,
                starts=starts,
                ends=ends,
            )
            for (item, track, year, status, measured, value), (starts, ends) in sorted(rows.items())
        ],
        batch_size=2000,
    )


def sqlite_unique_key(apps, schema_editor):
    """SQLite only: its writers take turns, so a key never needs two rows there, and a unique index lets
    ``services.year_ends`` add a change in one upsert. PostgreSQL's writers must not wait for one another's row
    (``FOR UPDATE SKIP LOCKED``, a row of their own otherwise): no unique key there."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE UNIQUE INDEX year_end_key_one ON recommendations_yearendchange "
            "(recommendation_id, track, year, status, measured, value)"
        )


def drop_sqlite_unique_key(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS year_end_key_one")


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0031_admin_model_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="YearEndChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("track", models.CharField(blank=True, help_text="Empty: the consolidated track.", max_length=30)),
                ("year", models.IntegerField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("no_action", "No action"),
                            ("signed", "Signed"),
                            ("ratified", "Party (ratified)"),
                            ("acceded", "Party (acceded)"),
                            ("succeeded", "Party (succeeded)"),
                            ("denounced", "Denounced"),
                            ("not_started", "Not started"),
                            ("limited", "Limited"),
                            ("substantial", "Substantial"),
                            ("complete", "Complete"),
                            ("backsliding", "Backsliding"),
                            ("off_track", "Off track"),
                            ("progressing", "Progressing"),
                            ("target_met", "Target met"),
                        ],
                        max_length=20,
                    ),
                ),
                ("measured", models.BooleanField(default=False)),
                ("value", models.DecimalField(decimal_places=4, default=0, max_digits=12)),
                ("starts", models.IntegerField(default=0)),
                ("ends", models.IntegerField(default=0)),
                (
                    "recommendation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="recommendations.recommendation",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="yearendchange",
            index=models.Index(
                fields=["recommendation", "track", "year", "status", "measured", "value"], name="year_end_key"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(sqlite_unique_key, drop_sqlite_unique_key),
    ]
