"""HTTP behaviour of the API: conditional GET, Cache-Control, CORS for public reads only, rate limits."""

import datetime

import pytest
from django.urls import reverse
from django.utils.http import http_date

from api.services import create_token
from recommendations.models import Actor, Recommendation, Status

from .factories import record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATES = {"anon": "100000/min", "user": "100000/min"}


def test_etag_and_last_modified_give_304_until_the_data_changes(client):
    url = reverse("api:statuses")
    params = {"item": "R02", "region": "Africa", "page_size": 5}
    first = client.get(url, params)
    assert first.status_code == 200 and first["ETag"].startswith('"') and first["Last-Modified"]
    same = client.get(url, params, HTTP_IF_NONE_MATCH=first["ETag"])
    assert same.status_code == 304 and same.content == b"" and same["ETag"] == first["ETag"]
    unchanged_since = client.get(url, params, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert unchanged_since.status_code == 304
    # A verified update changes the rows: the old ETag no longer matches, Last-Modified moves on.
    record(
        actor=Actor.objects.get(iso3="AGO"),
        recommendation=Recommendation.objects.get(code="R02"),
        status=Status.RATIFIED,
        as_of=datetime.date(2015, 1, 1),
    )
    changed = client.get(url, params, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    old = http_date(0)
    assert client.get(url, params, HTTP_IF_MODIFIED_SINCE=old).status_code == 200


def test_public_reads_are_publicly_cacheable_token_reads_private(client, people):
    url = reverse("api:item-list")
    anonymous = client.get(url)
    assert anonymous["Cache-Control"] == "public, max-age=60"
    assert "Authorization" in anonymous["Vary"]
    raw = create_token(user=people.reporter_a, name="x", scope="read", days=1)[1]
    private = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert private["Cache-Control"].startswith("private")
    refused = client.get(reverse("api:statuses"), {"status": "bogus"})
    assert refused.status_code == 400 and refused["Cache-Control"] == "no-store"


def test_cors_is_open_for_public_gets_only(client, people):
    url = reverse("api:statuses")
    public = client.get(url, {"item": "R02", "page_size": 1}, HTTP_ORIGIN="https://news.example")
    assert public["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in public["Access-Control-Expose-Headers"]
    preflight_get = client.options(url, HTTP_ORIGIN="https://news.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight_get.status_code == 204 and preflight_get["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" not in preflight_get["Access-Control-Allow-Headers"]
    preflight_post = client.options(
        reverse("api:update-list"), HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert "Access-Control-Allow-Origin" not in preflight_post
    raw = create_token(user=people.reporter_a, name="x", scope="read", days=1)[1]
    with_token = client.get(url, {"page_size": 1}, HTTP_ORIGIN="https://x.example", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert "Access-Control-Allow-Origin" not in with_token
    write = client.post(reverse("api:update-list"), {}, HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in write
    # The site's pages are not opened to other sites.
    assert "Access-Control-Allow-Origin" not in client.get(
        reverse("recommendations:home"), HTTP_ORIGIN="https://x.example"
    )


def test_rate_limits_answer_429_with_retry_after(client, settings, people):
    settings.API_RATES = {"anon": "3/min", "user": "5/min"}
    url = reverse("api:section-list")
    answers = [client.get(url).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get(url)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    # A token holder is counted on their own account, not with the anonymous clients of the same address.
    raw = create_token(user=people.reporter_a, name="x", scope="read", days=1)[1]
    token_answers = [client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code for _ in range(6)]
    assert token_answers == [200] * 5 + [429]


def test_an_anonymous_request_is_counted_once(client, settings):
    """By address, at the anonymous rate; the token rate counts token holders only (one cache write a request)."""
    from django.core.cache import cache

    settings.API_RATES = {"anon": "3/min", "user": "1/min"}
    cache.clear()
    answers = [client.get(reverse("api:section-list")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]  # not refused at the token rate's first request


def test_labels_follow_accept_language_but_codes_do_not(client, people):
    """The API answers in the request's Accept-Language (labels, messages); the codes stay the same."""
    url = reverse("api:statuses")
    french = client.get(url, {"item": "R02", "page_size": 1}, HTTP_ACCEPT_LANGUAGE="fr")
    english = client.get(url, {"item": "R02", "page_size": 1})
    assert french["Content-Language"] == "fr" and english["Content-Language"] == "en"
    assert "Accept-Language" in french["Vary"]
    codes = [row["status"] for row in english.json()["results"]]
    assert [row["status"] for row in french.json()["results"]] == codes
    refused = client.get(url, {"status": "bogus"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 400 and refused["Content-Language"] == "fr"


def test_a_forged_forwarded_for_does_not_reset_the_anonymous_limit(client, settings):
    """Without our proxy, X-Forwarded-For is the client's own words: a new value each request is the same client."""
    from django.core.cache import cache

    settings.BEHIND_PROXY = False
    settings.API_RATES = {"anon": "3/min", "user": "100000/min"}
    cache.clear()
    url = reverse("api:section-list")
    answers = [client.get(url, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_behind_the_proxy_the_balancers_address_is_counted(client, settings):
    """BEHIND_PROXY: the right-most X-Forwarded-For entry (the address the proxy saw), not what the client put first."""
    from django.core.cache import cache

    settings.BEHIND_PROXY = True
    settings.API_RATES = {"anon": "2/min", "user": "100000/min"}
    cache.clear()
    url = reverse("api:section-list")
    seen = [client.get(url, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.5").status_code for n in range(3)]
    assert seen == [200, 200, 429]  # forged entries to the left change nothing
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200  # another client, same proxy


@pytest.mark.parametrize("address", ["/api/v1/item/", "/api/v1/items/R02/nothing/", "/api/v1/statuses/summary/x/"])
def test_an_unknown_api_address_is_a_404_in_json(client, address):
    for method in (client.get, client.post, client.delete):
        response = method(address)
        assert response.status_code == 404, (method, address)
        assert response["Content-Type"] == "application/json", (method, address)
        assert response.json() == {"detail": "Not found."}
    # In the caller's language, like the API's other messages.
    french = client.get(address, HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 404 and french.json()["detail"] != "Not found."


def test_an_api_address_without_its_slash_still_redirects_to_it(client):
    response = client.get("/api/v1/items")
    assert response.status_code == 301 and response["Location"] == "/api/v1/items/"
    # The pages' 404 is still the site's page.
    page = client.get("/recommendations/nothing/here/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
