"""The API's documentation has one address, /api/docs/ (in English, like the API): asked for under a language
prefix (/ru/api/docs/), it redirects there instead of answering a 404, and every translated page links to it."""

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PREFIXES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


@pytest.mark.parametrize("code", PREFIXES)
def test_the_docs_under_a_language_prefix_redirect_to_the_docs(client, code):
    response = client.get(f"/{code}/api/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/api/docs/"
    assert client.get(response["Location"]).status_code == 200
    schema = client.get(f"/{code}/api/schema/?format=json")
    assert schema.status_code == 302 and schema["Location"] == "/api/schema/?format=json"


def test_the_unprefixed_addresses_answer_as_before(client):
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/nothing-here/").status_code == 404  # no redirect to itself
    assert client.get("/ru/api/nothing-here/").status_code == 404  # only the documentation redirects


@pytest.mark.parametrize("code", PREFIXES)
def test_translated_pages_link_to_the_docs_one_address(client, code):
    """The home page and the open-data page in each language link to /api/docs/, which answers the docs."""
    for page in (f"/{code}/", f"/{code}/data/"):
        html = client.get(page).content.decode()
        links = set(re.findall(r'href="([^"]*api/docs[^"]*)"', html))
        assert links == {"/api/docs/"}, (page, links)
