"""Shared fixtures.

The test database is seeded once per session (source document, taxonomies,
195 countries and every call to action) with the real ``seed`` command;
each test then runs in a transaction that is rolled back, so tests see the
seeded data and never each other's writes.
"""

import datetime
import itertools

import pytest
from django.core.management import call_command

from recommendations.models import Actor, ActorKind, OrganizationType, Recommendation


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed", verbosity=0)


@pytest.fixture
def item(db):
    """Return a seeded item of a given kind: item('ratification')."""

    def get(kind: str, n: int = 0) -> Recommendation:
        return Recommendation.objects.filter(kind=kind).order_by("position")[n]

    return get


_org_numbers = itertools.count(1)


@pytest.fixture
def make_org(db):
    def make(name: str | None = None, **fields) -> Actor:
        number = next(_org_numbers)
        return Actor.objects.create(
            kind=ActorKind.ORGANIZATION,
            code=fields.pop("code", f"test-org-{number}"),
            name=name or f"Test organization {number}",
            organization_type=fields.pop("organization_type", OrganizationType.NGO),
            **fields,
        )

    return make


@pytest.fixture
def country(db):
    def get(iso3: str) -> Actor:
        return Actor.objects.get(iso3=iso3)

    return get


@pytest.fixture
def today():
    return datetime.date.today()
