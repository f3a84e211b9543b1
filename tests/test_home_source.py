"""Issue 14.5: the home page says what the tracker is and who it is for; "latest verified status" is the latest
status date, not the day the baseline was loaded; the source is cited with its UN symbol, linked to the official
document, wherever it is cited."""

import datetime
import io
import json
import re

import openpyxl
import pytest
from django.core.management import call_command

from recommendations.models import SourceDocument

from .factories import record

pytestmark = pytest.mark.django_db


def test_two_plain_sentences_say_what_it_is_and_who_it_is_for(client):
    text = client.get("/").content.decode()
    lead = re.search(r'<p class="lead">(.*?)</p>', text, re.S).group(1)
    sentences = [s for s in re.split(r"(?<=\.)\s+", " ".join(lead.split())) if s]
    assert len(sentences) == 2
    assert "It is for anyone" in sentences[1]
    assert all(len(s.split()) <= 32 for s in sentences)  # short enough for a second-language reader


def test_latest_verified_status_is_the_latest_status_date_not_the_load_date(client, country, item):
    ratification = item("ratification")
    record(actor=country("KEN"), recommendation=ratification, as_of=datetime.date(2011, 6, 9), status="ratified")
    record(actor=country("UGA"), recommendation=ratification, as_of=datetime.date(2014, 3, 1), status="signed")
    text = client.get("/").content.decode()
    figure = re.search(r"Latest verified status</dt><dd[^>]*>([^<]*)</dd>", text).group(1)
    assert figure == "1 March 2014"


def test_the_seed_gives_the_source_its_un_symbol_and_official_address():
    document = SourceDocument.objects.get(slug="hearings-2006")
    assert (document.symbol, document.url) == ("A/61/187", "https://undocs.org/A/61/187")


def test_an_edited_symbol_is_shown_and_linked_wherever_the_source_is_cited(client):
    SourceDocument.objects.update(symbol="A/61/999", url="https://undocs.org/A/61/999")
    link = '<a href="https://undocs.org/A/61/999" rel="noopener">A/61/999</a>'
    for path in ("/", "/source/"):
        assert link in client.get(path).content.decode(), path
    # One item's export (the whole one, every pair, takes seconds): the metadata is the same.
    status_json = b"".join(client.get("/reports/status.json?item=R02").streaming_content)
    metadata = json.loads(status_json)["editorial_layer"]["source_document"]
    assert metadata["symbol"] == "A/61/999" and "(UN document A/61/999)" in metadata["citation"]
    items_json = json.loads(client.get("/recommendations/export.json").content)
    assert items_json["editorial_layer"]["source_document"]["url"] == "https://undocs.org/A/61/999"
    book = openpyxl.load_workbook(io.BytesIO(b"".join(client.get("/reports/status.xlsx?item=R02").streaming_content)))
    about = {row[0]: row[1] for row in book["about"].iter_rows(values_only=True)}
    assert "A/61/999" in about["Source document"] and about["Official document"] == "https://undocs.org/A/61/999"


def test_seeding_again_keeps_an_editor_s_symbol():
    SourceDocument.objects.update(symbol="A/61/187/Corr.1")
    call_command("seed", verbosity=0)
    assert SourceDocument.objects.get().symbol == "A/61/187/Corr.1"
