"""Split the source document's plain text into its numbered paragraphs.

The text in ``fixtures/source/`` is the UN document as converted to plain
text: paragraphs start with "N. ", page breaks split some paragraphs with a
blank line, headings sit between paragraphs and a footnote line may follow a
paragraph. The seed command stores the parsed paragraphs so that pages can
show and link them, and the quotation tests check every seeded quotation
against both the raw text and the paragraph it cites.
"""

import re
from dataclasses import dataclass

_WS = re.compile(r"\s+")
_PARAGRAPH_START = re.compile(r"^(\d+)\.\s+(.*)$")
_FOOTNOTE = re.compile(r"^[¹²³⁴⁵⁶⁷⁸⁹]")


def normalize(text: str) -> str:
    """Collapse every run of whitespace (newlines, tabs, page breaks) to one space."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class Paragraph:
    number: int
    text: str


def _heading_lines(sections) -> set[str]:
    lines = set()
    for section in sections:
        number, title = section["number"], section["title"]
        lines.add(normalize(f"{number}. {title}" if number else title))
    return lines


def split_paragraphs(text: str, sections, paragraph_count: int) -> list[Paragraph]:
    """Return paragraphs 1..paragraph_count, in order.

    ``sections`` are the headings from ``document.json``; a line equal to a
    heading is never part of a paragraph. Raises ``ValueError`` if the text
    does not yield exactly the expected paragraphs, so a damaged source file
    is caught when seeding rather than shown half-parsed.
    """
    headings = _heading_lines(sections)
    lines = text.splitlines()
    # The body starts at the second "I. Introduction" (the first is in the
    # table of contents, followed by a tab and the paragraph range).
    starts = [i for i, line in enumerate(lines) if normalize(line) == "I. Introduction"]
    if not starts:
        raise ValueError("source text has no 'I. Introduction' heading")
    body = lines[starts[-1] + 1 :]

    paragraphs: list[list[str]] = []
    expected = 1
    for raw in body:
        line = normalize(raw.replace("**", ""))
        if not line:
            continue
        if expected > paragraph_count and line == "Annex":
            break
        if line in headings or _FOOTNOTE.match(line):
            continue
        match = _PARAGRAPH_START.match(line)
        if match and int(match.group(1)) == expected:
            paragraphs.append([match.group(2)])
            expected += 1
        elif paragraphs:
            paragraphs[-1].append(line)
        else:
            raise ValueError(f"text before paragraph 1: {line[:60]!r}")

    if len(paragraphs) != paragraph_count:
        raise ValueError(f"found {len(paragraphs)} paragraphs, expected {paragraph_count}")
    return [Paragraph(n, normalize(" ".join(parts))) for n, parts in enumerate(paragraphs, 1)]


_SENTENCE_END = re.compile(r"[.!?][”\"’)]?$")


def is_whole_sentences(quote: str, paragraph: str) -> bool:
    """True when ``quote`` (normalised) is a run of whole sentences of ``paragraph``.

    It must start where the paragraph or a sentence starts and end with a
    sentence's final stop, followed by the end of the paragraph or a space.
    """
    start = paragraph.find(quote)
    if start == -1 or not _SENTENCE_END.search(quote):
        return False
    before, after = paragraph[:start], paragraph[start + len(quote) :]
    starts_a_sentence = not before or bool(_SENTENCE_END.search(before.rstrip())) and before.endswith(" ")
    return starts_a_sentence and (not after or after.startswith(" "))
