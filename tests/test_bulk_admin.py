"""The editors' bulk actions in the admin: a confirmation page, then every change with its history and audit line."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils.html import escape

from alerts.models import ReportingCycle
from bulk import services as bulk
from recommendations.models import Actor, Addressee, AuditEvent, Recommendation, SDGTarget, Theme

pytestmark = pytest.mark.django_db
ITEMS = reverse("admin:recommendations_recommendation_changelist")
ACTORS = reverse("admin:recommendations_actor_changelist")


@pytest.fixture
def editor(client):
    user = User.objects.create_user("editor", password="not-used-here", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return user


def act(client, url, action, objects, **values):
    """The action's confirmation page, then "Apply" with the values; returns both responses."""
    selected = [str(o.pk) for o in objects]
    asked = client.post(url, {"action": action, ACTION_CHECKBOX_NAME: selected})
    applied = client.post(url, {"action": action, ACTION_CHECKBOX_NAME: selected, "apply": "Apply", **values})
    return asked, applied


@pytest.mark.parametrize(
    "model, attribute, add, remove",
    [
        (Theme, "themes", "add_theme", "remove_theme"),
        (Addressee, "addressees", "add_addressee", "remove_addressee"),
        (SDGTarget, "sdg_targets", "add_sdg_target", "remove_sdg_target"),
    ],
)
def test_add_then_remove_a_link_on_selected_items(client, editor, model, attribute, add, remove):
    link = model.objects.order_by("pk").first()
    items = list(Recommendation.objects.exclude(**{attribute: link}).order_by("position")[:3])
    already = Recommendation.objects.filter(**{attribute: link}).first()
    selection = [*items, already] if already else items
    asked, applied = act(client, ITEMS, add, selection, link=link.pk)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert f'<input type="hidden" name="action" value="{add}">' in page and escape(str(items[0])) in page
    assert applied.status_code == 302
    for item in items:
        assert getattr(item, attribute).filter(pk=link.pk).exists()
        entry = item.history.latest()
        assert entry.history_user == editor and entry.history_change_reason.startswith("bulk: added")
        assert getattr(entry, attribute).filter(**{model._meta.model_name: link}).exists()  # the m2m snapshot
    events = AuditEvent.objects.filter(user=editor, action="admin_changed", detail__startswith="Bulk action: added")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(i.pk) for i in items)  # not `already`
    assert "3 of" in client.get(ITEMS).content.decode()  # the message says how many changed

    act(client, ITEMS, remove, items, link=link.pk)
    for item in items:
        assert not getattr(item, attribute).filter(pk=link.pk).exists()
        assert item.history.latest().history_change_reason.startswith("bulk: removed")
    assert AuditEvent.objects.filter(detail__startswith="Bulk action: removed").count() == 3


def test_set_the_type_and_the_based_in_country_of_organizations(client, editor, make_org, country):
    orgs = [make_org(), make_org(), make_org()]
    _, applied = act(client, ACTORS, "set_organization_type", orgs, organization_type="academic")
    assert applied.status_code == 302
    assert {o.organization_type for o in Actor.objects.filter(pk__in=[o.pk for o in orgs])} == {"academic"}
    assert orgs[0].history.latest().history_user == editor
    assert orgs[0].history.latest().history_change_reason.startswith("bulk: type set to")
    kenya = country("KEN")
    act(client, ACTORS, "set_base_country", orgs, country=kenya.pk)
    assert set(Actor.objects.filter(pk__in=[o.pk for o in orgs]).values_list("base_country", flat=True)) == {kenya.pk}
    details = AuditEvent.objects.filter(object_id=str(orgs[1].pk)).values_list("detail", flat=True)
    assert any("type set to" in d for d in details) and any("based-in country set to Kenya" in d for d in details)


def test_set_and_remove_the_reporting_cycle_of_organizations(client, editor, make_org):
    orgs = [make_org(), make_org()]
    ReportingCycle.objects.create(organization=orgs[0], months=24)
    act(client, ACTORS, "set_reporting_cycle", orgs, months=12)
    assert set(ReportingCycle.objects.filter(organization__in=orgs).values_list("months", flat=True)) == {12}
    cycle = ReportingCycle.objects.get(organization=orgs[0])
    assert (
        cycle.history.latest().history_change_reason
        == "bulk: reporting cycle set to every 12 months (was every 24 months)"
    )
    assert cycle.history.latest().history_user == editor
    act(client, ACTORS, "set_reporting_cycle", orgs, months="")
    assert not ReportingCycle.objects.filter(organization__in=orgs).exists()
    assert AuditEvent.objects.filter(object_id=str(orgs[1].pk), detail__contains="reporting cycle").count() == 2


def test_a_country_in_the_selection_changes_nothing_and_says_why(client, editor, make_org, country):
    org = make_org(organization_type="ngo")
    _, applied = act(client, ACTORS, "set_organization_type", [org, country("KEN")], organization_type="academic")
    assert applied.status_code == 302
    assert Actor.objects.get(pk=org.pk).organization_type == "ngo"
    assert "Only organizations have a type" in client.get(ACTORS).content.decode()
    assert not AuditEvent.objects.filter(detail__startswith="Bulk action").exists()


def test_a_bad_value_shows_the_confirmation_page_again(client, editor, make_org):
    asked, applied = act(client, ACTORS, "set_reporting_cycle", [make_org()], months=500)
    assert applied.status_code == 200 and "less than or equal to 120" in applied.content.decode()
    assert not ReportingCycle.objects.exists()


def test_only_editors_act_in_bulk(people, make_org):
    with pytest.raises(bulk.PermissionDenied):
        bulk.set_organization_type(organizations=[make_org()], organization_type="academic", user=people.reviewer)
    with pytest.raises(bulk.PermissionDenied):
        bulk.add_item_link(items=[Recommendation.objects.first()], link=Theme.objects.first(), user=people.reporter_a)
