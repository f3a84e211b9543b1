"""WCAG 3.1.2 (language of parts): the English item titles a French or Arabic page shows are marked lang="en",
in the report filters (the item ticks, the section, theme and addressee menus) and wherever else a title stands
alone (the map's item menu, the matrix's column titles, the table's link titles, the reporter's item list).

The mark is the widgets' (``recommendations.filters.widgets.MarkedCheckboxes``, ``MarkedSelect``): the labels
stay plain text, as the filters in words and the exports read them."""

from html.parser import HTMLParser

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from recommendations.filters import RecommendationFilter, StatusFilter
from recommendations.models import Recommendation, Section

pytestmark = pytest.mark.django_db

PAGES = [
    ("recommendations:report_summary", ""),
    ("recommendations:report_table", ""),
    ("recommendations:report_matrix", ""),
    ("recommendations:list", ""),
    ("atlas:map", ""),
]
LABELLING = ("title", "aria-label", "placeholder", "alt", "label")


class Unmarked(HTMLParser):
    """The text and labelling attributes (an <option>'s value too: a datalist shows it) outside lang="en"."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.english = []  # one flag per open element: whether it (or an ancestor) is marked lang="en"
        self.parts = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        marked = any(self.english) or (attrs.get("lang") or "").startswith("en")
        if not marked:
            names = (*LABELLING, "value") if tag == "option" else LABELLING
            self.parts += [attrs[name] for name in names if attrs.get(name)]
        if tag not in self.VOID:
            self.english.append(marked)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.english:
            self.english.pop()

    def handle_data(self, data):
        if not any(self.english):
            self.parts.append(data)


def unmarked_text(html: str) -> str:
    parser = Unmarked()
    parser.feed(html)
    return "\n".join(" ".join(part.split()) for part in parser.parts)


def english_titles() -> list[str]:
    """Item titles nobody has translated, and the source's section headings (stored only in English) after their
    code, as the menus show them (a heading alone may also be a theme's name)."""
    titles = [r.title_en for r in Recommendation.objects.all() if not r.title_fr and not r.title_ar]
    titles += [f"{s.code} {s.title[:40]}" for s in Section.objects.all() if s.title]
    assert titles
    return titles


def test_the_check_finds_an_unmarked_title():
    assert "Protect migrants" in unmarked_text('<label><input type="checkbox"> R01 Protect migrants</label>')
    assert "Protect migrants" not in unmarked_text('<label><input> <span lang="en">R01 Protect migrants</span></label>')
    assert "Protect migrants" in unmarked_text('<a href="/" title="Protect migrants">R01</a>')
    assert "Protect migrants" not in unmarked_text('<a href="/" title="Protect migrants" lang="en">R01</a>')


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize("name, query", PAGES)
def test_english_titles_on_a_translated_page_are_marked(client, name, query, language):
    with translation.override(language):
        url = reverse(name) + (f"?{query}" if query else "")
    response = client.get(url)
    assert response.status_code == 200
    text = unmarked_text(response.content.decode())
    left = [title for title in english_titles() if " ".join(title.split()) in text]
    assert not left, f"{url}: English titles not marked lang=en: {left[:3]}"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_reporters_item_list_marks_english_titles(reporter, language):
    with translation.override(language):
        url = reverse("recommendations:progress_new")
    text = unmarked_text(reporter.get(url).content.decode())
    left = [title for title in english_titles() if " ".join(title.split()) in text]
    assert not left, f"{url}: {left[:3]}"


def test_the_ticks_mark_the_title_and_nothing_else():
    """In French the English titles are marked, a translated one is not; in English nothing is."""
    item = Recommendation.objects.get(code="R02")
    item.title_fr = "Un titre traduit"
    item.save()
    with translation.override("fr"):
        html = str(StatusFilter(QueryDict()).form["item"])
        english = Recommendation.objects.get(code="R01")
        assert f'<span lang="en">R01 {english.title_en}</span>' in html.replace("&#x27;", "'")
        assert "R02 Un titre traduit</label>" in html
    with translation.override("en"):
        assert 'lang="en"' not in str(StatusFilter(QueryDict()).form["item"])


def test_the_menus_mark_section_headings_as_english():
    with translation.override("ar"):
        html = str(RecommendationFilter(QueryDict()).form["section"])
    section = Section.objects.exclude(title="").first()
    assert f'lang="en">{section.code} ' in html
    assert '<option value="" selected>' in html  # the empty choice is the page's language


def test_the_filters_in_words_and_the_labels_stay_plain_text():
    """The mark is the widget's: the choice labels (and so the sentence and the exports) carry no markup."""
    with translation.override("fr"):
        filterset = StatusFilter(QueryDict("item=R01&section=" + Section.objects.first().code))
        assert filterset.is_valid()
        labels = [str(label) for _value, label in filterset.form.fields["item"].choices]
        words = " ".join(filterset.describe())
    assert labels and not any("<" in label for label in labels)
    assert "<" not in words and "R01" in words
