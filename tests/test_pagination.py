"""No page value breaks a page: huge, negative and non-numeric ``page`` (the admin's ``p``) on every route.

Routes are discovered from the URLconf and a route counts as paginated when its page context holds a
page (a Django ``Page``, the reports' ``pages``, or the admin's change list), so a paginated route
added later is covered without editing this file.
"""

import datetime

import pytest
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Page
from django.test import Client

from recommendations import services
from recommendations.models import Membership

from .factories import filed
from .routes import admin_model_of, paths

pytestmark = pytest.mark.django_db

BAD_PAGES = ["99999999999999999999", "-1", "abc"]
# Paginated routes this test must find (the discovery finds any other).
KNOWN_PAGINATED = {
    "recommendations:list",
    "recommendations:actors",
    "recommendations:report_table",
    "recommendations:report_matrix",
    "recommendations:review_queue",
    "recommendations:my_updates",
    "recommendations:audit",
    "admin:recommendations_actor_changelist",
    "admin:recommendations_progressupdate_changelist",
}
# The exports stream every row of their filter: give them a small one (the page value is ignored there).
SMALL = {"recommendations:status_csv", "recommendations:status_xlsx", "recommendations:status_json"}


@pytest.fixture
def everything_visible(people, admin_user):
    """A superuser who is also a reporter of an organization, and a few updates in every state."""
    Membership.objects.create(user=admin_user, organization=people.org_a)
    for year in (2015, 2016, 2017):
        update = filed(user=people.reporter_a, organization=people.org_a, as_of=datetime.date(year, 1, 1))
    services.verify_update(update=update, reviewer=people.reviewer, expected_version=None)
    filed(user=admin_user, organization=people.org_a)
    return update


def is_paginated(response) -> bool:
    for context in response.context or []:
        values = context.flatten() if hasattr(context, "flatten") else context
        if any(isinstance(value, Page | ChangeList) for value in values.values()):
            return True
        if "pages" in values and "page_number" in values:
            return True
    return False


def samples_for(update, admin_user):
    def samples(name, param):
        if param == "object_id":
            model = admin_model_of(name)
            first = model and model._default_manager.order_by("pk").first()
            return [str(first.pk)] if first else []
        return {
            "code": ["KEN"],
            "item_code": ["R02"],
            "pk": [update.pk],
            "app_label": ["recommendations", "auth"],
            "uidb64": ["MQ"],
            "token": ["not-a-token"],
        }.get(param, [])

    return samples


def test_bad_page_values_get_a_message_or_the_last_page_never_an_error(everything_visible, admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    routes = paths(samples_for(everything_visible, admin_user), admin_site=True)
    assert len(routes) > 100
    paginated, failures = set(), []
    for name, path in routes:
        extra = {"item": "R02"} if name in SMALL else {}
        if is_paginated(client.get(path, extra)):
            paginated.add(name)
        # A route that does not paginate ignores the page; one value shows it does not trip on it.
        for value in BAD_PAGES if name in paginated else BAD_PAGES[:1]:
            response = client.get(path, {**extra, "page": value, "p": value})
            if response.status_code >= 500:
                failures.append((path, value, response.status_code))
                continue
            if name in paginated and not name.startswith("admin:"):
                body = response.content.decode()
                assert "is not a page number" in body or "There is no page" in body, (path, value)
    assert not failures, failures
    missing = {name for name in KNOWN_PAGINATED if name not in paginated}
    assert not missing, f"the discovery no longer recognises these paginated routes: {missing}"


@pytest.mark.parametrize("path", ["/reports/table/", "/reports/table/?sort=status", "/reports/matrix/"])
@pytest.mark.parametrize("value", [*BAD_PAGES, "1e3", "0", "2.5"])
def test_report_pages_validate_the_page_before_querying(client, path, value):
    """The issue's own example: a huge page on the table sorted by status, and on the matrix."""
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}page={value}")
    assert response.status_code in (200, 400), response.status_code
    body = response.content.decode()
    assert "is not a page number" in body or "There is no page" in body
