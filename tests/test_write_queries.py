"""Logging progress through the form costs a fixed, small number of queries (issue 21: writes near their floor).

Before: 17 statements in production (the session, the user, two for the roles, the membership twice, the
item, its source document, the actor, the organization, the submission token twice, a savepoint and its
release, three inserts). Now the roles are one query, the person's organizations are read once per request
(the page, the form and the service share them), the item comes with its document, the token is checked once
and the write is one transaction without a savepoint: 10 in production. Under the test's own transaction the
write's transaction shows as a SAVEPOINT and its RELEASE, hence 12 here.
"""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.models import Membership, ProgressUpdate

pytestmark = pytest.mark.django_db

LOG_PROGRESS_QUERIES = 12


def post_update(client, org, token, actor="KEN"):
    return client.post(
        f"/progress/new/?item=R56&actor={actor}",
        {
            "organization": org.pk,
            "status": "limited",
            "as_of": "2020-01-15",
            "as_of_precision": "day",
            "narrative": "Benchmark update filed through the form under load.",
            "evidence_urls": "https://example.org/bench",
            "submission_token": str(token),
        },
    )


def statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("more_organizations", [0, 3])
def test_logging_progress_costs_a_pinned_number_of_queries(client, people, make_org, more_organizations):
    for n in range(more_organizations):
        Membership.objects.create(user=people.reporter_a, organization=make_org(f"Extra NGO {n}", code=f"extra-{n}"))
    client.force_login(people.reporter_a)
    for actor in ("KEN", "MEX"):  # a first write and a second one, on another pair
        with CaptureQueriesContext(connection) as captured:
            response = post_update(client, people.org_a, uuid.uuid4(), actor=actor)
        assert response.status_code == 302
        sql = statements(captured)
        assert len(sql) == LOG_PROGRESS_QUERIES, "\n".join(sql)
        assert sum(s.startswith("INSERT") for s in sql) == 3  # the update, its history entry, the audit line
        assert sum("auth_permission" in s for s in sql) == 1  # the roles: one query
        assert sum("recommendations_membership" in s for s in sql) == 1  # the organizations: read once
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 2


def test_a_repeated_submission_costs_no_write_and_shows_the_first_update(client, people):
    client.force_login(people.reporter_a)
    token = uuid.uuid4()
    first = post_update(client, people.org_a, token)
    with CaptureQueriesContext(connection) as captured:
        again = post_update(client, people.org_a, token)
    assert again.status_code == 302 and again.url == first.url
    assert not any(s.startswith("INSERT") for s in statements(captured))
    assert ProgressUpdate.objects.count() == 1
    page = client.get(again.url)
    assert "already submitted" in page.content.decode()


def test_the_cached_organizations_still_refuse_another_organization(client, people):
    client.force_login(people.reporter_a)
    response = post_update(client, people.org_b, uuid.uuid4())  # reporter_a is not in org_b
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ProgressUpdate.objects.exists()
