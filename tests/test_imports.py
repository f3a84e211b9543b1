"""Spreadsheet import: lossless round trip, idempotent, clear rejections, all or nothing, CSV and XLSX."""

import csv
import datetime
import importlib
import io
import os
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from recommendations import imports, services
from recommendations.models import (
    Actor,
    AuditAction,
    AuditEvent,
    CurrentStatus,
    Membership,
    ProgressUpdate,
    Recommendation,
    Status,
)

from .factories import EVIDENCE, NARRATIVE, record
from .test_backup import empty_the_database

pytestmark = pytest.mark.django_db
COLUMNS = [
    "actor_code",
    "recommendation_code",
    "status",
    "as_of",
    "value",
    "evidence_urls",
    "reported_by_organization",
    "narrative",
]
LINK = EVIDENCE[0]


def csv_file(rows, columns=COLUMNS) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def xlsx_file(rows, columns=COLUMNS) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "status"
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def make_plan(handle, filename="updates.csv", **kwargs):
    return imports.plan(imports.read_rows(handle, filename), filename=filename, **kwargs)


def run_import(data: bytes, filename="updates.csv", *, second_reviewer=None, **kwargs):
    """Upload, preview and confirm a file through the services, as the import page does; returns the batch.

    An import as verified is then confirmed by ``second_reviewer``, as the review queue does.
    """
    batch = services.start_import(file=ContentFile(data), filename=filename, **kwargs)
    plan = services.preview_import(batch_id=batch.pk)
    assert plan.can_commit, plan.rejected
    who = {key: kwargs[key] for key in ("user", "system") if key in kwargs}
    batch = services.confirm_import(batch_id=batch.pk, **who)
    if batch.state == "awaiting_review":
        batch = services.confirm_import(batch_id=batch.pk, user=second_reviewer)
    return batch


def status_export(client, query) -> bytes:
    return b"".join(client.get(reverse("recommendations:status_csv") + "?" + query).streaming_content)


def test_round_trip_export_import_export_is_identical(client, people):
    for iso3, status, day in [
        ("GHA", Status.RATIFIED, "2012-09-07"),
        ("SEN", Status.ACCEDED, "1999-06-09"),
        ("KEN", Status.SIGNED, "2015-09-01"),
    ]:
        record(
            actor=Actor.objects.get(iso3=iso3),
            recommendation=Recommendation.objects.get(code="R02"),
            status=status,
            as_of=datetime.date.fromisoformat(day),
            organization=people.org_a,
            historical=day < "2006",
            as_of_precision="day",
        )
    record(
        actor=Actor.objects.get(iso3="TGO"),
        recommendation=Recommendation.objects.get(code="R02"),
        status=Status.RATIFIED,
        as_of=datetime.date(2020, 1, 1),
        as_of_precision="year",
        organization=people.org_a,
    )
    record(
        actor=Actor.objects.get(iso3="PHL"),
        recommendation=Recommendation.objects.get(code="R17"),
        value="4.25",
        as_of=datetime.date(2021, 6, 1),
        organization=people.org_b,
    )
    query = "item=R02&item=R17&actor_kind=country"
    before = status_export(client, query)

    # A fresh database: seeded items and countries, the two organizations and a reviewer, no updates.
    empty_the_database()
    call_command("seed", verbosity=0)
    roles = importlib.import_module("recommendations.migrations.0002_roles").ROLE_PERMISSIONS
    reviewers, _ = Group.objects.get_or_create(name="Reviewer")
    reviewers.permissions.set(Permission.objects.filter(codename__in=roles["Reviewer"]))
    from django.contrib.auth.models import User

    reviewer, checker = User.objects.create_user("importer"), User.objects.create_user("checker")
    reviewer.groups.add(reviewers)
    checker.groups.add(reviewers)
    for code, name in (("forum-a", "Migrant Forum A"), ("watch-b", "Rights Watch B")):
        organization = Actor.objects.create(code=code, name=name, kind="organization", organization_type="ngo")
        Membership.objects.create(user=reviewer, organization=organization)  # an importer files for their own
    assert not ProgressUpdate.objects.exists()

    # New rows need what the form needs: the person adds a narrative column to the export.
    rows = list(csv.reader(io.StringIO(before.decode())))
    edited = io.StringIO()
    csv.writer(edited).writerows([rows[0] + ["narrative"]] + [row + [NARRATIVE] for row in rows[1:]])
    data = edited.getvalue().encode()
    plan = make_plan(io.BytesIO(data), "report.csv", user=reviewer, organization=organization)
    assert not plan.rejected, plan.rejected
    assert len(plan.create) == 5 and len(plan.skipped) == 195 * 2 - 5  # "No information" rows are not updates
    run_import(
        data,
        "report.csv",
        user=reviewer,
        organization=organization,
        verified=True,
        source="round-trip test",
        second_reviewer=checker,
    )
    # The same export, but for the time of verification: the server's clock, never the file's.
    verified_at = rows[0].index("verified_at")
    after = list(csv.reader(io.StringIO(status_export(client, query).decode())))
    assert [r[:verified_at] + r[verified_at + 1 :] for r in after] == [
        r[:verified_at] + r[verified_at + 1 :] for r in rows
    ]
    stamps = [
        datetime.datetime.fromisoformat(r[verified_at].replace("Z", "+00:00")) for r in after[1:] if r[verified_at]
    ]
    now = timezone.now()
    assert len(stamps) == 5 and all(now - datetime.timedelta(minutes=5) < stamp <= now for stamp in stamps)


