"""What a reporter with a spreadsheet tripped on (issue 14, item 11): the example row, the default
organization, evidence and narrative, the status drop-down, status labels, and the page's wording."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations import imports
from recommendations.models import Membership, Recommendation, Status, status_label

from .factories import EVIDENCE, NARRATIVE

pytestmark = pytest.mark.django_db
LINK = EVIDENCE[0]
COLUMNS = ["actor_code", "recommendation_code", "status", "as_of", "evidence_urls", "narrative"]
IMPORT = reverse("recommendations:progress_import")


def plan_of(rows, people, columns=COLUMNS):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    handle = io.BytesIO(out.getvalue().encode())
    return imports.plan(
        imports.read_rows(handle, "mine.csv"), filename="mine.csv", organization=people.org_a, user=people.reporter_a
    )


def template_rows(client, fmt):
    response = client.get(reverse(f"recommendations:import_template_{fmt}"))
    if fmt == "csv":
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [["" if c is None else str(c) for c in row] for row in book["status"].iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_templates_example_row_is_skipped_and_a_row_added_below_it_is_imported(client, people, fmt):
    header, example = template_rows(client, fmt)
    assert example[header.index("narrative")].startswith(imports.EXAMPLE_MARK)
    mine = dict(zip(header, example, strict=True))
    mine.update(actor_code="UGA", country_iso3="UGA", narrative=NARRATIVE, status="Party (ratified)")
    rows = [example, [mine[c] for c in header]]
    plan = plan_of(rows, people, columns=header)
    assert plan.skipped == [(2, imports.IS_EXAMPLE)] and not plan.rejected
    assert [(u.row, u.actor.code) for u in plan.create] == [(3, "UGA")]


def test_filed_on_behalf_of_defaults_to_the_reporters_only_organization(client, people, make_org):
    client.force_login(people.reporter_a)
    page = client.get(IMPORT).content.decode()
    assert f'<option value="{people.org_a.pk}" selected>' in page
    Membership.objects.create(user=people.reporter_a, organization=make_org("Second NGO", code="second"))
    form = client.get(IMPORT).context["form"]
    assert form["organization"].value() is None  # two organizations: the reporter chooses


def test_a_row_without_evidence_is_refused(people):
    plan = plan_of([["KEN", "R56", "limited", "2020-01-01", "", NARRATIVE]], people)
    assert not plan.create and [(r.row, r.column) for r in plan.rejected] == [(2, "evidence_urls")]
    assert "at least one evidence link" in plan.rejected[0].reason


def test_a_missing_narrative_is_said_plainly(people):
    plan = plan_of([["KEN", "R56", "limited", "2020-01-01", LINK, ""]], people)
    (rejection,) = plan.rejected
    assert rejection.column == "narrative"
    assert rejection.reason.startswith("The narrative is empty.") and "you wrote 0" not in rejection.reason


def test_the_xlsx_status_list_follows_the_item_and_offers_labels(client):
    response = client.get(reverse("recommendations:import_template_xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, lists = book["status"], book["lists"]
    header = [c.value for c in sheet[1]]
    item_column = openpyxl.utils.get_column_letter(header.index("recommendation_code") + 1)
    status_column = openpyxl.utils.get_column_letter(header.index("status") + 1)
    (status_list,) = [v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(status_column)]
    assert f"VLOOKUP(${item_column}2," in status_list.formula1  # from the item, not the "kind" typed by hand
    kind_of = {row[4]: row[5] for row in lists.iter_rows(min_row=2, values_only=True) if row[4]}
    assert kind_of == dict(Recommendation.objects.values_list("code", "kind"))
    ratification = [row[1] for row in lists.iter_rows(min_row=2, values_only=True) if row[1]]
    assert "Party (ratified)" in ratification and "ratified" not in ratification


def test_status_labels_and_codes_are_both_accepted_and_shown_as_labels(client, people):
    plan = plan_of(
        [
            ["KEN", "R02", "Party (ratified)", "2020-01-01", LINK, NARRATIVE],
            ["UGA", "R02", "ratified", "2020-01-01", LINK, NARRATIVE],
        ],
        people,
    )
    assert [u.status for u in plan.create] == [Status.RATIFIED, Status.RATIFIED] and not plan.rejected
    client.force_login(people.reporter_a)
    out = io.StringIO()
    csv.writer(out).writerows([COLUMNS, ["UGA", "R02", "ratified", "2020-01-01", LINK, NARRATIVE]])
    upload = SimpleUploadedFile("mine.csv", out.getvalue().encode())
    page = client.post(IMPORT, {"step": "upload", "file": upload, "organization": people.org_a.pk})
    assert f"<td>{status_label(Status.RATIFIED)}</td>" in page.content.decode()


def test_the_import_page_says_where_the_templates_are(client, people):
    client.force_login(people.reporter_a)
    page = client.get(IMPORT).content.decode()
    assert "below" not in page.split("Blank templates")[1].split("</form>")[0]
    assert "template below" not in page and "templates are linked above" in page
