"""Names and titles in the reader's language: one rule for which text to show, and for English.

- ``shown(obj, field)``: an item's title or a theme's, addressee's or instrument's name in the active
  language, or the English text with ``missing=True`` when nobody has translated it yet (the pages then
  mark it "not yet translated" and ``lang="en"``: languages/templatetags/names.py).
- ``english(obj, field)``: the English text, whatever the active language. Exports, the API and the open
  data give this one: their values are a contract and never change with the reader's language.
- ``actor_name(actor, language)``: a country's name in a UN language, from the names stored with it
  (``Actor.other_names``, from UN OCHA's country data); organizations keep their own name.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from modeltranslation.utils import build_localized_fieldname

SOURCE_LANGUAGE = settings.LANGUAGE_CODE  # English: the language every title and name is written in first

# Actor.other_names is keyed by the fixture's codes; Django names Chinese "zh-hans".
_OTHER_NAMES_KEY = {"zh-hans": "zh"}


def language_code(language: str | None = None) -> str:
    """One of settings.LANGUAGES (the active language by default; "fr-ca" → "fr", "zh-cn" → "zh-hans")."""
    language = language or translation.get_language() or SOURCE_LANGUAGE
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return SOURCE_LANGUAGE


@dataclass(frozen=True)
class Shown:
    text: str
    language: str  # the language the text is in
    missing: bool  # the reader's language has no translation yet: this is the English text


def column(field: str, language: str) -> str:
    """The column holding ``field`` in ``language``: "title", "zh-hans" → "title_zh_hans"."""
    return build_localized_fieldname(field, language)


def english(obj, field: str) -> str:
    """The English title or name (the ``<field>_en`` column)."""
    return getattr(obj, column(field, SOURCE_LANGUAGE)) or ""


def shown(obj, field: str, language: str | None = None) -> Shown:
    """The title or name to show a reader of ``language`` (the active one by default)."""
    language = language_code(language)
    if language != SOURCE_LANGUAGE:
        translated = getattr(obj, column(field, language), None)
        if translated and translated.strip():
            return Shown(translated, language, missing=False)
        return Shown(english(obj, field), SOURCE_LANGUAGE, missing=True)
    return Shown(english(obj, field), SOURCE_LANGUAGE, missing=False)


def lang_attribute(obj, field: str) -> str:
    """`` lang="en"`` for an element whose only text in ``field`` is ``shown`` in English on a page in another
    language (an ``<option>``, a ``title`` attribute: where a ``<span lang>`` cannot go); else nothing."""
    text = shown(obj, field)
    return f' lang="{text.language}"' if text.missing else ""


def coded_title(item) -> tuple[str, str]:
    """ "R17 · Lower the cost…" and its ``lang_attribute``: how a downloaded map or chart draws the item it is
    about, in the item's own words and marked English where they are not yet translated."""
    return f"{item.code} · {shown(item, 'title').text}", lang_attribute(item, "title")


def document_language() -> str:
    """`` lang="fr" xml:lang="fr"`` for the root element of a file written in the active language (a downloaded SVG
    map or chart: its title, legend and credits), so a screen reader opening the file alone reads it in French.
    SVG 2 reads ``lang``; SVG 1.1 readers and XML tools read ``xml:lang``."""
    code = language_code()
    return f' lang="{code}" xml:lang="{code}"'


def actor_name(actor, language: str | None = None) -> str:
    """A country's name in ``language`` (the active one by default), else its English name."""
    language = language_code(language)
    if language == SOURCE_LANGUAGE:
        return actor.name
    other = (actor.other_names or {}).get(_OTHER_NAMES_KEY.get(language, language))
    return other or actor.name
