"""A language prefix spelled otherwise than ours (/zh/, /zh-CN/, /fr-ca/, /FR/, /en/) redirects to our address in
that language instead of answering a 404 (languages.patterns.other_spellings); our own prefixes, other languages
and the machine URLs answer as before."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("/zh/reports/", "/zh-hans/reports/"),
        ("/zh-CN/reports/table/?status=limited&status=signed", "/zh-hans/reports/table/?status=limited&status=signed"),
        ("/zh_sg/recommendations/", "/zh-hans/recommendations/"),
        ("/fr-ca/recommendations/", "/fr/recommendations/"),
        ("/FR/", "/fr/"),
        ("/es-MX/source/", "/es/source/"),
        ("/ru-RU/reports/matrix/", "/ru/reports/matrix/"),
        ("/ar-eg/reports/", "/ar/reports/"),
        ("/en/reports/", "/reports/"),  # English has no prefix
        ("/EN-gb/", "/"),
    ],
)
def test_another_spelling_of_a_language_redirects_to_ours(client, asked, expected):
    response = client.get(asked)
    assert response.status_code == 302
    assert response["Location"] == expected
    assert client.get(expected).status_code == 200


def test_the_redirected_page_is_in_that_language(client):
    page = client.get("/zh/reports/", follow=True)
    assert page.redirect_chain == [("/zh-hans/reports/", 302)]
    assert '<html lang="zh-hans"' in page.content.decode()


@pytest.mark.parametrize(
    "asked",
    [
        "/fr/no-such-page/",  # our own spelling: no redirect to itself
        "/zh-hans/no-such-page/",
        "/de/reports/",  # not one of the six languages
        "/api/no-such-thing/",  # a machine URL's 404 stays a 404
        "/enx/reports/",
    ],
)
def test_other_addresses_still_answer_not_found(client, asked):
    assert client.get(asked).status_code == 404


def test_our_own_addresses_are_not_redirected(client):
    for address in ("/", "/fr/", "/zh-hans/reports/", "/ar/recommendations/", "/api/docs/"):
        assert client.get(address).status_code == 200, address


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("/fr/reports", "/fr/reports/"),  # CommonMiddleware's slash, as before the other spellings
        ("/zh-hans/reports/table", "/zh-hans/reports/table/"),
        ("/reports", "/reports/"),
    ],
)
def test_an_address_without_its_slash_still_gets_it(client, asked, expected):
    response = client.get(asked)
    assert response.status_code == 301 and response["Location"] == expected


def test_a_respelled_address_without_its_slash_ends_on_the_page(client):
    page = client.get("/zh/reports", follow=True)  # → /zh-hans/reports → /zh-hans/reports/
    assert page.status_code == 200 and page.redirect_chain[-1][0] == "/zh-hans/reports/"


def test_an_address_naming_english_keeps_a_french_browser_in_english(client):
    """/en/… lands on the unprefixed page, which a browser preferring French would otherwise be sent on from
    (to /fr/…, the first-visit rule): the redirect remembers the choice, as the switcher does."""
    page = client.get("/en/reports/", HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    assert page.redirect_chain == [("/reports/", 302)]
    assert '<html lang="en"' in page.content.decode()
    assert client.cookies["django_language"].value == "en"
    later = client.get("/recommendations/", HTTP_ACCEPT_LANGUAGE="fr")  # a later page: still English
    assert later.status_code == 200 and '<html lang="en"' in later.content.decode()


def test_a_spelling_of_another_language_sets_no_cookie(client):
    """Our prefix carries that choice itself (/fr/…, /zh-hans/…), as a link to it would."""
    response = client.get("/fr-ca/reports/")
    assert response["Location"] == "/fr/reports/" and "django_language" not in response.cookies
