"""No English on a French or Arabic page outside what is English on purpose.

The main pages are rendered in French and in Arabic, and their text (text nodes, and the title, aria-label,
placeholder and alt attributes) is read outside the elements marked ``lang="en"`` (the source's quotations and
headings, titles and names nobody has translated yet), ``<code>`` (identifiers), scripts and styles. Two checks:

- known strings that were once left in English (the matrix's sort links, the M49 regions, the UN status of a
  country, the placeholders, R17's unit) are not in that text, the choices of the ``<select>`` menus included
  (their values stay English: URLs name regions by their M49 English names);
- a heuristic: once the data that is legitimately English is taken out (the names and titles stored in
  English only — organizations, untranslated themes and items, section headings — which the pages show as they
  are), no common English word is left. A string marked for translation and forgotten in a catalog, or never
  marked at all, shows up here as English words.
"""

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from recommendations.models import Actor, Addressee, Instrument, Recommendation, SDGTarget, Section, Theme

pytestmark = pytest.mark.django_db

PAGES = [
    ("recommendations:home", [], ""),
    ("recommendations:list", [], ""),
    ("recommendations:detail", ["R17"], ""),
    ("recommendations:detail", ["R02"], ""),
    ("recommendations:report_summary", [], ""),
    ("recommendations:report_table", [], ""),
    ("recommendations:report_matrix", [], ""),
    ("recommendations:report_matrix", [], "sort=region"),
    ("atlas:map", [], "item=R02"),
    ("recommendations:actors", [], ""),
    ("recommendations:actor", ["KEN"], ""),
    ("recommendations:glossary", [], ""),
    ("participation:take_part", [], ""),
    ("login", [], ""),
    ("opendata:data", [], ""),
]
# Pages a reporter sees (logged in).
REPORTER_PAGES = [
    ("recommendations:progress_new", [], ""),
    ("recommendations:progress_new", [], "item=R17&actor=KEN"),
    ("recommendations:my_updates", [], ""),
    ("alerts:settings", [], ""),
    ("api:tokens", [], ""),
]

# Once shown in English on translated pages (screenshots of 2026-11-29); each is now translated.
KNOWN = [
    "most progress",
    "least progress",
    "Sub-Saharan Africa",
    "Eastern Africa",
    "Western Asia",
    "Latin America and the Caribbean",
    "Member State",
    "Observer State",
    "e.g. KEN",
    "% of amount sent",
    "SDG target 10.c",
]

# Common English words that French and Arabic text never contains as whole words.
ENGLISH = re.compile(
    r"\b(the|of|and|to|by|with|for|from|not|this|these|all|none|name|region|most|least|progress|member|observer"
    r"|amount|sent|target|show|sort|next|previous|download|country|countries|state|states|e\.g)\b",
    re.IGNORECASE,
)
CODE = re.compile(r"\b[A-Z0-9]{2,}\b")
URL = re.compile(r"https?://\S+")  # addresses are no words either: the citation's licence (…/licenses/by/4.0/)
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class VisibleText(HTMLParser):
    """The page's text and labelling attributes outside lang="en" elements, scripts and styles; the text of the
    <option>s apart (``options``): the heuristic leaves them out, the known strings are looked for in them too."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping = []  # one flag per open element: whether it (or an ancestor) is left out
        self.parts = []
        self.options = []
        self.in_option = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        outside = not any(self.skipping)
        english = (attrs.get("lang") or "").startswith("en")
        if outside and not english:
            self.parts += [attrs[name] for name in ATTRIBUTES if attrs.get(name)]
        if tag not in self.VOID:
            self.skipping.append(english or tag in ("script", "style", "svg", "code"))  # <code>: identifiers
        self.in_option = self.in_option or tag == "option"

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.skipping:
            self.skipping.pop()
        if tag == "option":
            self.in_option = False

    def handle_data(self, data):
        if not any(self.skipping):
            (self.options if self.in_option else self.parts).append(data)


def english_data() -> list[str]:
    """Text stored only in English that pages show as it is (longest first, so a name inside another goes last)."""
    texts = set(Actor.objects.values_list("name", flat=True))
    texts |= {s.title for s in Section.objects.all()} | {s.title[:60] for s in Section.objects.all()}
    texts |= set(SDGTarget.objects.values_list("title", flat=True))
    for model, field in [(Recommendation, "title"), (Theme, "name"), (Addressee, "name"), (Instrument, "name")]:
        texts |= {value for value in model.objects.values_list(f"{field}_en", flat=True) if value}
    return sorted((t for t in texts if t), key=len, reverse=True)


def page(client, name, args, query, language):
    with translation.override(language):
        url = reverse(name, args=args) + (f"?{query}" if query else "")
    response = client.get(url)
    assert response.status_code == 200, url
    return url, response.content.decode()


@pytest.fixture(scope="module")
def data_in_english(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return english_data()


def english_left(html: str, data_in_english: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(known strings found, English words found, a few of them in context)."""
    parser = VisibleText()
    parser.feed(html)
    text, options = (" ".join(" ".join(parts).split()) for parts in (parser.parts, parser.options))
    for data in data_in_english:
        text, options = text.replace(data, " "), options.replace(data, " ")
    text = CODE.sub(" ", URL.sub(" ", text))  # codes are no words: AND (Andorra), CC BY (the licence)
    known = [known for known in KNOWN if known in text or known in options]
    words = sorted({m.group(0).lower() for m in ENGLISH.finditer(text)})
    context = [text[max(0, m.start() - 60) : m.end() + 60] for m in ENGLISH.finditer(text)][:5]
    return known, words, context


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("name, args, query", REPORTER_PAGES)
def test_no_english_left_on_a_reporters_translated_page(reporter, name, args, query, language, data_in_english):
    url, html = page(reporter, name, args, query, language)
    known, words, context = english_left(html, data_in_english)
    assert not known, url
    assert not words, f"{url}: English words {words} in {context}"


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("name, args, query", PAGES)
def test_no_english_left_on_a_translated_page(client, name, args, query, language, data_in_english):
    url, html = page(client, name, args, query, language)
    known, words, context = english_left(html, data_in_english)
    assert not known, url
    assert not words, f"{url}: English words {words} in {context}"


def test_the_check_finds_an_unmarked_string():
    """The heuristic bites: a sort link left in English is found, and the same text marked lang="en" is not."""
    parser = VisibleText()
    parser.feed('<p>Trier par : <a href="?sort=-progress">least progress</a></p>')
    assert ENGLISH.search(" ".join(parser.parts))
    parser = VisibleText()
    parser.feed('<p>Trier par : <span lang="en">least progress</span></p>')
    assert not ENGLISH.search(" ".join(parser.parts))


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_open_data_page_says_its_field_dictionary_is_in_english(client, language):
    """The descriptions are the package's own English (marked lang="en"); a reader of another language is told
    so in words, as the rest of the site tells them where English is shown."""
    note = "The descriptions are the package's own, in English, like its README and datapackage.json."
    with translation.override(language):
        said = translation.gettext(note)
    assert said != note
    assert said in unescape(client.get(f"/{language}/data/").content.decode())
    assert note not in unescape(client.get("/data/").content.decode())  # English says nothing
