"""Issue 13: the data never says more than the source, and every editorial addition is marked as one."""

import re

import pytest
from django.db import IntegrityError, transaction

from recommendations.models import Citation, CitationRole, Instrument, Kind, Recommendation
from recommendations.sourcetext import is_whole_sentences

pytestmark = pytest.mark.django_db

# Function words, and the subject of the whole document: a title that says "migration" where its
# quotation says "remittances" or "young people" adds no claim.
_FUNCTION_WORDS = (
    "a an the of and or for to in on with by from as at into their its them they all any not do who so that this "
    "these those be is are was it more other such than via between about without within against regardless "
    "including especially through just"
)
STOP_WORDS = {*_FUNCTION_WORDS.split(" "), "migration", "migrant", "migrants", "international"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


def _words(text: str) -> list[str]:
    return [w.replace("’", "'").removesuffix("'s").rstrip("'") for w in _WORD.findall(text)]


def _same_stem(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    if min(len(a), len(b)) < 4:
        return a == b
    k = min(5, len(a), len(b))
    return a[:k] == b[:k]


def _acronyms(text: str) -> set[str]:
    """Initials of runs of capitalised words: "United Nations" → "UN"."""
    runs = re.findall(r"(?:[A-Z][a-z]+(?:\s+|$)){2,}", text)
    return {"".join(word[0] for word in run.split()) for run in runs}


def unsupported_words(title: str, quotations: list[str], instruments: dict[str, str] | None = None) -> list[str]:
    """The key words of ``title`` (after its opening verb) that none of ``quotations`` supports.

    A word is supported when a quoted word shares its stem, when it is the
    initials of quoted capitalised words (UN), or when it is the short name
    of one of the item's instruments whose full name is quoted (CEDAW).
    """
    quoted = " ".join(quotations)
    quoted_words = [w.lower() for w in _words(quoted)]
    acronyms = _acronyms(quoted)
    named = {short for short, name in (instruments or {}).items() if name.split(":")[0] in quoted}
    missing = []
    for word in _words(title)[1:]:
        if word.lower() in STOP_WORDS or word in acronyms or word in named:
            continue
        if not any(_same_stem(word, q) for q in quoted_words):
            missing.append(word)
    return missing


def _named_in(instrument: Instrument, text: str) -> bool:
    """The source names an instrument by its official title (before any subtitle) or, for an ILO
    Convention, by its number in a sentence about ILO Conventions ("No. 97 on migration for employment")."""
    if instrument.name.split(":")[0] in text:
        return True
    number = re.search(r"\(No\. (\d+)\)$", instrument.name)
    return bool(number) and f"No. {number.group(1)} " in text and "Labour Organization" in text


# ---------------------------------------------------------------------------
# The checks themselves catch what the issue found
# ---------------------------------------------------------------------------

OLD_R07_QUOTES = [
    "Member States were urged to ratify all the core human rights instruments and, in particular, the International "
    "Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families.",
    "Several participants urged Member States to ratify the Convention and other core human rights instruments and "
    "to implement them.",
]


def test_the_title_check_finds_words_the_quotations_do_not_support():
    assert unsupported_words("Ratify the Convention against Torture", OLD_R07_QUOTES) == ["Torture"]
    assert unsupported_words(
        "Protect trafficking victims unconditionally",
        ["women who were victims of trafficking were in particular need of protection"],
    ) == ["unconditionally"]
    # Stems, initials and instrument short names count as support.
    assert unsupported_words("Protect migrant women", ["female migrants and women were protected"]) == []
    assert unsupported_words("Use the UN machinery", ["the machinery of the United Nations"]) == []
    cedaw = {"CEDAW": "Convention on the Elimination of All Forms of Discrimination against Women"}
    quote = "ratifying the Convention on the Elimination of All Forms of Discrimination against Women"
    assert unsupported_words("Implement CEDAW", [quote], cedaw) == []
    assert unsupported_words("Implement CEDAW", ["implementing conventions"], cedaw) == ["CEDAW"]


# ---------------------------------------------------------------------------
# Done when: the hidden-nothing checks over every seeded item
# ---------------------------------------------------------------------------


def test_every_title_is_supported_by_its_quotations_or_flagged_editorial():
    offenders = {}
    for item in Recommendation.objects.prefetch_related("citations", "instruments"):
        instruments = {i.short_name: i.name for i in item.instruments.all()}
        missing = unsupported_words(item.title, [c.text for c in item.citations.all()], instruments)
        if missing and not item.title_is_editorial:
            offenders[item.code] = (item.title, missing)
    assert not offenders, offenders
    # The flag is used, and only with a reason.
    flagged = Recommendation.objects.filter(title_is_editorial=True)
    assert set(flagged.values_list("code", flat=True)) >= {"R03", "R04", "R05", "R07", "R08", "R91"}
    assert not flagged.filter(editorial_note="").exists()


def test_every_ratification_item_names_its_instrument_in_a_cited_paragraph_or_is_an_editorial_split():
    offenders = []
    items = Recommendation.objects.filter(kind=Kind.RATIFICATION).select_related("ratifies")
    for item in items.prefetch_related("citations__paragraph"):
        paragraphs = [c.paragraph.text for c in item.citations.all()]
        if not any(_named_in(item.ratifies, text) for text in paragraphs) and not item.editorial_split:
            offenders.append(item.code)
    assert not offenders, offenders
    named = {i.code for i in items if not i.editorial_split}
    assert named == {"R02", "R06", "R09", "R10"}


def test_every_linked_instrument_is_named_where_the_item_quotes_or_the_editors_say_why():
    offenders = []
    for item in Recommendation.objects.prefetch_related("citations__paragraph", "instruments"):
        paragraphs = [c.paragraph.text for c in item.citations.all()]
        for instrument in item.instruments.all():
            if not any(_named_in(instrument, text) for text in paragraphs) and not item.editorial_note:
                offenders.append((item.code, instrument.short_name))
    assert not offenders, offenders


def test_every_quotation_is_whole_sentences_and_every_item_quotes_a_call():
    for item in Recommendation.objects.prefetch_related("citations__paragraph"):
        citations = list(item.citations.all())
        assert any(c.role == CitationRole.CALL for c in citations), item.code
        for citation in citations:
            assert is_whole_sentences(citation.text, citation.paragraph.text), (item.code, citation.paragraph.number)


# ---------------------------------------------------------------------------
# The specific findings of the issue
# ---------------------------------------------------------------------------


def item(code):
    return Recommendation.objects.prefetch_related("citations__paragraph", "instruments", "themes").get(code=code)


def quotes(code, role=None):
    return {c.paragraph.number: c.text for c in item(code).citations.all() if role is None or c.role == role}


def test_calls_that_were_folded_into_other_items_are_items_of_their_own():
    # ¶41's code of conduct, linked to the recruitment theme, and no longer in R56.
    conduct = item("R95")
    assert "mandatory code of conduct" in quotes("R95")[41]
    assert "recruitment" in {t.slug for t in conduct.themes.all()}
    assert "code of conduct" not in quotes("R56")[41]
    # ¶74's second half has a title of its own.
    assert "rights of women and migrant workers" in item("R97").title
    # ¶57's financial institutions and banks: out of R41, into an item addressed to them.
    assert 57 not in quotes("R41")
    assert "financial-institutions" in set(item("R96").addressees.values_list("slug", flat=True))
    # ¶20's perception call, addressed to Governments.
    assert "perception" in item("R94").title
    assert "perception" in quotes("R94")[20]
    # ¶9's explicit consideration of human rights for vulnerable groups.
    assert "vulnerability" in quotes("R93")[9]
    # ¶53's concern about criminalization is quoted (not itemised) with the holistic approach it leads to.
    assert "criminalization of irregular migrants" in quotes("R67")[53]


def test_the_core_instrument_items_cite_paragraph_23_as_context_and_are_editorial_splits():
    for code in ("R03", "R04", "R05", "R07", "R08"):
        split = item(code)
        assert split.editorial_split and split.title_is_editorial, code
        assert "seven core human rights instruments" in quotes(code, CitationRole.CONTEXT)[23], code
        assert 23 not in quotes(code, CitationRole.CALL), code
        assert split.ratifies.name in split.title, code  # the official title
    assert not item("R06").editorial_split  # CEDAW is named in ¶26
    assert item("R06").title.endswith("Convention on the Elimination of All Forms of Discrimination against Women")


def test_r23_no_longer_says_unconditionally_and_r06_quotes_the_whole_sentence():
    assert "unconditionally" not in item("R23").title
    assert "conditional on participation in prosecution" in item("R23").title
    assert quotes("R06")[26].endswith("closely related to that of all women in countries of destination and origin.")


def test_instruments_use_official_titles_and_the_trafficking_protocol_with_its_parent():
    names = dict(Instrument.objects.values_list("short_name", "name"))
    assert "Palermo Protocol" not in names and "Smuggling Protocol" not in names
    assert names["Trafficking Protocol"].startswith("Protocol to Prevent, Suppress and Punish Trafficking in Persons")
    assert names["UNTOC"] == "United Nations Convention against Transnational Organized Crime"
    trafficking = item("R91")
    assert trafficking.ratifies.short_name == "Trafficking Protocol"
    assert {"Trafficking Protocol", "UNTOC"} <= {i.short_name for i in trafficking.instruments.all()}
    labour = {"ILO Declaration 1998", "ILO Multilateral Framework"}
    assert {i.short_name for i in item("R13").instruments.all()} == labour
    assert {i.short_name for i in item("R14").instruments.all()} == {"Durban Declaration"}
    # Every instrument is used by an item.
    assert not Instrument.objects.filter(recommendations=None, ratification_items=None).exists()


def test_r17s_question_from_paragraph_57_is_context_and_its_thresholds_name_sdg_10c():
    remittances = item("R17")
    assert 57 in quotes("R17", CitationRole.CONTEXT) and 57 not in quotes("R17", CitationRole.CALL)
    explained = remittances.thresholds_explained()
    assert "SDG target 10.c" in explained and "not from the 2006 source" in explained
    assert "Target met: at or below 3 % of amount sent" in explained
    # Every threshold carries the unit the first does (the ceiling read "at or below 5", "above 5").
    assert (
        "Progressing: at or below 5 % of amount sent" in explained
        and "Off track: above 5 % of amount sent" in explained
    )


def test_an_editorial_flag_without_a_note_is_refused_by_the_database():
    with transaction.atomic(), pytest.raises(IntegrityError):
        Recommendation.objects.filter(code="R03").update(editorial_note="")


def test_a_citation_is_a_call_unless_marked_as_context():
    citation = Citation.objects.filter(recommendation__code="R02").first()
    assert citation.role == CitationRole.CALL and not citation.is_context
