"""A downloaded map or chart (an SVG file, read on its own, outside the page) says which language it is written in,
and a map in another language marks an item title still in English (WCAG 3.1.1 and 3.1.2 for the file itself)."""

import datetime

import pytest
from defusedxml import ElementTree as ET

from recommendations.models import Actor, Recommendation, Status, Theme

from .factories import record

pytestmark = pytest.mark.django_db
SVG_NS = "{http://www.w3.org/2000/svg}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def ratified(people):
    """One verified step of R02, so its chart has a history to draw."""
    ghana, r02 = Actor.objects.get(iso3="GHA"), Recommendation.objects.get(code="R02")
    record(
        actor=ghana,
        recommendation=r02,
        status=Status.RATIFIED,
        as_of=datetime.date(2012, 9, 7),
        organization=people.org_a,
    )


@pytest.mark.parametrize(("prefix", "language"), [("", "en"), ("/fr", "fr"), ("/zh-hans", "zh-hans"), ("/ar", "ar")])
def test_a_downloaded_map_and_chart_say_their_language(client, ratified, prefix, language):
    for address in (f"{prefix}/reports/map.svg?item=R02", f"{prefix}/reports/chart.svg?item=R02"):
        response = client.get(address)
        assert response.status_code == 200, address
        root = ET.fromstring(response.content)
        assert (root.get("lang"), root.get(XML_LANG)) == (language, language), address


def map_title_languages(client, prefix: str) -> set:
    root = ET.fromstring(client.get(f"{prefix}/reports/map.svg?item=R02").content)
    title = [text for text in root.iter(f"{SVG_NS}text") if text.get("font-weight") == "bold"]
    assert title and title[0].text.startswith("R02 · ")
    return {text.get("lang") for text in title}


def test_an_untranslated_item_title_on_a_map_in_another_language_is_marked_english(client):
    assert map_title_languages(client, "/fr") == {"en"}
    assert map_title_languages(client, "") == {None}  # an English map: the whole file is English already
    Recommendation.objects.filter(code="R02").update(title_fr="Ratifier la Convention sur les travailleurs migrants")
    assert map_title_languages(client, "/fr") == {None}  # translated: in the file's own language
    assert map_title_languages(client, "/es") == {"en"}


def map_names(client, prefix: str) -> tuple[str, str]:
    """The map's spoken name on the page (its inline ``<title>``) and in the downloaded file."""
    page = client.get(f"{prefix}/reports/map/?item=R02").content.decode()
    inline = page.split('<title id="atlas-title">', 1)[1].split("</title>", 1)[0]
    root = ET.fromstring(client.get(f"{prefix}/reports/map.svg?item=R02").content)
    return inline, root.find(f"{SVG_NS}title").text


def test_a_maps_spoken_name_holds_no_english_title_in_another_language(client, ratified):
    """A <title> is text only, read in the document's language: an English title inside a French sentence would
    be spoken with French sounds (WCAG 3.1.2), so an untranslated item is named by its code there; the heading
    and the file's drawn title give the title, marked English."""
    english = Recommendation.objects.get(code="R02").title_en
    for name in map_names(client, "/fr"):
        assert name.startswith(("Carte\xa0: R02\xa0: statut des pays", "R02\xa0: statut des pays")), name
        assert english not in name
    page = client.get("/fr/reports/map/?item=R02").content.decode()
    assert f'lang="en">{english}</span>' in page  # the heading above the map gives it, marked
    for name in map_names(client, ""):  # on an English map the title belongs to the sentence
        assert f"R02 {english}: status of countries" in name
    Recommendation.objects.filter(code="R02").update(title_fr="Ratifier la Convention sur les travailleurs migrants")
    for name in map_names(client, "/fr"):  # translated: named in full
        assert "R02 Ratifier la Convention sur les travailleurs migrants\xa0: statut des pays" in name


def theme_bar_label(client) -> str:
    page = client.get("/fr/reports/?item=R02").content.decode()
    themes = page.split('aria-labelledby="themes-heading"', 1)[1]
    return themes.split('<svg class="bar" role="img" aria-label="', 1)[1].split('"', 1)[0]


def test_a_theme_bars_spoken_label_holds_no_english_name_in_another_language(client, ratified):
    """The summary's bar for a theme is named by an attribute, read in the page's language: an untranslated
    theme is "Ce thème" there (its row's heading gives the English name, marked), a translated one by name."""
    theme = Recommendation.objects.get(code="R02").themes.get()
    Theme.objects.filter(pk=theme.pk).update(name_fr="")
    label = theme_bar_label(client)
    assert label.startswith("Ce thème\xa0: ") and theme.name_en not in label, label
    Theme.objects.filter(pk=theme.pk).update(name_fr="Instruments relatifs aux droits de l'homme")
    assert theme_bar_label(client).startswith("Instruments relatifs aux droits de l&#x27;homme\xa0: ")


def values_chart(client, prefix: str):
    root = ET.fromstring(client.get(f"{prefix}/reports/chart.svg?item=R17&chart=values").content)
    bold = [(text.text, text.get("lang")) for text in root.iter(f"{SVG_NS}text") if text.get("font-weight") == "bold"]
    return root.get("aria-label"), root.find(f"{SVG_NS}title").text, bold


def test_a_values_charts_title_holds_no_english_title_in_another_language(client):
    """The downloaded values chart names an untranslated item by its code in its title sentence (drawn, and its
    spoken name) and draws the English title above it, marked; a translated title stays in the sentence."""
    r17 = Recommendation.objects.get(code="R17")
    ghana = Actor.objects.get(iso3="GHA")
    record(actor=ghana, recommendation=r17, value="8.5", as_of=datetime.date(2016, 6, 1))
    english = r17.title_en
    label, title, bold = values_chart(client, "/fr")
    assert label == title and title.startswith("R17\xa0: valeur mesurée médiane (") and english not in title
    assert bold[0] == (f"R17 · {english}", "en") and all(lang is None for _text, lang in bold[1:])
    label, title, bold = values_chart(client, "")  # English: the title belongs to the sentence
    assert title.startswith(f"R17 {english}: median measured value") and bold[0][1] is None
    Recommendation.objects.filter(code="R17").update(title_fr="Réduire le coût des envois de fonds")
    label, title, bold = values_chart(client, "/fr")
    assert title.startswith("R17 Réduire le coût des envois de fonds\xa0: valeur") and {lang for _t, lang in bold} == {
        None
    }
