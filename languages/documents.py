"""Links to a UN document in each official language, built from its symbol (e.g. A/61/187 on its cover page).

The UN's Official Document System (documents.un.org) gives any language version of a document by its symbol:
``https://documents.un.org/api/symbol/access?s=<symbol>&l=<language>&t=pdf`` (l: ar, zh, en, fr, ru, es).
The one place that form is written; docs/languages.md says why this form.
"""

from urllib.parse import urlencode

from django.conf import settings

ODS_ACCESS = "https://documents.un.org/api/symbol/access"
# The ODS's language codes for Django's (Chinese is "zh" there).
_ODS_LANGUAGE = {"zh-hans": "zh"}


def official_document_url(symbol: str, language: str) -> str:
    """The PDF of the document ``symbol`` in ``language`` (a code of settings.LANGUAGES)."""
    return f"{ODS_ACCESS}?{urlencode({'s': symbol, 'l': _ODS_LANGUAGE.get(language, language), 't': 'pdf'})}"


def official_document_links(symbol: str) -> list[dict]:
    """One link per UN language, named in that language: [{"language", "name", "url"}]; none without a symbol."""
    if not symbol:
        return []
    return [
        {"language": code, "name": name, "url": official_document_url(symbol, code)}
        for code, name in settings.LANGUAGES
    ]
