"""Clauses and sentences put together in the reader's language: the punctuation between them is not the same.

French puts a no-break space before ";" (the catalog's convention, as before ":", "?", "!" and inside « »),
Chinese writes "；" and ends a sentence with "。" (no space after it), Arabic writes "؛". Code that builds a
sentence from translated parts joins them here instead of writing "; " or "." itself; each separator is a
catalog entry with a context, so translators see what it joins.
"""

from collections.abc import Iterable

from django.utils.translation import gettext, pgettext


def _joined(parts: Iterable[str], pattern: str) -> str:
    """``parts`` folded left through ``pattern`` (a translated "%(earlier)s…%(later)s"), two neighbours at a time.

    The callers translate the pattern themselves, with its literal context and text, so that makemessages still
    finds both catalog entries.
    """
    text = ""
    for part in parts:
        text = pattern % {"earlier": text, "later": part} if text else str(part)
    return text


def clauses(parts: Iterable[str]) -> str:
    """``parts`` as the clauses of one sentence, separated by the language's semicolon ("a; b; c")."""
    return _joined(parts, pgettext("clauses of one sentence", "%(earlier)s; %(later)s"))


def clause_separator() -> str:
    """What ``clauses`` puts between two parts ("; ", "\u00a0; ", "؛ ", "；"), for a template that writes the
    parts itself (each with its own markup) in a loop."""
    return pgettext("clauses of one sentence", "%(earlier)s; %(later)s") % {"earlier": "", "later": ""}


def label_separator() -> str:
    """What comes between a label and its value (": ", "\u00a0: " in French, "：" in Chinese): the catalog's
    "%(label)s: %(value)s", as the filters in words use it, for a template whose label is markup."""
    return gettext("%(label)s: %(value)s") % {"label": "", "value": ""}


def label_space() -> str:
    """What follows a label's own colon before its value, for a template that writes a translated label ending in
    ":" ("Source:") and then markup: a space, none in Chinese ("来源：" ends in a full-width colon, which carries its
    own space). The space that ``label_separator`` puts after its colon."""
    separator = label_separator()
    return separator[len(separator.rstrip()) :]


def full_stop() -> str:
    """What ``sentence`` puts at the end ("." or "。"), for a template whose sentence ends in markup."""
    return sentence("")


def sentence_separator() -> str:
    """What ``sentences`` puts between two sentences (a space; nothing in Chinese), for a template that writes two
    translated sentences one after the other."""
    return pgettext("sentences in a row", "%(earlier)s %(later)s") % {"earlier": "", "later": ""}


def sentence(text: str) -> str:
    """``text`` ended with the language's full stop."""
    return pgettext("end of a sentence", "%(sentence)s.") % {"sentence": text}


def sentences(texts: Iterable[str]) -> str:
    """Whole sentences, one after the other (a space between them, none in Chinese)."""
    return _joined(texts, pgettext("sentences in a row", "%(earlier)s %(later)s"))
