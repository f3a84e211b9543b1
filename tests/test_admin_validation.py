"""What an editor types in the admin is checked with a message on the field, never a 500 or a constraint's name.

Actors' other names (an object of names in the other UN languages, stored as {} when empty), an actor's kind and
its fields, codes unique whatever their case, the constraints of items, and the order of a quantitative item's
thresholds (with a warning when new thresholds leave verified statuses derived under the old ones).
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.urls import reverse

from recommendations.models import Actor, Kind, Recommendation, threshold_errors

from .factories import admin_item_form_data, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = User.objects.create_user("editor", password="not-used-here", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return client


def organization_data(**overrides) -> dict:
    """What the admin's add form posts for a new organization."""
    return {
        "kind": "organization",
        "code": "new-org",
        "name": "A new organization",
        "organization_type": "ngo",
        "other_names": "{}",
        "website": "",
        **overrides,
    }


def add_actor(client, data):
    return client.post(reverse("admin:recommendations_actor_add"), data)


def change_actor(client, actor, **changes):
    """Post the actor's change form back with ``changes``."""
    url = reverse("admin:recommendations_actor_change", args=[actor.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data["other_names"] = form["other_names"].field.prepare_value(actor.other_names)
    data.update(changes)
    return client.post(url, data)


def form_errors(response) -> dict:
    assert response.status_code == 200, "the form was accepted"
    form = response.context["adminform"].form
    return {field: " ".join(str(m) for m in messages) for field, messages in form.errors.items()}


def all_errors(response) -> str:
    return " ".join(form_errors(response).values())


# -- an actor's other names -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, wrong",
    [
        ("[1, 2]", "an object of names keyed by language code"),
        ('"Kenia"', "an object of names keyed by language code"),
        ('{"de": "Kenia"}', "“de” is not one of the other UN languages; use fr, es, ru, zh, ar"),
        ('{"fr": ""}', "The name in “fr” must be text of 1 to 200 characters"),
        ('{"fr": "   "}', "The name in “fr” must be text of 1 to 200 characters"),
        ('{"es": 5}', "The name in “es” must be text of 1 to 200 characters"),
        ('{"ru": ["Кения"]}', "The name in “ru” must be text of 1 to 200 characters"),
        ('{"ar": "' + "x" * 201 + '"}', "The name in “ar” must be text of 1 to 200 characters"),
    ],
)
def test_other_names_must_be_names_keyed_by_the_other_un_languages(editor_client, typed, wrong):
    kenya = Actor.objects.get(code="KEN")
    errors = form_errors(change_actor(editor_client, kenya, other_names=typed))
    assert wrong in errors["other_names"]
    kenya.refresh_from_db()
    assert kenya.other_names["fr"] == "Kenya"


def test_good_other_names_are_saved_and_the_pages_in_other_languages_still_open(editor_client):
    kenya = Actor.objects.get(code="KEN")
    response = change_actor(editor_client, kenya, other_names='{"fr": "Le Kenya", "zh": "肯尼亚"}')
    assert response.status_code == 302, form_errors(response)
    kenya.refresh_from_db()
    assert kenya.other_names == {"fr": "Le Kenya", "zh": "肯尼亚"}
    for language in ("fr", "es", "ar"):
        assert editor_client.get(f"/{language}/actors/").status_code == 200


def test_full_clean_refuses_other_names_that_are_not_an_object():
    """The model's own check, not just the admin form's: empty values other than {} are refused too."""
    kenya = Actor.objects.get(code="KEN")
    for value in ([1, 2], [], None, "Kenya"):
        kenya.other_names = value
        with pytest.raises(ValidationError) as refused:
            kenya.full_clean()
        assert "other_names" in refused.value.message_dict, value
    kenya.other_names = {}
    kenya.full_clean()


@pytest.mark.parametrize("typed", ["", "null", "[]", "  "])
def test_empty_other_names_are_stored_as_an_empty_object(editor_client, typed):
    response = add_actor(editor_client, organization_data(other_names=typed))
    assert response.status_code == 302, form_errors(response)
    assert Actor.objects.get(code="new-org").other_names == {}

    kenya = Actor.objects.get(code="KEN")
    response = change_actor(editor_client, kenya, other_names=typed)
    assert response.status_code == 302, form_errors(response)
    kenya.refresh_from_db()
    assert kenya.other_names == {}


# -- an actor's kind and its fields; codes ----------------------------------------------------------------------------


def test_a_country_without_iso3_is_told_on_the_iso3_field(editor_client):
    response = add_actor(
        editor_client,
        {"kind": "country", "code": "ATL", "name": "Atlantis", "other_names": "", "un_status": "member"},
    )
    errors = form_errors(response)
    assert "A country needs its ISO3 code." in errors["iso3"]
    assert "Constraint" not in all_errors(response)


def test_a_country_with_an_organization_type_is_told_on_that_field(editor_client):
    kenya = Actor.objects.get(code="KEN")
    errors = form_errors(change_actor(editor_client, kenya, organization_type="ngo"))
    assert "Only organizations have a type" in errors["organization_type"]
    assert "Constraint" not in " ".join(errors.values())


def test_an_organization_with_iso3_or_without_a_type_is_told_on_the_field(editor_client):
    response = add_actor(editor_client, organization_data(iso3="XYZ"))
    assert "Only countries have an ISO3 code" in form_errors(response)["iso3"]
    assert "Constraint" not in all_errors(response)

    response = add_actor(editor_client, organization_data(organization_type=""))
    assert "Choose the organization's type." in form_errors(response)["organization_type"]
    assert "Constraint" not in all_errors(response)
    assert not Actor.objects.filter(code="new-org").exists()


def test_a_code_differing_only_in_case_gets_a_message_not_the_constraints_name(editor_client):
    response = add_actor(editor_client, organization_data(code="ken"))
    errors = all_errors(response)
    assert "already has this code in another case" in errors
    assert "actor_code_unique_ci" not in errors


def test_the_kind_constraint_has_a_message_for_any_other_full_clean():
    """Without the model's clean() (validate_constraints alone), the constraint itself says which fields to fix."""
    organization = Actor(kind="organization", code="x-org", name="X", iso3="XYZ", organization_type="ngo")
    with pytest.raises(ValidationError) as refused:
        organization.validate_constraints()
    assert "an organization needs a type and no ISO3 code" in str(refused.value)
    assert "actor_kind_fields" not in str(refused.value)


# -- items' constraints --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, changes, said",
    [
        ("R49", {"kind": Kind.RATIFICATION}, "A ratification item names the instrument it ratifies"),
        ("R49", {"kind": Kind.QUANTITATIVE, "unit_en": "%"}, "A quantitative item needs a target and a unit"),
        ("R49", {"title_is_editorial": "on", "editorial_note_en": ""}, "needs an editorial note"),
    ],
)
def test_items_constraints_are_explained_not_named(editor_client, code, changes, said):
    item = Recommendation.objects.get(code=code)
    url = reverse("admin:recommendations_recommendation_change", args=[item.pk])
    data = admin_item_form_data(editor_client, item)
    data.update(changes)
    data = {k: v for k, v in data.items() if v != ""}
    errors = all_errors(editor_client.post(url, data))
    assert said in errors
    assert "Constraint" not in errors


