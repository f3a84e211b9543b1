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

from bench.run import progress_post_fields
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


def reads_person(sql: str) -> bool:
    return (
        "auth_permission" in sql
        or "recommendations_membership" in sql
        or "auth_user" in sql
        or sql.startswith("EXECUTE tracker_person_")
    )


def reads_item(sql: str) -> bool:
    return (sql.startswith(("SELECT", "PREPARE")) and 'FROM "recommendations_recommendation"' in sql) or sql.startswith(
        "EXECUTE tracker_item_to_write_"
    )


def reads_actor(sql: str) -> bool:
    return (sql.startswith(("SELECT", "PREPARE")) and 'FROM "recommendations_actor"' in sql) or sql.startswith(
        "EXECUTE tracker_actors_named_to_write_"
    )


def reads_session(sql: str) -> bool:
    return "django_session" in sql or sql.startswith("EXECUTE tracker_session_")


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
        # The user, their roles and their organizations: one query, and the only one reading them (on
        # PostgreSQL a prepared statement of the connection: its EXECUTE names no table).
        assert sum(reads_person(s) for s in sql) == 1, "\n".join(sql)
        assert sum(reads_session(s) for s in sql) == 1, "\n".join(sql)
        assert sum(reads_actor(s) for s in sql) == 1, "\n".join(sql)
        assert not any(s.startswith("SELECT") and "recommendations_progressupdate" in s for s in sql)  # no token check
        # The item by its unique code, with no sort to compile and run (get(), not first()).
        (item,) = [s for s in sql if reads_item(s)]
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


@pytest.mark.parametrize(
    ("prefix", "item", "actor", "extra"),
    [
        ("", "R17", "PHL", {"status": "", "value": "6.5"}),  # quantitative: the status from the value, in bounds
        ("/fr", "R17", "PHL", {"status": "", "value": "6.5"}),  # the unit and thresholds in the reader's language
        ("", "R02", "KEN", {"status": "ratified"}),  # ratification: a country only
    ],
)
def test_every_kind_of_item_is_logged_with_the_pinned_queries(client, people, prefix, item, actor, extra):
    """The post reads only some of the item's and actor's columns (``rows.ITEM_TO_WRITE``, forms.WRITE_ACTOR_FIELDS):
    a column a rule, the form or a message needs and these lack would be read on its own, one more query."""
    client.force_login(people.reporter_a)
    data = {
        "organization": people.org_a.pk,
        "as_of": "2020-01-15",
        "as_of_precision": "day",
        "narrative": "Benchmark update filed through the form under load.",
        "evidence_urls": "https://example.org/bench",
        "submission_token": str(uuid.uuid4()),
        **extra,
    }
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"{prefix}/progress/new/?item={item}&actor={actor}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(captured.captured_queries) == LOG_PROGRESS_QUERIES, "\n".join(statements(captured))
    update = ProgressUpdate.objects.get(submission_token=data["submission_token"])
    assert (update.recommendation.code, update.actor.code) == (item, actor)


@pytest.mark.parametrize("code", ["R56", "R17", "R02"])
def test_the_item_read_for_a_write_equals_what_the_orm_reads(code):
    """``rows.item_to_write`` holds, for the columns it reads, what the ORM reads (decimals, booleans, the
    source document's date), and reads nothing else."""
    from recommendations.models import Recommendation
    from recommendations.rows import _item_names, item_to_write

    item = item_to_write(code)
    fresh = Recommendation.objects.select_related("document").get(code=code)
    assert item.get_deferred_fields() == {f.attname for f in Recommendation._meta.concrete_fields} - set(_item_names())
    for name in _item_names():
        assert getattr(item, name) == getattr(fresh, name), name
    with CaptureQueriesContext(connection) as captured:
        assert item.document.date == fresh.document.date
        assert (item.scale, item.unit, item.thresholds_explained()) == (
            fresh.scale,
            fresh.unit,
            fresh.thresholds_explained(),
        )
    assert not captured.captured_queries
    assert item_to_write("R999") is None


def test_a_refused_post_shows_the_whole_item_again(client, people):
    """The post read a narrow item and actor; the page shown again after a refusal shows the item's title and
    quotations, read whole."""
    from recommendations.models import Recommendation

    client.force_login(people.reporter_a)
    response = post_update(client, people.org_a, uuid.uuid4(), narrative="Too short.")
    assert response.status_code == 200
    page = response.content.decode()
    item = Recommendation.objects.get(code="R56")
    assert item.title in page
    assert item.citations.first().text[:40] in page
    assert "Kenya" in page


