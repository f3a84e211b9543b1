"""Editors maintain items, themes, instruments and actors in the admin."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.models import Actor, Instrument, Paragraph, Recommendation, Theme

from .factories import admin_item_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = User.objects.create_user("editor", password="not-used-here", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return client


MODELS = [
    "recommendation",
    "theme",
    "instrument",
    "addressee",
    "actor",
    "sdgtarget",
    "section",
    "paragraph",
    "progressupdate",
    "currentstatus",
    "sourcedocument",
]


@pytest.mark.parametrize("model", MODELS)
def test_editor_can_open_every_changelist(editor_client, model):
    response = editor_client.get(reverse(f"admin:recommendations_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model, obj",
    [
        ("recommendation", lambda: Recommendation.objects.get(code="R17")),
        ("theme", lambda: Theme.objects.first()),
        ("instrument", lambda: Instrument.objects.get(short_name="ICRMW")),
        ("actor", lambda: Actor.objects.get(iso3="KEN")),
    ],
)
def test_editor_can_open_change_and_history_pages(editor_client, model, obj):
    target = obj()
    assert editor_client.get(reverse(f"admin:recommendations_{model}_change", args=[target.pk])).status_code == 200
    assert editor_client.get(reverse(f"admin:recommendations_{model}_history", args=[target.pk])).status_code == 200


def test_search_and_autocomplete_work(editor_client):
    response = editor_client.get(reverse("admin:recommendations_recommendation_changelist"), {"q": "remittances"})
    assert b"R17" in response.content
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "recommendations", "model_name": "recommendation", "field_name": "themes", "term": "gend"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Gender and migrant women"]


def test_anonymous_and_non_staff_cannot_enter_the_admin(client):
    url = reverse("admin:recommendations_recommendation_changelist")
    assert client.get(url).status_code == 302
    client.force_login(User.objects.create_user("plain", password="x"))
    assert client.get(url).status_code == 302


def test_items_cannot_be_deleted_so_codes_are_never_reused(editor_client):
    item = Recommendation.objects.get(code="R02")
    response = editor_client.get(reverse("admin:recommendations_recommendation_delete", args=[item.pk]))
    assert response.status_code == 403


def test_editing_an_item_is_recorded_in_history(editor_client):
    item = Recommendation.objects.get(code="R49")
    url = reverse("admin:recommendations_recommendation_change", args=[item.pk])
    data = admin_item_form_data(editor_client, item)
    data["title_en"] = "Adopt ethical codes for recruiting the highly skilled"
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.title == "Adopt ethical codes for recruiting the highly skilled"
    assert item.history.count() >= 2
    assert item.history.first().history_user.username == "editor"


def test_item_kind_is_locked_once_updates_carry_it(client, people):
    """Updates and current statuses copy the item's kind; once one exists the admin no longer changes it."""
    from recommendations.models import CurrentStatus, Kind, ProgressUpdate

    from .factories import filed

    editor_client = client
    editor_client.force_login(people.editor)
    item = Recommendation.objects.get(code="R49")
    url = reverse("admin:recommendations_recommendation_change", args=[item.pk])
    assert "kind" in editor_client.get(url).context["adminform"].form.fields  # no update yet: editable

    update = filed(user=people.reporter_a, organization=people.org_a, code="R49", status="limited")
    page = editor_client.get(url)
    assert "kind" not in page.context["adminform"].form.fields
    assert "The kind is locked: 1 progress update on this item" in page.content.decode()

    data = admin_item_form_data(editor_client, item)
    data.update({"kind": Kind.QUANTITATIVE, "unit": "%", "target": "1", "title_en": "A new title"})
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert (item.title, item.kind) == ("A new title", Kind.POLICY)
    assert ProgressUpdate.objects.get(pk=update.pk).kind == Kind.POLICY
    assert not CurrentStatus.objects.filter(recommendation=item).exclude(kind=Kind.POLICY).exists()


def test_citation_must_be_verbatim(editor_client):
    from recommendations.admin import CitationForm

    paragraph = Paragraph.objects.get(number=35)
    ok = CitationForm(data={"paragraph": paragraph.pk, "text": paragraph.text[:60], "position": 0})
    assert ok.is_valid(), ok.errors
    bad = CitationForm(data={"paragraph": paragraph.pk, "text": "Countries should do whatever", "position": 0})
    assert not bad.is_valid()
    assert "not an exact quotation of paragraph 35" in bad.errors["text"][0]


def test_merge_themes_action_moves_items(editor_client):
    source, target = Theme.objects.get(slug="youth"), Theme.objects.get(slug="children")
    moved_codes = set(source.recommendations.values_list("code", flat=True))
    assert moved_codes
    url = reverse("admin:recommendations_theme_changelist")
    confirm = editor_client.post(url, {"action": "merge_themes", "_selected_action": [source.pk]})
    assert b"Merge themes" in confirm.content
    response = editor_client.post(
        url, {"action": "merge_themes", "_selected_action": [source.pk], "apply": "1", "target": target.pk}
    )
    assert response.status_code == 302
    assert not Theme.objects.filter(slug="youth").exists()
    assert moved_codes <= set(target.recommendations.values_list("code", flat=True))


# The changelists' query counts are pinned in tests/test_query_counts.py (with rows that differ).


def test_history_changelists_search_by_code(editor_client):
    from recommendations.models import Status

    from .factories import record

    record(
        actor=Actor.objects.get(iso3="KEN"),
        recommendation=Recommendation.objects.get(code="R02"),
        status=Status.SIGNED,
        as_of=datetime.date(2015, 1, 1),
    )
    for model in ("progressupdate", "currentstatus"):
        url = reverse(f"admin:recommendations_{model}_changelist")
        assert b"Kenya" in editor_client.get(url, {"q": "ken"}).content
        assert b"Kenya" not in editor_client.get(url, {"q": "MEX"}).content


def test_no_unfiltered_count_over_the_history_table(editor_client, settings):
    """On PostgreSQL the history changelist counts from the planner's estimate once the table is large."""
    from django.core.management import call_command

    from recommendations.models import ProgressUpdate

    if connection.vendor != "postgresql":
        pytest.skip("the estimate path is PostgreSQL's; SQLite databases stay small enough to count")
    call_command("generate_benchmark_data", updates=2000, organizations=20, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE recommendations_progressupdate")
    settings.EXACT_COUNT_BELOW = 100  # treat 2,000 rows as "large"
    with CaptureQueriesContext(connection) as captured:
        response = editor_client.get(reverse("admin:recommendations_progressupdate_changelist"))
    assert response.status_code == 200
    table = ProgressUpdate._meta.db_table
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper() and table in q["sql"]]
    assert not [sql for sql in counts if "WHERE" not in sql.upper()], counts
    assert any(q["sql"].startswith("EXPLAIN") for q in captured.captured_queries)


def test_blank_region_values_are_named_in_the_actor_filters(editor_client, make_org):
    """Organizations have no region of their own: the filter's link for them reads "(none)", never an empty link."""
    make_org("An organization without a region")
    html = editor_client.get(reverse("admin:recommendations_actor_changelist")).content.decode()
    for parameter in ("region", "subregion"):
        assert f'<a href="?{parameter}=">(none)</a>' in html
        assert f'<a href="?{parameter}="></a>' not in html