def test_re_importing_the_same_file_creates_nothing(people):
    rows = [
        ["KEN", "R56", "limited", "2020-01-01", "", LINK, "forum-a", NARRATIVE],
        ["MEX", "R56", "complete", "2021-05", "", LINK, "forum-a", NARRATIVE],
    ]
    mine = {"user": people.reporter_a, "organization": people.org_a}
    first = make_plan(csv_file(rows), **mine)
    assert len(first.create) == 2
    run_import(csv_file(rows).getvalue(), **mine)
    again = make_plan(csv_file(rows), **mine)
    assert again.create == [] and again.unchanged == [2, 3] and not again.can_commit
    duplicated = make_plan(
        csv_file([rows[0], rows[0]] + [["GHA", "R56", "limited", "2020-01-01", "", LINK, "", NARRATIVE]]), **mine
    )
    assert [u.row for u in duplicated.create] == [4] and duplicated.unchanged == [2, 3]
    # Rows already present need no narrative (the status export has none): they change nothing.
    bare = make_plan(csv_file([row[:-1] for row in rows], columns=COLUMNS[:-1]), **mine)
    assert bare.unchanged == [2, 3] and not bare.rejected


@pytest.mark.parametrize(
    "row, column, reason",
    [
        (["KEN", "R99", "signed", "2020-01-01", "", LINK, ""], "recommendation_code", "Unknown item code “R99”"),
        (
            ["KEN", "R56", "Ratified", "2020-01-01", "", LINK, ""],
            "status",
            "Status “Ratified” is not on the policy-action scale",
        ),
        (["KEN", "R56", "limitedish", "2020-01-01", "", LINK, ""], "status", "Unknown status “limitedish”"),
        (["KEN", "R56", "limited", "2031-01-01", "", LINK, ""], "as_of", "cannot be in the future"),
        (["KEN", "R56", "limited", "14/03/2019", "", LINK, ""], "as_of", "is not a date: write YYYY-MM-DD"),
        (["KEN", "R56", "limited", "2019-02-30", "", LINK, ""], "as_of", "is not a real date"),
        (
            ["XXX", "R56", "limited", "2020-01-01", "", LINK, ""],
            "actor_code",
            "Unknown country or organization code “XXX”",
        ),
        (["forum-a", "R02", "ratified", "2020-01-01", "", LINK, ""], "actor_code", "Only a country can sign, ratify"),
        (["PHL", "R17", "", "2020-01-01", "", LINK, ""], "value", "Enter the measured value"),
        (["PHL", "R17", "", "2020-01-01", "many", LINK, ""], "value", "“many” is not a number"),
        (
            # A status that the value contradicts is refused, as the form refuses it, not replaced silently.
            ["PHL", "R17", "target_met", "2020-01-01", "7.25", LINK, ""],
            "status",
            "the status follows from the value: 7.25 % of amount sent is “Off track”, not “Target met”",
        ),
        (["KEN", "R56", "limited", "2020-01-01", "", "ftp://x", ""], "evidence_urls", "is not a web address"),
        (["KEN", "R56", "limited", "2020-01-01", "", "", ""], "evidence_urls", "at least one evidence link"),
        (
            ["KEN", "R56", "limited", "2020-01-01", "", LINK, "nobody"],
            "reported_by_organization",
            "Unknown organization",
        ),
        (
            ["KEN", "R56", "limited", "2020-01-01", "", LINK, "watch-b"],
            "reported_by_organization",
            "organization you belong to",
        ),
        (["", "R56", "limited", "2020-01-01", "", LINK, ""], "actor_code", "Name the country or organization"),
    ],
)
def test_each_rejection_names_row_column_and_reason(people, row, column, reason):
    good = ["GHA", "R56", "limited", "2020-01-01", "", LINK, "", NARRATIVE]
    data = csv_file([good, [*row, NARRATIVE]])
    plan = make_plan(data, user=people.reporter_a, organization=people.org_a)
    assert [(r.row, r.column) for r in plan.rejected] == [(3, column)], plan.rejected
    assert reason in plan.rejected[0].reason
    assert [u.row for u in plan.create] == [2] and not plan.can_commit
    batch = services.start_import(
        file=ContentFile(data.getvalue()), filename="updates.csv", user=people.reporter_a, organization=people.org_a
    )
    assert services.preview_import(batch_id=batch.pk).rejected
    with pytest.raises(services.ValidationError, match="refused because of errors"):
        services.confirm_import(batch_id=batch.pk, user=people.reporter_a)
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty"),
        (b"actor_code,status\nKEN,signed\n", "Missing column(s): as_of, recommendation_code"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
    ],
)
def test_unreadable_files_get_a_plain_message(people, content, message):
    mine = {"user": people.reporter_a, "organization": people.org_a}
    with pytest.raises(imports.ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_plan(io.BytesIO(content), **mine)
    with pytest.raises(imports.ImportFileError, match="Upload a .csv or .xlsx"):
        make_plan(io.BytesIO(b"x"), filename="updates.pdf", **mine)


def test_the_write_is_all_or_nothing(people, monkeypatch):
    rows = [[iso3, "R56", "limited", "2020-01-01", "", LINK, "forum-a", NARRATIVE] for iso3 in ("KEN", "MEX", "GHA")]
    batch = services.start_import(
        file=ContentFile(csv_file(rows).getvalue()),
        filename="updates.csv",
        user=people.reviewer,
        organization=people.org_a,
        verified=True,
        source="test",
    )
    services.preview_import(batch_id=batch.pk)
    services.confirm_import(batch_id=batch.pk, user=people.reviewer)  # to the review queue

    def fail(**kwargs):
        raise RuntimeError("the database went away half-way")

    monkeypatch.setattr(services.import_batches, "refresh_current_statuses", fail)
    with pytest.raises(RuntimeError):
        services.confirm_import(batch_id=batch.pk, user=people.reviewer2)
    assert not ProgressUpdate.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORTED).exists()
    batch.refresh_from_db()
    assert batch.state == "awaiting_review" and batch.file  # still there for a second attempt
    monkeypatch.undo()
    assert services.confirm_import(batch_id=batch.pk, user=people.reviewer2).created == 3


