"""Database constraints hold the invariants even if code outside services tries to break them."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from recommendations.models import (
    Actor,
    ActorKind,
    CurrentStatus,
    Kind,
    ProgressUpdate,
    Recommendation,
    Status,
    kind_of_status,
)

from .factories import record

pytestmark = pytest.mark.django_db


def raw_update(actor, item, status, **extra):
    return ProgressUpdate.objects.create(
        actor=actor,
        recommendation=item,
        kind=item.kind,
        actor_kind=actor.kind,
        status=status,
        as_of=datetime.date(2020, 1, 1),
        created_at=timezone.now(),
        **extra,
    )


def assert_refused(callable_, *args, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_(*args, **kwargs)


def test_status_must_be_on_the_items_scale(item, country):
    assert_refused(raw_update, country("KEN"), item(Kind.RATIFICATION), Status.COMPLETE)
    assert_refused(raw_update, country("KEN"), item(Kind.POLICY), Status.RATIFIED)
    # The right scale is accepted.
    raw_update(country("KEN"), item(Kind.POLICY), Status.COMPLETE)


def test_only_countries_hold_ratification_statuses(item, make_org):
    assert_refused(raw_update, make_org(), item(Kind.RATIFICATION), Status.RATIFIED)


def test_quantitative_update_needs_a_value(item, country):
    assert_refused(raw_update, country("KEN"), item(Kind.QUANTITATIVE), Status.TARGET_MET)


def test_one_current_status_per_pair(item, country):
    ken, policy = country("KEN"), item(Kind.POLICY)
    first = record(actor=ken, recommendation=policy, status=Status.LIMITED, as_of=datetime.date(2010, 1, 1))
    second = raw_update(ken, policy, Status.COMPLETE)
    assert_refused(
        CurrentStatus.objects.create,
        actor=ken,
        recommendation=policy,
        update=second,
        kind=policy.kind,
        actor_kind=ken.kind,
        status=second.status,
        as_of=second.as_of,
    )
    assert CurrentStatus.objects.get(actor=ken, recommendation=policy).update == first


def test_recommendation_codes_are_unique(item):
    existing = item(Kind.POLICY)
    assert_refused(
        Recommendation.objects.create,
        code=existing.code,
        title="Duplicate",
        document=existing.document,
        section=existing.section,
        kind=Kind.POLICY,
    )


def test_ratification_item_names_exactly_one_instrument(item):
    policy = item(Kind.POLICY)
    assert_refused(
        Recommendation.objects.create,
        code="X01",
        title="Ratify something",
        document=policy.document,
        section=policy.section,
        kind=Kind.RATIFICATION,
    )


def test_quantitative_item_needs_target_and_unit(item):
    policy = item(Kind.POLICY)
    assert_refused(
        Recommendation.objects.create,
        code="X02",
        title="Measure",
        document=policy.document,
        section=policy.section,
        kind=Kind.QUANTITATIVE,
    )


def test_actor_fields_match_its_kind():
    assert_refused(Actor.objects.create, code="XXX", kind=ActorKind.COUNTRY, name="No ISO code")
    assert_refused(Actor.objects.create, code="some-ngo", kind=ActorKind.ORGANIZATION, name="No type")


def test_actor_codes_are_unique_ignoring_case(make_org):
    make_org(code="mfa-asia")
    assert_refused(make_org, code="MFA-Asia")


def test_every_status_belongs_to_exactly_one_kind():
    for status in Status.values:
        assert kind_of_status(status) in Kind.values


def test_quantitative_status_follows_the_value(item):
    remittances = item(Kind.QUANTITATIVE)
    # Seeded: lower is better, target 3 %, ceiling 5 % (SDG 10.c).
    assert remittances.lower_is_better
    assert remittances.status_for_value(remittances.target) == Status.TARGET_MET
    assert remittances.status_for_value(remittances.ceiling) == Status.PROGRESSING
    assert remittances.status_for_value(remittances.ceiling + 1) == Status.OFF_TRACK
