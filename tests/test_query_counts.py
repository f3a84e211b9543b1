"""Every report page runs a fixed number of queries, whatever the amount of data."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/reports/",
    "/reports/?on=2015-06-30",
    "/reports/matrix/?actor_kind=country",
    "/reports/matrix/?sort=progress",
    "/reports/table/",
    "/reports/table/?sort=-as_of&page=2",
    "/reports/table/?on=2012-01-01&kind=policy",
    "/recommendations/R02/",
    "/recommendations/R56/",
    "/actors/KEN/",
    "/actors/synthetic-org-00001/",
    "/actors/?kind=organization",
    "/recommendations/?theme=remittances",
]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_report_pages_query_count_does_not_grow_with_data(client):
    call_command("generate_benchmark_data", updates=300, organizations=10, seed=3, verbosity=0)
    small = {url: count_queries(client, url) for url in PAGES}
    call_command("generate_benchmark_data", updates=3000, organizations=60, seed=4, verbosity=0)
    large = {url: count_queries(client, url) for url in PAGES}
    assert large == small, (small, large)
    assert max(small.values()) <= 30, small  # the item page draws its world map (atlas): 26