def test_csv_and_xlsx_give_the_same_plan(people):
    rows = [
        ["KEN", "R56", "limited", "2020-01-01", "", LINK, "forum-a", NARRATIVE],
        ["PHL", "R17", "", "2019", "4.5", LINK, "forum-a", NARRATIVE],
    ]
    mine = {"user": people.reporter_a, "organization": people.org_a}
    from_csv = make_plan(csv_file(rows), **mine)
    from_xlsx = make_plan(xlsx_file(rows), "updates.xlsx", **mine)

    def summary(plan):
        return [
            (u.actor.code, u.recommendation.code, u.status, u.as_of, u.as_of_precision, u.value) for u in plan.create
        ]

    assert (
        summary(from_csv)
        == summary(from_xlsx)
        == [
            ("KEN", "R56", "limited", datetime.date(2020, 1, 1), "day", None),
            ("PHL", "R17", "progressing", datetime.date(2019, 1, 1), "year", Decimal("4.5")),
        ]
    )
    # Excel cells that hold real dates and numbers read the same as text.
    book_rows = [["KEN", "R56", "limited", datetime.datetime(2020, 1, 1), None, LINK, "forum-a", NARRATIVE]]
    from_dates = make_plan(xlsx_file(book_rows), "updates.xlsx", **mine)
    assert summary(from_dates) == summary(from_csv)[:1]


