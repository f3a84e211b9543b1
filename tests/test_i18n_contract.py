"""Issue 17: labels are translated on pages, but what exports write and importers match stays English.

There are no catalogs yet, so a fake French one is planted for these tests: a page label that is marked
for translation reads in "French", while the export columns and the importers keep their English words
(the contract). Without ``english()``/``status_label_en`` these tests fail.
"""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from recommendations import imports
from recommendations.models import NO_INFORMATION, ActorKind, Kind, Perspective, Status, status_label
from recommendations.services import parse_perspective

from .status_samples import read_csv
from .test_status_exports import data, xlsx_rows  # noqa: F401  (the shared fixture)

pytestmark = pytest.mark.django_db

FAKE = {
    "Party (ratified)": "Partie (ratifié) [fr]",
    "Target met": "Cible atteinte [fr]",
    "status\x04Progressing": "En progrès [fr]",
    "status\x04Limited": "Limité [fr]",
    "Progressing": "En progrès [fr]",
    "Limited": "Limité [fr]",
    "No information": "Aucune information [fr]",
    "Off track": "Hors trajectoire [fr]",
    "Signed": "Signé [fr]",
    "status\x04Signed": "Signé [fr]",
    "Country": "Pays [fr]",
    "Organization": "Organisation [fr]",
    "Ratification of an instrument": "Ratification d'un instrument [fr]",
    "Quantitative target": "Cible quantitative [fr]",
    "Policy action": "Action politique [fr]",
    "Civil-society assessment": "Évaluation de la société civile [fr]",
}


@pytest.fixture
def fake_french():
    """A French catalog holding the FAKE entries, dropped (and reloaded from disk) afterwards."""
    catalog = trans_real.translation("fr")._catalog
    for msgid, msgstr in FAKE.items():
        catalog[msgid] = msgstr
    yield
    trans_real._translations.pop("fr", None)


def test_labels_are_translated_for_pages(fake_french):
    with translation.override("fr"):
        assert status_label(Status.RATIFIED) == FAKE["Party (ratified)"]
        assert status_label(Status.SIGNED) == FAKE["status\x04Signed"]  # a short word: with its context
        assert status_label(NO_INFORMATION) == FAKE["No information"]
        assert str(Kind.POLICY.label) == FAKE["Policy action"]
    assert status_label(Status.RATIFIED) == "Party (ratified)"


def test_xlsx_label_columns_stay_english_in_another_language(client, data, fake_french):  # noqa: F811
    english_header, english_rows, _ = xlsx_rows(client, {"item": ["R02", "R17", "R45"]})
    with translation.override("fr"):
        header, rows, _ = xlsx_rows(client, {"item": ["R02", "R17", "R45"]})
    assert (header, rows) == (english_header, english_rows)
    labels = {(row[header.index("status")], row[header.index("status_label")]) for row in rows}
    assert ("ratified", "Party (ratified)") in labels and ("limited", "Limited") in labels
    kinds = {row[header.index("kind_label")] for row in rows} | {row[header.index("actor_kind_label")] for row in rows}
    assert {str(Kind.RATIFICATION.label), str(ActorKind.COUNTRY.label)} <= kinds
    assert not any("[fr]" in cell for row in rows for cell in row)


def test_history_csv_status_labels_stay_english(client, data, fake_french):  # noqa: F811
    with translation.override("fr"):
        response = client.get(reverse("recommendations:history_csv"), {"item": ["R02", "R45"]})
        rows = read_csv(b"".join(response.streaming_content).decode("utf-8-sig"))  # streamed: read it in French
    header, body = rows[0], rows[1:]
    labels = {(row[header.index("status")], row[header.index("status_label")]) for row in body}
    assert labels == {("ratified", "Party (ratified)"), ("limited", "Limited")}


def test_import_template_lists_english_labels(client, people, fake_french):
    client.force_login(people.reporter_a)
    with translation.override("fr"):
        response = client.get(reverse("recommendations:import_template_xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {str(v) for row in book["lists"].iter_rows(values_only=True) for v in row if v is not None}
    assert {"Signed", "Party (ratified)", "Limited", "Target met"} <= cells
    assert not any("[fr]" in cell for cell in cells)


def test_importers_match_english_labels_whatever_the_language(fake_french):
    with translation.override("fr"):
        directory = imports._Directory()
        assert directory.status_by_text["party (ratified)"] == Status.RATIFIED
        assert directory.status_by_text["signed"] == Status.SIGNED
        assert "signé [fr]" not in directory.status_by_text
        assert parse_perspective("Civil-society assessment", None) == Perspective.CIVIL_SOCIETY
