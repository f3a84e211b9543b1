"""Issue 14.4: one set of words a newcomer understands. Pages say "item" (defined once as a call to action of
the 2006 source), "country or organization" (never "actor"), and never "pair"; the glossary defines the rest."""

import html
import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/recommendations/",
    "/recommendations/R02/",
    "/recommendations/R17/",
    "/actors/",
    "/actors/KEN/",
    "/actors/KEN/R02/",
    "/reports/",
    "/reports/?item=R02",
    "/reports/matrix/?item=R02",
    "/reports/table/",
    "/reports/map/?item=R02",
    "/compare/?actors=KEN,UGA",
    "/take-part/",
    "/accounts/login/",
]
# Where "call to action" is the definition of an item (the home page, the source, the glossary).
DEFINING = ["/", "/source/", "/statuses/"]


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<title>.*?</title>|<meta[^>]*>", " ", page, flags=re.S)  # the source's name, for search engines
    page = re.sub(r"<footer\b.*?</footer>", " ", page, flags=re.S)  # the footer cites the source by name
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"https?://\S+", " ", text)  # addresses (a citation's) are not words on the page


@pytest.mark.parametrize("path", [*PAGES, "/"])  # (the source's own words, and the glossary, may say "actors")
def test_pages_never_say_pair_or_actor(client, path):
    text = visible_text(client.get(path).content.decode())
    assert not re.findall(r".{30}\b(?:pairs?|actors?)\b.{30}", text, flags=re.I)


@pytest.mark.parametrize("path", PAGES)
def test_pages_say_item_not_call_to_action(client, path):
    text = visible_text(client.get(path).content.decode())
    assert not re.findall(r".{30}\bcalls? to action\b.{30}", text, flags=re.I)


def test_the_glossary_defines_an_item_as_a_call_to_action_and_the_exports_carry_the_words(client):
    text = visible_text(client.get("/statuses/").content.decode())
    assert "Item (call to action)" in text and "Country or organization" in text
    words = client.get("/recommendations/export.json").json()["editorial_layer"]["words"]
    assert "Item (call to action)" in words and "No information" in words
    assert "“actor” means the country or organization" in words["In the downloaded files"]
