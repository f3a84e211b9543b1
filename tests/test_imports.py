"""Spreadsheet import: lossless round trip, idempotent, clear rejections, all or nothing, CSV and XLSX."""

import csv
import datetime
import importlib
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from recommendations import imports, services
from recommendations.models import Actor, AuditEvent, CurrentStatus, ProgressUpdate, Recommendation, Status

from .factories import record
from .test_backup import empty_the_database

pytestmark = pytest.mark.django_db
COLUMNS = ["actor_code", "recommendation_code", "status", "as_of", "value", "evidence_urls", "reported_by_organization"]


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

    reviewer = User.objects.create_user("importer")
    reviewer.groups.add(reviewers)
    for code, name in (("forum-a", "Migrant Forum A"), ("watch-b", "Rights Watch B")):
        Actor.objects.create(code=code, name=name, kind="organization", organization_type="ngo")
    assert not ProgressUpdate.objects.exists()

    plan = make_plan(io.BytesIO(before), "report.csv", user=reviewer)
    assert not plan.rejected, plan.rejected
    assert len(plan.create) == 5 and len(plan.skipped) == 195 * 2 - 5  # "No information" rows are not updates
    services.import_progress(plan=plan, user=reviewer, verified=True, source="round-trip test")
    assert status_export(client, query) == before


def test_re_importing_the_same_file_creates_nothing(people):
    rows = [
        ["KEN", "R56", "limited", "2020-01-01", "", "https://example.org/a", "forum-a"],
        ["MEX", "R56", "complete", "2021-05", "", "", "forum-a"],
    ]
    first = make_plan(csv_file(rows), user=people.reporter_a)
    assert len(first.create) == 2
    services.import_progress(plan=first, user=people.reporter_a)
    again = make_plan(csv_file(rows), user=people.reporter_a)
    assert again.create == [] and again.unchanged == [2, 3] and not again.can_commit
    duplicated = make_plan(
        csv_file([rows[0], rows[0]] + [["GHA", "R56", "limited", "2020-01-01", "", "", ""]]),
        user=people.reporter_a,
        organization=people.org_a,
    )
    assert [u.row for u in duplicated.create] == [4] and duplicated.unchanged == [2, 3]