# -- a quantitative item's thresholds -------------------------------------------------------------------------------


def post_thresholds(client, **changes):
    """Post R17's change form (lower is better; target 3, ceiling 5, baseline 20, plausible 0 to 100)."""
    item = Recommendation.objects.get(code="R17")
    url = reverse("admin:recommendations_recommendation_change", args=[item.pk])
    data = admin_item_form_data(client, item)
    data.update(changes)
    if changes.get("lower_is_better") is False:
        data.pop("lower_is_better")  # an unticked box is not posted
    return client.post(url, data, follow=True)


@pytest.mark.parametrize(
    "changes, field, said",
    [
        ({"ceiling": "2"}, "ceiling", "Lower is better here, so the ceiling"),
        ({"baseline": "1"}, "baseline", "Lower is better here, so the baseline cannot be below the target (3)"),
        ({"lower_is_better": False}, "ceiling", "Higher is better here, so the ceiling"),
        ({"lower_is_better": False}, "baseline", "Higher is better here, so the baseline cannot be above"),
        ({"value_min": "50", "value_max": "10"}, "value_max", "cannot be below the lowest (50)"),
        ({"target": "-1"}, "target", "within the plausible values, 0 to 100"),
        ({"ceiling": "120"}, "ceiling", "within the plausible values, 0 to 100"),
    ],
)
def test_thresholds_in_the_wrong_order_are_refused_on_their_field(editor_client, changes, field, said):
    errors = form_errors(post_thresholds(editor_client, **changes))
    assert said in errors[field]
    item = Recommendation.objects.get(code="R17")
    assert (item.target, item.ceiling, item.lower_is_better) == (Decimal("3"), Decimal("5"), True)


