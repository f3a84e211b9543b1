"""The tracker's editorial layer, in words: what the source says and what the editors add.

A tracker that NGOs cite must never put words in the General Assembly's
mouth. The quotations (``Citation``) are the source's exact words; titles,
themes, related SDG targets, editorial notes and splits, and the thresholds
of quantitative items are the editors'. Pages mark the difference with
``Recommendation`` fields; exports carry this description as metadata.
"""

SOURCE_LAYER = (
    "Quotations are the exact words of the 2006 summary of the informal interactive hearings, by paragraph. "
    "A quotation's role is “call” (the call itself) or “context” (words the call needs that are not a call)."
)
EDITORIAL_LAYER = (
    "Titles, themes, related SDG targets, editorial notes and editorial splits are written by the tracker's "
    "editors, not by the General Assembly. The 2006 source predates the SDGs."
)
FIELDS = {
    "title": "Short imperative written by the editors in the words of the quotations.",
    "title_is_editorial": "true when the title names or claims something the quotations do not say.",
    "editorial_split": "true when the source makes one call about a group (“all the core human rights "
    "instruments”) and the editors made this item for one member of it.",
    "editorial_note": "What the editors added or split, and why.",
    "themes": "The editors' grouping of items.",
    "sdg_targets": "Related SDG targets: an editorial mapping.",
    "context_paragraphs": "Paragraphs quoted as context, not as the call.",
}


def source_document() -> dict:
    """The source as exports cite it: in words, its UN symbol and the official document's address."""
    from .models import SourceDocument

    document = SourceDocument.objects.first()
    if document is None:
        return {"citation": "", "symbol": "", "url": ""}
    return {"citation": document.citation(), "symbol": document.symbol, "url": document.url}


def words() -> dict:
    """The words the tracker uses, as the glossary page defines them (for exports' metadata and about sheet)."""
    from .glossary import NO_INFORMATION_MEANING, TERMS
    from .models import english

    # In English whatever the request's language: exports' metadata keys its words by term (a contract).
    return {
        **{english(term): english(meaning) for _slug, term, meaning in TERMS},
        "No information": english(NO_INFORMATION_MEANING),
    }


def metadata(threshold_notes: list[str]) -> dict:
    """The editorial layer for an export's metadata, with how automatic statuses are decided."""
    return {
        "source_document": source_document(),
        "words": words(),
        "source": SOURCE_LAYER,
        "editorial": EDITORIAL_LAYER,
        "fields": FIELDS,
        "automatic_statuses": threshold_notes,
    }
