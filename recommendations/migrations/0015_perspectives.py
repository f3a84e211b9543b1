"""Every update declares its perspective (who says so); existing updates get one, none is lost.

The rule given to existing updates is ``services.default_perspective`` as it stood when this migration was
written, copied here (a migration must not import code that may change): the UN Treaty Collection's records
(the ICRMW baseline of ``load_icrmw_baseline``) are the UN treaty depositary's; an international
organization's reports a UN mechanism's; an academic or financial institution's figures independent data;
every other organization's (NGOs, migrant associations, trade unions, companies) and any without an
organization a civil-society assessment. The update's own history rows get the same value. The current
statuses copy their update's perspective, and the status intervals are written again from the verified
history with it (``FILL``, a copy of ``services.status_intervals_sql`` as it stands now).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

PERSPECTIVES = [
    ("government", "Government self-report"),
    ("civil_society", "Civil-society assessment"),
    ("un_mechanism", "UN mechanism (treaty body, special procedure, UPR)"),
    ("independent_data", "Independent data (e.g. World Bank figures)"),
    ("un_treaty_depositary", "UN treaty depositary"),
]
TREATY_DEPOSITARY_CODES = {"un-treaty-collection"}
BY_ORGANIZATION_TYPE = {
    "international": "un_mechanism",
    "academic": "independent_data",
    "financial_institution": "independent_data",
}

FILL = (
    "INSERT INTO recommendations_statusinterval (actor_id, recommendation_id, update_id, valid_to, kind, "
    "actor_kind, status, as_of_precision, value, has_evidence, evidence_urls, reported_by_organization_id, "
    "verified_at, perspective, valid_from) "
    "SELECT w.actor_id, w.recommendation_id, w.id, "
    "LEAD(w.as_of) OVER (PARTITION BY w.actor_id, w.recommendation_id ORDER BY w.as_of), "
    "w.kind, w.actor_kind, w.status, w.as_of_precision, w.value, w.has_evidence, w.evidence_urls, "
    "w.reported_by_organization_id, w.reviewed_at, w.perspective, w.as_of "
    "FROM (SELECT u.*, ROW_NUMBER() OVER (PARTITION BY u.actor_id, u.recommendation_id, u.as_of "
    "ORDER BY u.created_at DESC, u.id DESC) AS day_rank "
    "FROM recommendations_progressupdate u WHERE u.state = 'verified') w WHERE w.day_rank = 1"
)


def default_perspective(organization) -> str:
    """services.default_perspective, as it stood when this migration was written."""
    if organization is None:
        return "civil_society"
    if organization.code.lower() in TREATY_DEPOSITARY_CODES:
        return "un_treaty_depositary"
    return BY_ORGANIZATION_TYPE.get(organization.organization_type, "civil_society")


def fill(apps, schema_editor):
    Actor = apps.get_model("recommendations", "Actor")
    CurrentStatus = apps.get_model("recommendations", "CurrentStatus")
    StatusInterval = apps.get_model("recommendations", "StatusInterval")
    for name in ("ProgressUpdate", "HistoricalProgressUpdate"):
        model = apps.get_model("recommendations", name)
        reporters = model.objects.filter(perspective__isnull=True).values("reported_by_organization_id").distinct()
        for organization in Actor.objects.filter(pk__in=reporters):
            model.objects.filter(perspective__isnull=True, reported_by_organization_id=organization.pk).update(
                perspective=default_perspective(organization)
            )
        model.objects.filter(perspective__isnull=True).update(perspective=default_perspective(None))
    ProgressUpdate = apps.get_model("recommendations", "ProgressUpdate")
    CurrentStatus.objects.update(
        perspective=Subquery(ProgressUpdate.objects.filter(pk=OuterRef("update_id")).values("perspective")[:1])
    )
    StatusInterval.objects.all().delete()
    schema_editor.execute(FILL)
    if schema_editor.connection.vendor == "postgresql":
        # Check the new rows' foreign keys now, so that the columns can be altered in this transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0014_interval_snapshot_index"),
    ]

    operations = [
        *[
            migrations.AddField(
                model_name=model,
                name="perspective",
                field=models.CharField(choices=PERSPECTIVES, max_length=30, null=True),
            )
            for model in ("progressupdate", "historicalprogressupdate", "currentstatus", "statusinterval")
        ],
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="progressupdate",
            name="perspective",
            field=models.CharField(choices=PERSPECTIVES, max_length=30),
        ),
        migrations.AlterField(
            model_name="historicalprogressupdate",
            name="perspective",
            field=models.CharField(choices=PERSPECTIVES, max_length=30),
        ),
        migrations.AlterField(
            model_name="currentstatus",
            name="perspective",
            field=models.CharField(choices=PERSPECTIVES, help_text="Who says so.", max_length=30),
        ),
        migrations.AlterField(
            model_name="statusinterval",
            name="perspective",
            field=models.CharField(choices=PERSPECTIVES, help_text="Who says so.", max_length=30),
        ),
    ]
