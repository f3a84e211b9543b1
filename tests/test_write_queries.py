"""Logging progress through the form costs a fixed, small number of queries (issue 21: writes near their floor).

17 statements at first (the session, the user, two for the roles, the membership twice, the item, its source
document, the actor, the organization, the submission token twice, a savepoint and its release, three
inserts); then 10: the roles in one query, the person's organizations read once per request, the item with
its document, the token checked once, no savepoint. Now 7: the logged-in person is loaded with their roles
and organizations in one query (``roles.load_person``), and a repeated submission token is found by the
insert itself (the unique (person, token) constraint) instead of a SELECT before every write. Around them the
transaction's BEGIN and COMMIT, two round trips of their own, which Django also captures; under the test's own
transaction they show as a SAVEPOINT and its RELEASE. Nine in all, here as in production (``bench/run.py``
counts the same nine).
"""

import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.models import Membership, ProgressUpdate

pytestmark = pytest.mark.django_db

LOG_PROGRESS_QUERIES = 9
PDF = b"%PDF-1.4\n%%EOF\n"


def post_update(client, org, token, actor="KEN", **extra):
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
            **extra,
        },
    )


def statements(captured) -> list[str]:
    return [q["sql"].strip() for q in captured.captured_queries]


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
        # The user, their roles and their organizations: one query, and the only one reading them.
        assert sum("auth_permission" in s or "recommendations_membership" in s or "auth_user" in s for s in sql) == 1
        assert not any(s.startswith("SELECT") and "recommendations_progressupdate" in s for s in sql)  # no token check
        # The item by its unique code, with no sort to compile and run (get(), not first()).
        (item,) = [s for s in sql if s.startswith("SELECT") and 'FROM "recommendations_recommendation"' in s]
        assert "ORDER BY" not in item
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 2


def test_a_repeated_submission_writes_nothing_and_shows_the_first_update(client, people):
    client.force_login(people.reporter_a)
    token = uuid.uuid4()
    first = post_update(client, people.org_a, token)
    history, audit = ProgressUpdate.history.count(), people.reporter_a.auditevent_set.count()
    with CaptureQueriesContext(connection) as captured:
        again = post_update(client, people.org_a, token)
    assert again.status_code == 302 and again.url == first.url
    # The insert of the update found the token taken; nothing after it ran, and the transaction was undone.
    assert [s.split(" (")[0] for s in statements(captured) if s.startswith("INSERT")] == [
        'INSERT INTO "recommendations_progressupdate"'
    ]
    assert ProgressUpdate.objects.count() == 1
    assert (ProgressUpdate.history.count(), people.reporter_a.auditevent_set.count()) == (history, audit)
    page = client.get(again.url)
    assert "already submitted" in page.content.decode()


def test_a_repeated_submission_with_a_file_stores_no_second_file(client, people, settings):
    client.force_login(people.reporter_a)
    token = uuid.uuid4()
    upload = {"evidence_urls": "", "evidence_file": SimpleUploadedFile("proof.pdf", PDF)}
    first = post_update(client, people.org_a, token, **upload)
    stored = sorted(p.name for p in (settings.MEDIA_ROOT).rglob("*") if p.is_file())
    with CaptureQueriesContext(connection) as captured:
        again = post_update(client, people.org_a, token, evidence_file=SimpleUploadedFile("proof.pdf", PDF))
    assert again.status_code == 302 and again.url == first.url
    assert not any(s.startswith("INSERT") for s in statements(captured))  # found before the file is stored
    assert sorted(p.name for p in (settings.MEDIA_ROOT).rglob("*") if p.is_file()) == stored
    assert ProgressUpdate.objects.count() == 1


def test_the_same_token_of_another_person_is_theirs_alone(client, people):
    token = uuid.uuid4()
    client.force_login(people.reporter_a)
    post_update(client, people.org_a, token)
    client.force_login(people.reporter_b)
    response = post_update(client, people.org_b, token)
    assert response.status_code == 302
    assert ProgressUpdate.objects.filter(submission_token=token).count() == 2


