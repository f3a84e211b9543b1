"""Issue 14.1: anyone can ask to take part; editors turn a request into an invitation in one admin action."""

import re
import time
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from participation import services
from participation.models import ParticipationRequest, RequestState

pytestmark = pytest.mark.django_db

URL = "/take-part/"


def form_data(**overrides):
    data = {
        "name": "Awa Diop",
        "email": "Awa@Example.org",
        "organization_name": "Rede Migrantes Dakar",
        "country": "SEN",
        "reporting_on": "Ratification of the Migrant Workers Convention in West Africa.",
        "website": "",
        "started": services.form_token(now=time.time() - 30),
    }
    return {**data, **overrides}


def test_the_page_explains_and_offers_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Who can report" in text and "How review works" in text
    for field in ("name", "email", "organization_name", "country", "reporting_on", "website", "started"):
        assert f'name="{field}"' in text


def test_a_request_is_stored_and_thanked(client):
    response = client.post(URL, form_data(), follow=True)
    assert response.status_code == 200
    assert "your request was sent" in response.content.decode()
    request = ParticipationRequest.objects.get()
    assert (request.email, request.country.iso3, request.state) == ("awa@example.org", "SEN", RequestState.NEW)


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"website": "http://spam.example"}, "not sent"),  # the trap a robot fills
        ({"started": "forged"}, "could not be checked"),
        ({"started": "now"}, "only seconds after"),  # replaced below by a fresh token
        ({"email": "not an address"}, "Enter a valid email"),
        ({"country": "XXX"}, "Select a valid choice"),
    ],
)
def test_robots_and_bad_input_are_refused_and_nothing_is_stored(client, overrides, words):
    if overrides.get("started") == "now":
        overrides = {"started": services.form_token()}
    response = client.post(URL, form_data(**overrides))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not ParticipationRequest.objects.exists()


def test_an_old_form_is_refused(client):
    response = client.post(URL, form_data(started=services.form_token(now=time.time() - 3 * 86400)))
    assert response.status_code == 400 and "open for too long" in response.content.decode()


def test_requests_are_throttled_per_network(client, settings):
    settings.TAKE_PART_LIMIT_PER_IP = 2
    for n in range(2):
        assert client.post(URL, form_data(email=f"p{n}@example.org")).status_code == 302
    response = client.post(URL, form_data(email="p3@example.org"))
    assert response.status_code == 429
    assert ParticipationRequest.objects.count() == 2


@pytest.fixture
def editor(people, client):
    client.force_login(people.editor)
    return client


def _invite(client, request):
    return client.post(
        reverse("admin:participation_participationrequest_changelist"),
        {"action": "invite", "_selected_action": [request.pk]},
        follow=True,
    )


def test_an_editor_turns_a_request_into_an_invitation_in_one_action(editor, people, country):
    request = ParticipationRequest.objects.create(
        name="Awa Diop",
        email="awa@example.org",
        organization_name=people.org_a.name.upper(),  # the same organization, whatever the case
        country=country("SEN"),
        reporting_on="R02",
    )
    assert editor.get(reverse("admin:participation_participationrequest_changelist")).status_code == 200
    response = _invite(editor, request)
    assert "Invited 1 person" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.INVITED and request.handled_by == people.editor
    user = request.invited_user
    assert user.email == "awa@example.org" and user.groups.filter(name="Reporter").exists()
    assert list(user.memberships.values_list("organization", flat=True)) == [people.org_a.pk]
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_an_unknown_organization_must_be_chosen_first(editor, country):
    request = ParticipationRequest.objects.create(
        name="Awa", email="awa@example.org", organization_name="Nobody Yet", country=country("SEN"), reporting_on="R02"
    )
    response = _invite(editor, request)
    assert "Choose the organization" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.NEW and not mail.outbox


@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_home_and_login_link_to_take_part(client, path):
    assert 'href="/take-part/"' in client.get(path).content.decode()


def test_a_request_sent_in_french_is_answered_with_an_invitation_in_french(client, editor, people):
    """The requester's page language is kept with the request; the editor (in English) invites them in it."""
    from django.utils import translation

    response = client.post("/fr" + URL, form_data(organization_name=people.org_a.name), follow=True)
    assert response.status_code == 200
    request = ParticipationRequest.objects.get()
    assert request.language == "fr"
    with translation.override("en"):  # the editor's admin in English (the French request left French active)
        assert "Invited 1 person" in _invite(editor, request).content.decode()
    (message,) = mail.outbox
    with translation.override("fr"):
        subject = translation.gettext("You are invited to the migration and development tracker")
    assert subject != "You are invited to the migration and development tracker"
    assert message.subject == subject and "/fr/accounts/reset/" in message.body


@pytest.mark.parametrize("language", ["fr", "ar", "zh-hans"])
def test_the_countries_are_listed_by_their_names_in_the_pages_language_and_order(client, language):
    from django.utils import translation

    from languages.collation import sorted_actors
    from languages.names import actor_name
    from recommendations.models import Actor

    html = client.get(f"/{language}{URL}").content.decode()
    select = html[html.index('name="country"') : html.index("</select>", html.index('name="country"'))]
    shown = re.findall(r'<option value="([A-Z]{3})"[^>]*>([^<]*)</option>', select)
    with translation.override(language):
        expected = [(c.code, actor_name(c)) for c in sorted_actors(Actor.objects.countries().real())]
    assert [(code, unescape(name)) for code, name in shown] == expected
    assert len(expected) > 190 and expected != sorted(expected, key=lambda pair: pair[0])
    uganda = {"fr": "Ouganda", "ar": "أوغندا", "zh-hans": "乌干达"}[language]
    assert f'<option value="UGA">{uganda}</option>' in select


def test_a_country_chosen_by_its_code_is_stored_whatever_the_language(client):
    assert client.post(f"/fr{URL}", form_data(country="UGA")).status_code == 302
    assert ParticipationRequest.objects.get().country.iso3 == "UGA"