def test_a_post_of_a_known_organization_builds_no_queryset_of_organizations(people):
    """The person's organizations were read with them (``roles.load_person``); the queryset that lists them is
    built only when read (the page's choices, an organization not among them)."""
    from recommendations.forms import ProgressUpdateForm
    from recommendations.models import Actor, Recommendation
    from recommendations.roles import load_person

    user = load_person(people.reporter_a.pk)
    item, actor = Recommendation.objects.select_related("document").get(code="R56"), Actor.objects.get(code="KEN")
    data = progress_post_fields(people.org_a.pk)
    form = ProgressUpdateForm(data, recommendation=item, actor=actor, user=user)
    with CaptureQueriesContext(connection) as captured:
        assert form.is_valid(), form.errors
    assert not captured.captured_queries
    assert form.fields["organization"]._queryset is None
    assert form.cleaned_data["organization"] == people.org_a
    assert "helper" not in form.__dict__  # the page's layout: built only when the form is shown
    shown = ProgressUpdateForm(recommendation=item, actor=actor, user=user)  # the page: its choices listed
    assert [label for _value, label in shown.fields["organization"].choices] == [people.org_a.name]


def test_an_update_names_its_status_as_django_s_display_does(people):
    """``ProgressUpdate.__str__`` (the audit line's object) finds the status's label by value; the same words
    as ``get_status_display``, in the active language, and a value that is no status shown as it is."""
    from django.utils import translation

    from recommendations.models import Actor, Recommendation, Status

    update = ProgressUpdate(
        actor=Actor.objects.get(code="KEN"), recommendation=Recommendation.objects.get(code="R56"), as_of="2020-01-15"
    )
    for language in ("en", "fr"):
        with translation.override(language):
            for status in [*Status.values, "", "no-such-status"]:
                update.status = status
                expected = f"Kenya · R56 · {update.get_status_display()} (2020-01-15)"
                assert str(update) == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_person_and_the_item_are_planned_once_per_connection(seeded_transactional_db, client, people):
    """The person's statement (seven tables) cost PostgreSQL more to plan than to run, on every request: it, the
    item's and the session's are the connection's prepared statements (``rows.execute_built``), prepared in the
    first request's round trip, executed alone after, prepared afresh on a new connection; still 9 statements."""
    client.force_login(people.reporter_a)
    connection.close()  # a new connection: nothing prepared on it yet (the login read the session)
    seen = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            assert post_update(client, people.org_a, uuid.uuid4()).status_code == 302
        sql = statements(captured)
        assert len(sql) == LOG_PROGRESS_QUERIES, "\n".join(sql)
        seen.append(
            sorted(
                s.split(" ")[0] for s in sql if reads_person(s) or reads_item(s) or reads_session(s) or reads_actor(s)
            )
        )
    assert seen == [["PREPARE"] * 4, ["EXECUTE"] * 4, ["EXECUTE"] * 4]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        names = {name for (name,) in cursor.fetchall()}
    assert any(n.startswith("tracker_person_") for n in names)
    assert any(n.startswith("tracker_item_to_write_") for n in names)
    assert any(n.startswith("tracker_session_") for n in names)
    assert any(n.startswith("tracker_actors_named_to_write_") for n in names)
    connection.close()  # a reconnection (CONN_MAX_AGE, a PostgreSQL restart): prepared again, transparently
    with CaptureQueriesContext(connection) as captured:
        assert post_update(client, people.org_a, uuid.uuid4()).status_code == 302
    assert sum(s.startswith("PREPARE") for s in statements(captured)) == 4
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_failed_first_execution_is_prepared_again_under_a_new_name(seeded_transactional_db):
    """PREPARE may succeed and its EXECUTE fail in the same round trip: whether it is prepared is then unknown,
    so the next try prepares under a new name (the old name would be 'already exists')."""
    from django.db import DataError, transaction

    from recommendations.rows import execute_built

    with pytest.raises(DataError), transaction.atomic(), connection.cursor() as cursor:
        execute_built(cursor, "probe", "SELECT %s::int + %s::int", ["x", "1"])  # prepared, then refused
    with connection.cursor() as cursor:
        execute_built(cursor, "probe", "SELECT %s::int + %s::int", ["2", "1"])
        assert cursor.fetchone() == (3,)
        execute_built(cursor, "probe", "SELECT %s::int + %s::int", ["5", "1"])
        assert cursor.fetchone() == (6,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_each_thread_prepares_on_its_own_connection_once(seeded_transactional_db, people):
    """A server's threads each have their connection: what one prepared is not taken for another's (``connection``
    is a proxy shared by all threads; kept there, each thread would prepare again after the other, and every
    request would plan anew and leave one more prepared statement on the connection)."""
    import threading

    from django.db import connections

    from recommendations.roles import load_person

    turns = [threading.Semaphore(0), threading.Semaphore(0)]
    counts = {}

    def work(me: int) -> None:
        try:
            for _ in range(3):  # in turn: A, B, A, B, A, B
                turns[me].acquire()
                assert load_person(people.reporter_a.pk).username == people.reporter_a.username
                turns[1 - me].release()
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'tracker_person_%%'")
                counts[me] = cursor.fetchone()[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    turns[0].release()
    for thread in threads:
        thread.join(timeout=60)
    assert counts == {0: 1, 1: 1}


def test_the_audit_line_names_the_model_in_the_code_s_words_whatever_the_language(people, make_org):
    """The model's name on the audit line is kept per model (``audit._object_type``): the source text, never a
    translation, whichever language was active when it was first asked for."""
    from django.utils import translation

    from recommendations import services
    from recommendations.models import Actor, AuditEvent
    from recommendations.services.audit import _object_type

    _object_type.cache_clear()
    actor = Actor.objects.get(code="KEN")
    for language in ("fr", "es", None):
        with translation.override(language):
            assert str(Actor._meta.verbose_name) != "country or organization" or language is None
            services.record_event(user=people.editor, action="probe", obj=actor, detail=language or "")
    assert set(AuditEvent.objects.filter(action="probe").values_list("object_type", flat=True)) == {
        "country or organization"
    }
    assert _object_type.cache_info().misses == 1


ACTOR_TEXTS = [
    "KEN",
    "ken",
    "Kenya",
    "KENYA",
    "kenya ",
    "Ken",
    "Kenya (KEN)",
    "%",
    "_EN",
    "K%N",
    "\\",
    "'",
    "Côte",
    "Côte d'Ivoire",
    "forum-a",
    "FORUM-A",
    "Migrant Forum A",
    "nobody",
    "",
]


@pytest.mark.parametrize("countries", [False, True])
def test_the_actor_compiled_once_equals_what_the_orm_reads(people, countries):
    """``resolve``'s exact match on the post (``rows.read_once``: the ORM's statement compiled once) finds what
    the ORM finds, column by column and with the same columns deferred, for codes and names in any case and
    for texts with LIKE's wildcards, quotes and accents; the compiled statement holds no text of a post."""
    from recommendations import rows
    from recommendations.forms import _actors_named_to_write, _countries_named_to_write

    named = _countries_named_to_write if countries else _actors_named_to_write
    for text in ACTOR_TEXTS:
        mine, theirs = rows.read_once(named, text.strip()), list(named(text.strip()))
        assert [a.pk for a in mine] == [a.pk for a in theirs], text
        for a, b in zip(mine, theirs, strict=True):
            assert a.get_deferred_fields() == b.get_deferred_fields()
            assert [a.id, a.code, a.name, a.kind] == [b.id, b.code, b.name, b.kind]
            assert a._state.adding is False and a._state.db == b._state.db
    compiled = rows._compiled(named, connection.alias, "en")
    if connection.vendor == "postgresql":
        sql, template = compiled[0], compiled[1]
        assert not any(text in sql for text in ("KEN", "Kenya", rows._PROBES[0]) if text)
        assert template.count(None) == 2  # the code's and the name's side: the text, filled in on each call
    else:
        assert compiled is None  # SQLite's iexact escapes the text for LIKE: the ORM runs it each time


def test_the_actor_is_compiled_once_per_language(people):
    from django.utils import translation

    from recommendations import rows
    from recommendations.forms import _actors_named_to_write

    rows._compiled.cache_clear()
    for language in ("fr", "en", "fr", "en"):
        with translation.override(language):
            assert [a.code for a in rows.read_once(_actors_named_to_write, "kenya")] == ["KEN"]
    assert rows._compiled.cache_info().misses == 2 and rows._compiled.cache_info().hits == 2