@pytest.mark.parametrize(
    "row, column, reason",
    [
        (["KEN", "R99", "signed", "2020-01-01", "", "", ""], "recommendation_code", "Unknown item code “R99”"),
        (
            ["KEN", "R56", "Ratified", "2020-01-01", "", "", ""],
            "status",
            "Status “Ratified” is not on the policy-action scale",
        ),
        (["KEN", "R56", "limitedish", "2020-01-01", "", "", ""], "status", "Unknown status “limitedish”"),
        (["KEN", "R56", "limited", "2031-01-01", "", "", ""], "as_of", "Date 2031-01-01 is in the future"),
        (["KEN", "R56", "limited", "14/03/2019", "", "", ""], "as_of", "is not a date: write YYYY-MM-DD"),
        (["KEN", "R56", "limited", "2019-02-30", "", "", ""], "as_of", "is not a real date"),
        (
            ["XXX", "R56", "limited", "2020-01-01", "", "", ""],
            "actor_code",
            "Unknown country or organization code “XXX”",
        ),
        (["forum-a", "R02", "ratified", "2020-01-01", "", "", ""], "actor_code", "Only a country can sign, ratify"),
        (["PHL", "R17", "", "2020-01-01", "", "", ""], "value", "Enter the measured value"),
        (["PHL", "R17", "", "2020-01-01", "many", "", ""], "value", "“many” is not a number"),
        (["KEN", "R56", "limited", "2020-01-01", "", "ftp://x", ""], "evidence_urls", "is not a web address"),
        (["KEN", "R56", "limited", "2020-01-01", "", "", "nobody"], "reported_by_organization", "Unknown organization"),
        (
            ["KEN", "R56", "limited", "2020-01-01", "", "", "watch-b"],
            "reported_by_organization",
            "only import for your own",
        ),
        (["", "R56", "limited", "2020-01-01", "", "", ""], "actor_code", "Name the country or organization"),
    ],
)
def test_each_rejection_names_row_column_and_reason(people, row, column, reason):
    good = ["GHA", "R56", "limited", "2020-01-01", "", "", ""]
    plan = make_plan(csv_file([good, row]), user=people.reporter_a, organization=people.org_a)
    assert [(r.row, r.column) for r in plan.rejected] == [(3, column)], plan.rejected
    assert reason in plan.rejected[0].reason
    assert [u.row for u in plan.create] == [2] and not plan.can_commit
    with pytest.raises(services.ValidationError):
        services.import_progress(plan=plan, user=people.reporter_a)
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty"),
        (b"actor_code,status\nKEN,signed\n", "Missing column(s): as_of, recommendation_code"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
    ],
)
def test_unreadable_files_get_a_plain_message(content, message):
    with pytest.raises(imports.ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_plan(io.BytesIO(content))
    with pytest.raises(imports.ImportFileError, match="Upload a .csv or .xlsx"):
        make_plan(io.BytesIO(b"x"), filename="updates.pdf")


def test_the_write_is_all_or_nothing(people, monkeypatch):
    rows = [[iso3, "R56", "limited", "2020-01-01", "", "", "forum-a"] for iso3 in ("KEN", "MEX", "GHA")]
    plan = make_plan(csv_file(rows), user=people.reviewer)

    def fail(**kwargs):
        raise RuntimeError("the database went away half-way")

    monkeypatch.setattr(services, "refresh_current_statuses", fail)
    with pytest.raises(RuntimeError):
        services.import_progress(plan=plan, user=people.reviewer, verified=True, source="test")
    assert not ProgressUpdate.objects.exists()
    assert not AuditEvent.objects.exists()


def test_csv_and_xlsx_give_the_same_plan(people):
    rows = [
        ["KEN", "R56", "limited", "2020-01-01", "", "https://example.org/a", "forum-a"],
        ["PHL", "R17", "", "2019", "4.5", "", "forum-a"],
    ]
    from_csv = make_plan(csv_file(rows), user=people.reporter_a)
    from_xlsx = make_plan(xlsx_file(rows), "updates.xlsx", user=people.reporter_a)

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
    book_rows = [["KEN", "R56", "limited", datetime.datetime(2020, 1, 1), None, "https://example.org/a", "forum-a"]]
    from_dates = make_plan(xlsx_file(book_rows), "updates.xlsx", user=people.reporter_a)
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
    plan = make_plan(io.BytesIO(exported), user=people.reviewer)
    assert not plan.rejected and not plan.create and len(plan.unchanged) == 1  # matched, not re-created
    assert imports.unguard("'=SUM(A1)") == "=SUM(A1)" and imports.unguard("'plain") == "'plain"
    # A formula in a cell is never run: it is text, and here an unknown code.
    plan = make_plan(
        csv_file([["=cmd|' /C calc'!A0", "R56", "limited", "2020-01-01", "", "", ""]]),
        user=people.reporter_a,
        organization=people.org_a,
    )
    assert plan.rejected[0].column == "actor_code"


def test_ten_thousand_rows(people):
    countries = list(Actor.objects.countries().values_list("code", flat=True))
    items = list(Recommendation.objects.filter(kind="policy").values_list("code", flat=True))
    rows = [[c, i, "limited", "2020-01-01", "", "https://example.org/e", "forum-a"] for i in items for c in countries]
    rows = rows[:10_000]
    plan = make_plan(csv_file(rows), user=people.reviewer)
    assert len(plan.create) == 10_000 and not plan.rejected
    assert services.import_progress(plan=plan, user=people.reviewer, verified=True, source="bulk test") == 10_000
    assert ProgressUpdate.objects.count() == 10_000
    assert CurrentStatus.objects.count() == 10_000
    assert ProgressUpdate.history.count() == 10_000  # each with its history row


def test_import_page_previews_then_confirms(client, people):
    client.force_login(people.reporter_a)
    url = reverse("recommendations:progress_import")
    good = csv_file([["KEN", "R56", "limited", "2020-01-01", "", "https://example.org/a", ""]]).getvalue()
    response = client.post(
        url, {"step": "upload", "file": SimpleUploadedFile("mine.csv", good), "organization": people.org_a.pk}
    )
    assert response.status_code == 200 and "1</strong> to create" in response.content.decode()
    assert not ProgressUpdate.objects.exists()  # a preview writes nothing
    token = response.context["token"]
    done = client.post(url, {"step": "confirm", "token": token}, follow=True)
    assert "Imported 1 updates (awaiting review)" in done.content.decode()
    update = ProgressUpdate.objects.get()
    assert (update.state, update.reported_by_organization, update.created_by) == (
        "pending",
        people.org_a,
        people.reporter_a,
    )
    again = client.post(url, {"step": "confirm", "token": token}, follow=True)
    assert "already done or has expired" in again.content.decode()
    assert ProgressUpdate.objects.count() == 1


def test_import_page_shows_rejections_and_refuses_to_import(client, people):
    client.force_login(people.reporter_a)
    bad = csv_file([["KEN", "R99", "limited", "2020-01-01", "", "", ""]]).getvalue()
    response = client.post(
        reverse("recommendations:progress_import"),
        {"step": "upload", "file": SimpleUploadedFile("bad.csv", bad), "organization": people.org_a.pk},
    )
    html = response.content.decode()
    assert "Unknown item code “R99”" in html and "Nothing can be imported" in html
    assert "Import 0" not in html and 'value="confirm"' not in html
    wrong = client.post(
        reverse("recommendations:progress_import"), {"step": "upload", "file": SimpleUploadedFile("x.pdf", b"%PDF")}
    )
    assert "Upload a .csv or .xlsx file" in wrong.content.decode()


def test_only_reviewers_import_as_verified_and_must_cite_a_source(client, people):
    plan = make_plan(csv_file([["KEN", "R56", "limited", "2020-01-01", "", "", "forum-a"]]), user=people.reporter_a)
    with pytest.raises(services.PermissionDenied):
        services.import_progress(plan=plan, user=people.reporter_a, verified=True, source="me")
    with pytest.raises(services.ValidationError, match="Cite the source"):
        services.import_progress(plan=plan, user=people.reviewer, verified=True, source=" ")
    client.force_login(people.reporter_a)
    form = client.get(reverse("recommendations:progress_import")).context["form"]
    assert "verified" not in form.fields


def test_templates_have_the_columns_an_example_and_status_lists(client):
    text = b"".join(client.get(reverse("recommendations:import_template_csv")).streaming_content).decode()
    header, example = list(csv.reader(io.StringIO(text)))
    from recommendations.reports import EXPORT_COLUMNS

    assert header == EXPORT_COLUMNS and example[0] == "KEN"
    assert not make_plan(io.BytesIO(text.encode())).rejected  # the example itself imports cleanly
    response = client.get(reverse("recommendations:import_template_xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["status"][1]] == EXPORT_COLUMNS
    assert set(book.defined_names) >= {"ratification", "policy", "quantitative"}
    lists = {v.formula1 for v in book["status"].data_validations.dataValidation}
    assert "INDIRECT($I2)" in lists  # the status list follows the row's kind (column I)


def test_command_previews_then_commits(tmp_path, people):
    path = tmp_path / "updates.csv"
    path.write_bytes(csv_file([["KEN", "R56", "limited", "2020-01-01", "", "", "forum-a"]]).getvalue())
    out = io.StringIO()
    call_command("import_progress", str(path), "--user", "reporter_a", stdout=out)
    assert "1 to create" in out.getvalue() and "nothing was written" in out.getvalue()
    assert not ProgressUpdate.objects.exists()
    call_command("import_progress", str(path), "--user", "reporter_a", "--commit", stdout=out)
    assert ProgressUpdate.objects.get().state == "pending"


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