def test_formula_guarded_cells_come_back_unguarded(client, people, make_org):
    hostile = make_org('=HYPERLINK("http://evil","x")', code="hostile")
    record(
        actor=hostile,
        recommendation=Recommendation.objects.get(code="R45"),
        status=Status.LIMITED,
        as_of=datetime.date(2020, 1, 1),
        organization=people.org_a,
    )
    exported = status_export(client, "actor=hostile")
    assert b"'=HYPERLINK" in exported
    plan = make_plan(io.BytesIO(exported), user=people.reviewer, organization=people.org_a)
    assert not plan.rejected and not plan.create and len(plan.unchanged) == 1  # matched, not re-created
    assert imports.unguard("'=SUM(A1)") == "=SUM(A1)" and imports.unguard("'plain") == "'plain"
    # A formula in a cell is never run: it is text, and here an unknown code.
    plan = make_plan(
        csv_file([["=cmd|' /C calc'!A0", "R56", "limited", "2020-01-01", "", LINK, "", NARRATIVE]]),
        user=people.reporter_a,
        organization=people.org_a,
    )
    assert plan.rejected[0].column == "actor_code"


def test_ten_thousand_rows(people):
    countries = list(Actor.objects.countries().values_list("code", flat=True))
    items = list(Recommendation.objects.filter(kind="policy").values_list("code", flat=True))
    rows = [[c, i, "limited", "2020-01-01", "", LINK, "forum-a", NARRATIVE] for i in items for c in countries]
    data = csv_file(rows[:10_000]).getvalue()
    plan = make_plan(io.BytesIO(data), user=people.reviewer, organization=people.org_a)
    assert len(plan.create) == 10_000 and not plan.rejected
    batch = run_import(
        data,
        user=people.reviewer,
        organization=people.org_a,
        verified=True,
        source="bulk test",
        second_reviewer=people.reviewer2,
    )
    assert batch.created == 10_000
    assert ProgressUpdate.objects.filter(state="verified", reviewed_by=people.reviewer2).count() == 10_000
    assert CurrentStatus.objects.count() == 10_000
    assert ProgressUpdate.history.count() == 20_000  # each filed, then verified, as one by one


def test_import_page_previews_then_confirms(client, people):
    client.force_login(people.reporter_a)
    url = reverse("recommendations:progress_import")
    good = csv_file([["KEN", "R56", "limited", "2020-01-01", "", LINK, "", NARRATIVE]]).getvalue()
    response = client.post(
        url, {"step": "upload", "file": SimpleUploadedFile("mine.csv", good), "organization": people.org_a.pk}
    )
    assert response.status_code == 200 and "1</strong> to create" in response.content.decode()
    assert not ProgressUpdate.objects.exists()  # a preview writes nothing
    token = response.context["token"]
    done = client.post(url, {"step": "confirm", "token": token}, follow=True)
    assert "Imported 1 updates (awaiting review)" in done.content.decode()
    update = ProgressUpdate.objects.get()
    assert (update.state, update.reported_by_organization, update.created_by, update.narrative) == (
        "pending",
        people.org_a,
        people.reporter_a,
        NARRATIVE,
    )
    again = client.post(url, {"step": "confirm", "token": token}, follow=True)
    assert "already imported" in again.content.decode()
    assert ProgressUpdate.objects.count() == 1
    gone = client.post(url, {"step": "confirm", "token": "not-a-batch"}, follow=True)
    assert "not there any more" in gone.content.decode()


def test_import_page_shows_rejections_and_refuses_to_import(client, people):
    client.force_login(people.reporter_a)
    bad = csv_file([["KEN", "R99", "limited", "2020-01-01", "", LINK, "", NARRATIVE]]).getvalue()
    response = client.post(
        reverse("recommendations:progress_import"),
        {"step": "upload", "file": SimpleUploadedFile("bad.csv", bad), "organization": people.org_a.pk},
    )
    html = response.content.decode()
    assert "Unknown item code “R99”" in html and "Nothing can be imported" in html
    assert "Import 0" not in html and 'value="confirm"' not in html
    wrong = client.post(
        reverse("recommendations:progress_import"),
        {"step": "upload", "file": SimpleUploadedFile("x.pdf", b"%PDF"), "organization": people.org_a.pk},
    )
    assert "Upload a .csv or .xlsx file" in " ".join(wrong.context["form"].errors["file"])


def test_a_reporter_is_not_offered_an_import_as_verified(client, people):
    client.force_login(people.reporter_a)
    form = client.get(reverse("recommendations:progress_import")).context["form"]
    assert "verified" not in form.fields and "source" not in form.fields
    assert list(form.fields["organization"].queryset) == [people.org_a]


