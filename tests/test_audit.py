"""Every write leaves who, when and what in the audit trail; staff can read it with filters."""

import datetime

import pytest
from django.urls import reverse

from recommendations import services
from recommendations.models import Actor, AuditAction, AuditEvent, Recommendation, Status, Theme

from .factories import EVIDENCE, NARRATIVE, filed

pytestmark = pytest.mark.django_db


def actions():
    return list(AuditEvent.objects.order_by("pk").values_list("username", "action"))


def test_the_update_lifecycle_is_audited(people):
    mexico, r56 = Actor.objects.get(iso3="MEX"), Recommendation.objects.get(code="R56")

    def log():
        return services.log_progress(
            actor=mexico,
            recommendation=r56,
            status=Status.LIMITED,
            as_of=datetime.date(2020, 1, 1),
            narrative=NARRATIVE,
            evidence_urls=EVIDENCE,
            organization=people.org_a,
            user=people.reporter_a,
        )

    first = log()
    services.edit_update(
        update=first,
        user=people.reporter_a,
        expected_version=1,
        status=Status.SUBSTANTIAL,
        as_of=datetime.date(2020, 1, 1),
        narrative=NARRATIVE,
        evidence_urls=EVIDENCE,
    )
    services.return_update(update=first, reviewer=people.reviewer, expected_version=2, reason="Need the gazette")
    services.edit_update(
        update=first,
        user=people.reporter_a,
        expected_version=3,
        status=Status.SUBSTANTIAL,
        as_of=datetime.date(2020, 1, 1),
        narrative=NARRATIVE,
        evidence_urls=EVIDENCE,
    )
    services.verify_update(update=first, reviewer=people.reviewer, expected_version=4)
    services.withdraw_update(update=first, user=people.reviewer2, expected_version=None, reason="Duplicate")
    assert actions() == [
        ("reporter_a", AuditAction.LOGGED),
        ("reporter_a", AuditAction.EDITED),
        ("reviewer", AuditAction.RETURNED),
        ("reporter_a", AuditAction.EDITED),
        ("reviewer", AuditAction.VERIFIED),
        ("reviewer2", AuditAction.WITHDRAWN),
    ]
    returned = AuditEvent.objects.get(action=AuditAction.RETURNED)
    assert returned.object_id == str(first.pk) and "Need the gazette" in returned.detail


def test_a_refused_write_leaves_no_audit_line(people):
    with pytest.raises(services.ValidationError):
        filed(user=people.reporter_a, organization=people.org_a, iso3="MEX", code="R02", status=Status.COMPLETE)
    assert not AuditEvent.objects.exists()


def test_admin_changes_merges_and_invitations_are_audited(client, admin_user, people):
    client.force_login(admin_user)
    theme = Theme.objects.get(slug="youth")
    url = reverse("admin:recommendations_theme_change", args=[theme.pk])
    # The admin edits each language's name (django-modeltranslation): the English one is name_en.
    response = client.post(
        url, {"name_en": "Young migrants and students", "slug": "youth", "description": theme.description}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    change = AuditEvent.objects.get(action=AuditAction.ADMIN_CHANGED)
    assert (change.username, change.object_repr) == ("admin", "Young migrants and students")
    services.merge_themes(source=theme, target=Theme.objects.get(slug="children"), user=admin_user)
    assert AuditEvent.objects.filter(action=AuditAction.THEMES_MERGED, username="admin").exists()
    services.invite_user(
        email="new@example.org", organizations=[people.org_a], roles=["reporter"], invited_by=admin_user
    )
    invited = AuditEvent.objects.get(action=AuditAction.INVITED)
    assert "reporter" in invited.detail and invited.object_repr == "new@example.org"


def test_staff_page_lists_and_filters_events(client, people, admin_user):
    services.record_event(
        user=people.reporter_a, action=AuditAction.LOGGED, object_type="progress update", detail="first"
    )
    services.record_event(
        user=people.reviewer, action=AuditAction.VERIFIED, object_type="progress update", detail="second"
    )
    client.force_login(admin_user)
    url = reverse("recommendations:audit")
    assert client.get(url).context["page"].paginator.count == 2
    only = client.get(url, {"user": "reviewer"}).context["page"].object_list
    assert [e.detail for e in only] == ["second"]
    only = client.get(url, {"action": "logged"}).context["page"].object_list
    assert [e.detail for e in only] == ["first"]
    bad = client.get(url, {"action": "hacked"})
    assert bad.status_code == 400 and "is not one of the choices" in bad.content.decode()
    client.force_login(people.reviewer)
    assert client.get(url).status_code == 302  # not staff
