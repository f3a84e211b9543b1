"""A review or a withdrawal that cannot be done says what was wrong, and says it before anyone types a reason."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from recommendations import services
from recommendations.models import ProgressUpdate, ReviewState

from .factories import filed

pytestmark = pytest.mark.django_db


def review(client, update, **data):
    response = client.post(reverse("recommendations:update_review", args=[update.pk]), data)
    return response, [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def pending(people):
    return filed(user=people.reporter_a, organization=people.org_a)


@pytest.mark.parametrize(
    "data, said, not_said",
    [
        (
            {"decision": "verify", "perspective": "rumour", "version": "{version}"},
            "Choose who says so: one of",
            "Choose verify or return",
        ),
        ({"decision": "verify"}, "which version of the update you saw", "Choose verify or return"),
        ({"decision": "approve", "version": "{version}"}, "Choose verify or return", "who says so"),
    ],
)
def test_a_bad_review_post_says_what_was_wrong(client, people, pending, data, said, not_said):
    client.force_login(people.reviewer)
    data = {key: value.format(version=pending.version) for key, value in data.items()}
    response, messages = review(client, pending, **data)
    assert response.status_code == 302
    assert any(said in m for m in messages), messages
    assert not any(not_said in m for m in messages), messages
    pending.refresh_from_db()
    assert pending.state == ReviewState.PENDING


def test_a_valid_perspective_correction_still_verifies(client, people, pending):
    client.force_login(people.reviewer)
    review(client, pending, decision="verify", version=pending.version, perspective="government")
    pending.refresh_from_db()
    assert (pending.state, pending.perspective) == (ReviewState.VERIFIED, "government")


def test_a_reporter_is_told_before_typing_that_only_a_reviewer_withdraws_a_verified_update(client, people, pending):
    services.verify_update(update=pending, reviewer=people.reviewer, expected_version=None)
    client.force_login(people.reporter_a)
    url = reverse("recommendations:update_withdraw", args=[pending.pk])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 403
    assert "Only a reviewer can withdraw a verified update." in html
    assert 'name="reason"' not in html and "<form" not in html.split("<main", 1)[-1].split("</main>")[0]
    # The detail page does not offer it either; a post is refused the same way and changes nothing.
    assert url not in client.get(pending.get_absolute_url()).content.decode()
    assert client.post(url, {"reason": "Wrong", "version": pending.version}).status_code == 403
    assert ProgressUpdate.objects.get(pk=pending.pk).state == ReviewState.VERIFIED


def test_the_owner_of_a_pending_update_and_a_reviewer_of_a_verified_one_get_the_form(client, people, pending):
    url = reverse("recommendations:update_withdraw", args=[pending.pk])
    client.force_login(people.reporter_a)
    assert 'name="reason"' in client.get(url).content.decode()
    services.verify_update(update=pending, reviewer=people.reviewer, expected_version=None)
    client.force_login(people.reviewer)
    assert 'name="reason"' in client.get(url).content.decode()
