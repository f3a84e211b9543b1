"""A spreadsheet as people outside the English-speaking world save it: semicolon- or tab-separated, with
decimal commas, countries named in their own UN language; and a header that lacks several columns is told
all of them at once."""

import io

import pytest

from recommendations import imports

from .factories import EVIDENCE, NARRATIVE
from .test_imports import make_plan

pytestmark = pytest.mark.django_db
COLUMNS = ["actor_code", "recommendation_code", "status", "as_of", "value", "evidence_urls", "narrative"]
KENYA = ["KEN", "R56", "limited", "2020-01-01", "", EVIDENCE[0], NARRATIVE]
PHILIPPINES = ["PHL", "R17", "", "2020-01-01", "7,25", EVIDENCE[0], NARRATIVE]


def text_file(rows, separator, columns=COLUMNS) -> io.BytesIO:
    # Excel's "CSV (séparateur : point-virgule)": no quotes where none are needed, a decimal comma unquoted.
    lines = [separator.join(columns), *(separator.join(row) for row in rows)]
    return io.BytesIO(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))


def plan_of(handle, people):
    return make_plan(handle, "mine.csv", user=people.reporter_a, organization=people.org_a)


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_semicolon_or_tab_separated_file_is_read(people, separator):
    plan = plan_of(text_file([KENYA], separator), people)
    assert not plan.rejected and [(u.row, u.actor.code, u.status) for u in plan.create] == [(2, "KEN", "limited")]


def test_a_decimal_comma_in_a_semicolon_file_is_the_decimal_sign(people):
    plan = plan_of(
        text_file([PHILIPPINES, ["PHL", "R17", "", "2021-01-01", "8.5", EVIDENCE[0], NARRATIVE]], ";"), people
    )
    assert not plan.rejected, plan.rejected
    assert [str(u.value) for u in plan.create] == ["7.25", "8.5"]


@pytest.mark.parametrize("separator", [",", "\t"])
def test_a_comma_in_a_value_elsewhere_is_refused_not_guessed(people, separator):
    # "1,000" is a thousand in English, one in French: the form reads neither (its number field sends a point).
    row = ["PHL", "R17", "", "2020-01-01", "1,000", EVIDENCE[0], NARRATIVE]
    handle = text_file([row], separator) if separator == "\t" else None
    if handle is None:
        handle = io.BytesIO((",".join(COLUMNS) + "\n" + ",".join(row[:4]) + ',"1,000",' + ",".join(row[5:])).encode())
    plan = plan_of(handle, people)
    assert [(r.row, r.column) for r in plan.rejected] == [(2, "value")] and not plan.create
    assert "decimal point (7.25)" in plan.rejected[0].reason and "semicolons" in plan.rejected[0].reason


def test_every_missing_column_is_named_at_once(people):
    with pytest.raises(imports.ImportFileError) as refused:
        plan_of(io.BytesIO(b"narrative,evidence_urls\nx,y\n"), people)
    message = str(refused.value)
    for column in ("as_of", "recommendation_code", "actor_code (or country_iso3, or actor_name)", "status (or value"):
        assert column in message, message


def test_a_header_read_as_one_column_says_how_to_separate_them(people):
    with pytest.raises(imports.ImportFileError, match="separate the columns with commas, semicolons or tabs"):
        plan_of(io.BytesIO(("|".join(COLUMNS) + "\n").encode()), people)


@pytest.mark.parametrize(
    "name, iso3",
    [
        ("Sénégal", "SEN"),  # French
        ("SÉNÉGAL", "SEN"),  # case aside
        ("Filipinas", "PHL"),  # Spanish
        ("Кения", "KEN"),  # Russian
        ("乌干达", "UGA"),  # Chinese
        ("السنغال", "SEN"),  # Arabic
        ("République-Unie de Tanzanie", "TZA"),  # a whole name whose words ("de") fit other countries too
    ],
)
def test_a_country_is_found_by_its_name_in_any_un_language(people, name, iso3):
    columns = ["actor_name", *COLUMNS[1:]]
    plan = plan_of(text_file([[name, *KENYA[1:]]], ";", columns=columns), people)
    assert not plan.rejected, plan.rejected
    assert [u.actor.iso3 for u in plan.create] == [iso3]


def test_an_unknown_or_ambiguous_name_is_refused_with_suggestions(people):
    columns = ["actor_name", *COLUMNS[1:]]
    plan = plan_of(text_file([["Atlantis", *KENYA[1:]], ["Corée", *KENYA[1:]]], ";", columns=columns), people)
    assert [(r.row, r.column) for r in plan.rejected] == [(2, "actor_name"), (3, "actor_name")]
    assert "No country is called “Atlantis”" in plan.rejected[0].reason
    assert "Did you mean" in plan.rejected[1].reason and "(KOR)" in plan.rejected[1].reason