def test_thresholds_in_order_are_saved(editor_client):
    response = post_thresholds(editor_client, target="2", ceiling="6", baseline="6")
    assert response.redirect_chain, form_errors(response)
    item = Recommendation.objects.get(code="R17")
    assert (item.target, item.ceiling, item.baseline) == (Decimal("2"), Decimal("6"), Decimal("6"))


def test_the_threshold_rule_by_direction():
    rule = {"baseline": None, "value_min": None, "value_max": None}
    assert threshold_errors(lower_is_better=True, target=3, ceiling=5, **rule) == {}
    assert threshold_errors(lower_is_better=False, target=5, ceiling=3, **rule) == {}
    assert threshold_errors(lower_is_better=True, target=3, ceiling=3, **rule) == {}  # equal: no progressing band
    assert set(threshold_errors(lower_is_better=False, target=3, ceiling=5, **rule)) == {"ceiling"}
    assert threshold_errors(lower_is_better=True, target=None, ceiling=None, **rule) == {}


def test_every_seeded_item_passes_the_threshold_rule():
    for item in Recommendation.objects.all():
        item.clean()  # raises on thresholds out of order


def test_changed_thresholds_warn_of_verified_statuses_derived_under_the_old_ones(editor_client):
    item = Recommendation.objects.get(code="R17")
    for code, value in (("KEN", "4"), ("MEX", "2"), ("PHL", "4.5")):
        record(actor=Actor.objects.get(code=code), recommendation=item, as_of=datetime.date(2020, 1, 1), value=value)
    record(  # pending: not counted
        actor=Actor.objects.get(code="IND"),
        recommendation=item,
        as_of=datetime.date(2020, 1, 1),
        value="4",
        verified=False,
    )

    response = post_thresholds(editor_client, ceiling="4.2")  # 4 stays "progressing", 4.5 becomes "off track"
    warnings = [str(m) for m in response.context["messages"] if m.level == messages.WARNING]
    assert warnings == [
        "The thresholds changed. The statuses of 3 verified updates on this item were derived from their values "
        "under the old thresholds and are kept as they are; under the new ones, 1 would differ from them, against "
        "the rule shown with the item."
    ]

    response = post_thresholds(editor_client, title_en="Lower the cost of sending remittances")  # no threshold
    assert not [m for m in response.context["messages"] if m.level == messages.WARNING]


def test_the_messages_are_in_the_editors_language():
    from django.utils import translation

    from recommendations.models import validate_other_names

    with translation.override("fr"):
        with pytest.raises(ValidationError) as refused:
            validate_other_names({"de": "Kenia"})
        assert refused.value.messages == [
            "«\u00a0de\u00a0» n'est pas l'une des autres langues de l'ONU\u00a0; utilisez fr, es, ru, zh, ar."
        ]
        errors = threshold_errors(
            lower_is_better=True, target=3, ceiling=2, baseline=None, value_min=None, value_max=None
        )
        assert errors["ceiling"][0].startswith("Ici, une valeur plus basse est meilleure")
