"""Every seeded item quotes the source verbatim and cites paragraphs that contain the quotation."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from recommendations.models import Citation, Paragraph, Recommendation
from recommendations.sourcetext import normalize, split_paragraphs

ROOT = Path(settings.BASE_DIR)
FIXTURE_TEXT = ROOT / "fixtures" / "source" / "hearings-2006.txt"
SHARED_TEXT = ROOT.parent / "shared" / "seed" / "000_26e2bf971a00b785.txt"


def source_text() -> str:
    """The original from ../shared when this checkout sits beside it, else the fixture copy."""
    return (SHARED_TEXT if SHARED_TEXT.exists() else FIXTURE_TEXT).read_text(encoding="utf-8")


def load_items():
    return json.loads((ROOT / "fixtures" / "recommendations.json").read_text(encoding="utf-8"))


def load_paragraphs():
    meta = json.loads((ROOT / "fixtures" / "source" / "document.json").read_text(encoding="utf-8"))
    return {p.number: p.text for p in split_paragraphs(source_text(), meta["sections"], meta["paragraph_count"])}


@pytest.mark.skipif(not SHARED_TEXT.exists(), reason="../shared is not beside this checkout")
def test_fixture_copy_is_the_original_document():
    assert FIXTURE_TEXT.read_bytes() == SHARED_TEXT.read_bytes()


def test_source_splits_into_76_paragraphs_in_order():
    paragraphs = load_paragraphs()
    assert sorted(paragraphs) == list(range(1, 77))
    assert paragraphs[35].startswith("Countries were urged to adopt codes of conduct")
    # Page breaks inside a paragraph are joined, headings and footnotes are not.
    assert "Several participants urged Member States to ratify the Convention" in paragraphs[29]
    assert "¹ A/60/871" not in paragraphs[22]
    assert "B. Gender" not in paragraphs[25]


@pytest.mark.parametrize("entry", load_items(), ids=lambda e: e["code"])
def test_every_quotation_is_verbatim_and_in_its_paragraph(entry):
    whole = normalize(source_text())
    paragraphs = load_paragraphs()
    assert entry["citations"], "an item must quote the source"
    for citation in entry["citations"]:
        quote = normalize(citation["text"])
        assert quote in whole, f"not in the source: {quote[:80]}"
        assert quote in paragraphs[citation["paragraph"]], f"not in ¶{citation['paragraph']}: {quote[:80]}"


@pytest.mark.django_db
def test_seeded_citations_match_their_stored_paragraphs():
    citations = Citation.objects.select_related("paragraph")
    assert citations.count() >= Recommendation.objects.count()
    for citation in citations:
        assert citation.text in citation.paragraph.text
    assert Paragraph.objects.count() == 76