def test_the_cached_organizations_still_refuse_another_organization(client, people):
    client.force_login(people.reporter_a)
    response = post_update(client, people.org_b, uuid.uuid4())  # reporter_a is not in org_b
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_roles_and_organizations_loaded_with_the_user_follow_every_change(client, people, make_org):
    """The one query that loads the person reads their roles and organizations afresh on each request."""
    client.force_login(people.reporter_a)
    assert post_update(client, people.org_a, uuid.uuid4()).status_code == 302
    # A membership added counts from the next request, and the organizations come sorted by name.
    org_c = make_org("Aardvark Collective", code="aardvark")
    Membership.objects.create(user=people.reporter_a, organization=org_c)
    page = client.get("/progress/new/?item=R56&actor=KEN").content.decode()
    assert page.index("Aardvark Collective") < page.index("Migrant Forum A")
    assert post_update(client, org_c, uuid.uuid4()).status_code == 302
    # A membership removed: refused at once.
    Membership.objects.filter(user=people.reporter_a, organization=people.org_a).delete()
    assert post_update(client, people.org_a, uuid.uuid4()).status_code == 200
    # The role taken away (the group): refused at once; given back as a permission of the user's own: allowed.
    people.reporter_a.groups.clear()
    assert post_update(client, org_c, uuid.uuid4()).status_code == 403
    people.reporter_a.user_permissions.add(Permission.objects.get(codename="log_progress"))
    assert post_update(client, org_c, uuid.uuid4()).status_code == 302
    # Deactivated: logged out.
    people.reporter_a.is_active = False
    people.reporter_a.save()
    assert client.get("/progress/new/").status_code == 302
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 3


def test_a_superuser_has_every_role_and_a_reader_none(client, people, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "x" * 12)
    client.force_login(boss)
    assert client.get("/review/").status_code == 200  # the reviewer's role, held as a superuser
    reader = django_user_model.objects.create_user("reader", "reader@example.org", "x" * 12)
    client.force_login(reader)
    assert client.get("/review/").status_code == 403
    reader.groups.add(Group.objects.get(name="Reviewer"))
    assert client.get("/review/").status_code == 200


def test_a_login_through_the_form_loads_the_person_the_same_way(client, people):
    """The session of a real login names the password backend, which loads the person in one query too."""
    assert client.post("/accounts/login/", {"username": "reporter_a", "password": "pw-reporter_a"}).status_code == 302
    with CaptureQueriesContext(connection) as captured:
        assert post_update(client, people.org_a, uuid.uuid4()).status_code == 302
    assert len(captured.captured_queries) == LOG_PROGRESS_QUERIES


def test_the_person_loaded_in_one_query_equals_what_the_orm_reads(people, make_org):
    """Every field of the user and of their organizations, as the ORM would read them (dates, booleans, JSON)."""
    from django.utils import timezone

    from recommendations.models import Actor
    from recommendations.roles import load_person
    from recommendations.services import cached_organizations

    org_c = make_org("Aardvark Collective", code="aardvark", other_names={"fr": "Collectif Oryctérope"})
    Membership.objects.create(user=people.reporter_a, organization=org_c)
    people.reporter_a.last_login = timezone.now()
    people.reporter_a.save()
    loaded = load_person(people.reporter_a.pk)
    fresh = type(people.reporter_a).objects.get(pk=people.reporter_a.pk)
    for field in fresh._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(fresh, field.attname), field.name
    organizations = cached_organizations(loaded)
    expected = list(Actor.objects.filter(memberships__user=fresh).order_by("name", "pk"))
    assert [o.pk for o in organizations] == [o.pk for o in expected] == [org_c.pk, people.org_a.pk]
    for mine, theirs in zip(organizations, expected, strict=True):
        for field in Actor._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
    assert loaded.get_all_permissions() == fresh.get_all_permissions()
    assert load_person(10**9) is None


def test_the_person_s_column_readers_are_built_once_per_model(people):
    from recommendations.models import Actor
    from recommendations.roles import _reader, load_person

    _reader.cache_clear()
    for _ in range(3):
        load_person(people.reporter_a.pk)
    assert _reader.cache_info().misses == 2  # the user's and the organizations', once
    assert _reader(Actor, connection.alias) is _reader(Actor, connection.alias)


def test_the_history_manager_class_is_built_once(people, make_org):
    """simple_history's descriptor built a manager class (inspecting every queryset method) on every read of
    ``.history``, which every save of an audited model does; ours is built once."""
    org = make_org("Aardvark Collective", code="aardvark")
    assert type(org.history) is type(org.history)
    assert type(people.org_a.history) is type(org.history)
    assert org.history.count() == 1  # still the manager of this object's history


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_the_actor_named_on_the_form_is_found_through_indexes(people):
    """``resolve``'s exact match (a code in any case, or the exact name: UPPER(code) or UPPER(name) on
    PostgreSQL) reads their expression indexes (migration 0027), not every actor: with sequential scans made
    the last resort, a condition no index serves still shows one."""
    from recommendations.models import Actor

    with CaptureQueriesContext(connection) as captured:
        assert Actor.objects.real().resolve("ken")[0].code == "KEN"
    (sql,) = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    assert "actor_code_upper" in plan and "actor_name_upper" in plan, plan