def test_templates_have_the_columns_an_example_and_status_lists(client, people):
    text = b"".join(client.get(reverse("recommendations:import_template_csv")).streaming_content).decode()
    header, example = list(csv.reader(io.StringIO(text)))
    from recommendations.reports import EXPORT_COLUMNS

    assert header == [*EXPORT_COLUMNS, "narrative"] and example[0] == "KEN"
    plan = make_plan(io.BytesIO(text.encode()), user=people.reporter_a, organization=people.org_a)
    assert not plan.create and not plan.rejected and plan.skipped == [(2, imports.IS_EXAMPLE)]  # never imported
    response = client.get(reverse("recommendations:import_template_xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["status"][1]] == [*EXPORT_COLUMNS, "narrative"]
    assert set(book.defined_names) >= {"ratification", "policy", "quantitative"}
    lists = {v.formula1 for v in book["status"].data_validations.dataValidation}
    assert "INDIRECT(VLOOKUP($G2,lists!$E$2:$F$98,2,FALSE))" in lists  # the status list follows the item (G)
    from_xlsx = make_plan(io.BytesIO(response.content), "t.xlsx", user=people.reporter_a, organization=people.org_a)
    assert not from_xlsx.create and not from_xlsx.rejected and len(from_xlsx.skipped) == 1


def test_command_previews_then_commits(tmp_path, people, settings, django_capture_on_commit_callbacks):
    path = tmp_path / "updates.csv"
    path.write_bytes(csv_file([["KEN", "R56", "limited", "2020-01-01", "", LINK, "", NARRATIVE]]).getvalue())
    out = io.StringIO()
    mine = ["--user", "reporter_a", "--organization", "forum-a"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_progress", str(path), *mine, stdout=out)
    assert "1 to create" in out.getvalue() and "nothing was written" in out.getvalue()
    assert not ProgressUpdate.objects.exists()
    assert not os.listdir(settings.MEDIA_ROOT / "imports")  # the preview's stored copy is gone
    call_command("import_progress", str(path), *mine, "--commit", stdout=out)
    update = ProgressUpdate.objects.get()
    assert (update.state, update.created_by, update.reported_by_organization) == (
        "pending",
        people.reporter_a,
        people.org_a,
    )


def test_command_requires_an_organization_of_the_user(tmp_path, people):
    path = tmp_path / "updates.csv"
    path.write_bytes(csv_file([["MEX", "R56", "limited", "2020-01-01", "", LINK, "", NARRATIVE]]).getvalue())
    with pytest.raises(CommandError, match="--organization"):
        call_command("import_progress", str(path), "--user", "reporter_a", "--commit")
    with pytest.raises(CommandError, match="organization you belong to"):
        call_command("import_progress", str(path), "--user", "reporter_a", "--organization", "watch-b", "--commit")
    assert not ProgressUpdate.objects.exists()


def test_icrmw_baseline_is_loaded_with_its_real_counts(client):
    out = io.StringIO()
    call_command("load_icrmw_baseline", stdout=out)
    assert "70 updates loaded" in out.getvalue()
    response = client.get(reverse("recommendations:detail", args=["R02"]))
    summary = response.context["summary"]
    counts = {status: n for status, _, n in summary.by_status}
    assert summary.parties == 59 and counts["signed"] == 11
    assert counts["ratified"] == 29 and counts["acceded"] == 30
    history = response.context["history"]
    parties = [
        sum(history["series"].get(s, [0] * len(history["years"]))[i] for s in ("ratified", "acceded"))
        for i in range(len(history["years"]))
    ]
    assert history["years"][0] <= 1993 and parties[0] < parties[-1] == 59
    assert parties == sorted(parties)  # growing since the 1990s
    togo = ProgressUpdate.objects.get(actor__iso3="TGO")
    assert (togo.as_of_precision, togo.as_of_display()) == ("year", "2020")  # a year, not 1 January
    assert togo.reported_by_organization.name == "UN Treaty Collection" and togo.state == "verified"
    assert togo.evidence_urls[0].startswith("https://github.com/")
    assert "2020" in client.get(reverse("recommendations:timeline", args=["TGO", "R02"])).content.decode()
    call_command("load_icrmw_baseline", stdout=out)
    assert "already loaded" in out.getvalue() and ProgressUpdate.objects.count() == 70
