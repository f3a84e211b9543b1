"""Every URL against every role.

The matrix lists each named URL of the site (the admin is covered by its own
test below). Adding a URL without adding it here fails
``test_every_url_is_in_the_matrix``.
"""

import datetime

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alerts.content import unsubscribe_token
from alerts.models import ExportJob
from recommendations import services
from recommendations.models import Actor, Addressee, Instrument, Recommendation, SDGTarget, Status

from .factories import EVIDENCE, NARRATIVE, filed
from .routes import url_names

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "reporter_a", "reporter_b", "reviewer", "editor"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def everyone(status):
    return dict.fromkeys(ROLES, status)


def bulk_job(username):
    import uuid

    from django.contrib.auth.models import User

    from bulk.models import BulkReview

    user = User.objects.get(username=username)
    return BulkReview.objects.create(user=user, submission_token=uuid.uuid4(), decision="verify")


LOGIN = 302  # anonymous visitors are sent to the login page
# name: (args builder, method, expected status per role)
MATRIX = {
    "recommendations:home": (None, "get", everyone(200)),
    "recommendations:list": (None, "get", everyone(200)),
    "recommendations:export_csv": (None, "get", everyone(200)),
    "recommendations:export_json": (None, "get", everyone(200)),
    "recommendations:detail": (lambda o: ["R02"], "get", everyone(200)),
    "recommendations:source": (None, "get", everyone(200)),
    "recommendations:glossary": (None, "get", everyone(200)),
    "participation:take_part": (None, "get", everyone(200)),
    "recommendations:actors": (None, "get", everyone(200)),
    "recommendations:report_summary": (None, "get", everyone(200)),
    "recommendations:report_matrix": (None, "get", everyone(200)),
    "recommendations:report_table": (None, "get", everyone(200)),
    "recommendations:status_csv": (None, "get", everyone(200)),
    "recommendations:status_xlsx": (None, "get", everyone(200)),
    "recommendations:status_json": (None, "get", everyone(200)),
    "recommendations:history_csv": (None, "get", everyone(200)),
    "recommendations:chart_svg": (None, "get", everyone(200)),
    "recommendations:chart_png": (None, "get", everyone(200)),
    "recommendations:actor_search": (None, "get", everyone(200)),
    "recommendations:actor": (lambda o: ["KEN"], "get", everyone(200)),
    "recommendations:timeline": (lambda o: ["KEN", "R02"], "get", everyone(200)),
    "recommendations:progress_new": (
        None,
        "get",
        {"anonymous": LOGIN, "reporter_a": 200, "reporter_b": 200, "reviewer": 200, "editor": 403},
    ),
    "recommendations:progress_import": (
        None,
        "get",
        {"anonymous": LOGIN, "reporter_a": 200, "reporter_b": 200, "reviewer": 200, "editor": 403},
    ),
    "recommendations:import_template_csv": (None, "get", everyone(200)),
    "recommendations:import_template_xlsx": (None, "get", everyone(200)),
    "recommendations:update": (
        lambda o: [o["pending"].pk],
        "get",
        {"anonymous": 404, "reporter_a": 200, "reporter_b": 404, "reviewer": 200, "editor": 200},
    ),
    "recommendations:update_edit": (
        lambda o: [o["pending"].pk],
        "get",
        {"anonymous": LOGIN, "reporter_a": 200, "reporter_b": 404, "reviewer": 404, "editor": 404},
    ),
    "recommendations:update_withdraw": (
        lambda o: [o["pending"].pk],
        "get",
        {"anonymous": LOGIN, "reporter_a": 200, "reporter_b": 404, "reviewer": 200, "editor": 404},
    ),
    "recommendations:update_review": (
        lambda o: [o["pending"].pk],
        "get",  # POST only: a GET must not change anything
        {"anonymous": LOGIN, "reporter_a": 403, "reporter_b": 403, "reviewer": 405, "editor": 403},
    ),
    "recommendations:evidence": (
        lambda o: [o["pending"].pk],
        "get",
        {"anonymous": 404, "reporter_a": 200, "reporter_b": 404, "reviewer": 200, "editor": 200},
    ),
    "recommendations:review_queue": (
        None,
        "get",
        {"anonymous": LOGIN, "reporter_a": 403, "reporter_b": 403, "reviewer": 200, "editor": 403},
    ),
    "recommendations:import_review": (
        lambda o: [o["import"].pk],
        "get",
        {"anonymous": LOGIN, "reporter_a": 403, "reporter_b": 403, "reviewer": 200, "editor": 403},
    ),
    "recommendations:my_updates": (None, "get", {**everyone(200), "anonymous": LOGIN}),
    # Imports on the worker: "My imports" is anyone's own list; an import's page is its importer's (and staff's).
    "import_jobs:mine": (None, "get", {**everyone(200), "anonymous": LOGIN}),
    "import_jobs:job": (
        lambda o: [o["import"].pk],  # reviewer2's import
        "get",
        {"anonymous": LOGIN, "reporter_a": 403, "reporter_b": 403, "reviewer": 403, "editor": 200},
    ),
    "import_jobs:retry": (
        lambda o: [o["import"].pk],
        "get",  # POST only
        {"anonymous": LOGIN, "reporter_a": 405, "reporter_b": 405, "reviewer": 405, "editor": 405},
    ),
    # Staff only: the others are sent to the (admin) login page.
    "recommendations:audit": (None, "get", {**everyone(302), "editor": 200}),
    # The world map and comparisons (atlas): public reads.
    "atlas:map": (None, "get", everyone(200)),
    "atlas:map_svg": (None, "get", everyone(200)),
    "atlas:map_png": (None, "get", everyone(200)),
    "atlas:compare": (None, "get", everyone(200)),
    "atlas:compare_csv": (None, "get", everyone(200)),
    "atlas:compare_region": (lambda o: ["KEN"], "get", everyone(302)),  # to the comparison it picks
    # Alerts: one's own notifications, follows and settings need a login; feeds, exports and unsubscribe do not.
    "alerts:notifications": (None, "get", {**everyone(200), "anonymous": LOGIN}),
    "alerts:mark_read": (None, "get", {**everyone(405), "anonymous": LOGIN}),  # POST only
    "alerts:following": (None, "get", {**everyone(200), "anonymous": LOGIN}),
    "alerts:follow": (None, "get", {**everyone(405), "anonymous": LOGIN}),  # POST only
    "alerts:settings": (None, "get", {**everyone(200), "anonymous": LOGIN}),
    "alerts:digest_preview": (None, "get", {**everyone(200), "anonymous": LOGIN}),
    # The signed token is the credential; a GET only shows the button.
    "alerts:unsubscribe": (lambda o: [unsubscribe_token(o["pending"].created_by)], "get", everyone(200)),
    "alerts:export": (lambda o: [ExportJob.objects.create(format="xlsx").token], "get", everyone(200)),
    "alerts:export_download": (lambda o: [ExportJob.objects.create(format="xlsx").token], "get", everyone(404)),
    "alerts:item_feed": (lambda o: ["R02"], "get", everyone(200)),
    "alerts:actor_feed": (lambda o: ["KEN"], "get", everyone(200)),
    "alerts:theme_feed": (lambda o: ["remittances"], "get", everyone(200)),
    "alerts:report_feed": (None, "get", everyone(200)),
    # The API (api app): public reads; the API ignores the session (a token is its only credential), so a
    # pending update is 404 and a write 401 whoever is logged in on the site. Its token page needs a login.
    **{
        f"api:{name}-list": (None, "get", everyone(200))
        for name in ("item", "section", "paragraph", "theme", "addressee", "instrument", "sdg-target", "actor")
    },
    "api:update-list": (None, "get", everyone(200)),
    "api:item-detail": (lambda o: ["R02"], "get", everyone(200)),
    "api:item-history": (lambda o: ["R02"], "get", everyone(200)),
    "api:section-detail": (lambda o: ["IV.B.3"], "get", everyone(200)),
    "api:paragraph-detail": (lambda o: [35], "get", everyone(200)),
    "api:theme-detail": (lambda o: ["remittances"], "get", everyone(200)),
    "api:addressee-detail": (lambda o: [Addressee.objects.order_by("slug")[0].slug], "get", everyone(200)),
    "api:instrument-detail": (
        lambda o: [Instrument.objects.order_by("short_name")[0].short_name],
        "get",
        everyone(200),
    ),
    "api:sdg-target-detail": (lambda o: [SDGTarget.objects.order_by("code")[0].code], "get", everyone(200)),
    "api:actor-detail": (lambda o: ["KEN"], "get", everyone(200)),
    "api:update-detail": (lambda o: [o["pending"].pk], "get", everyone(404)),
    "api:update-withdraw": (lambda o: [o["pending"].pk], "get", everyone(401)),
    "api:update-verify": (lambda o: [o["pending"].pk], "get", everyone(401)),
    "api:update-return": (lambda o: [o["pending"].pk], "get", everyone(401)),
    "api:statuses": (None, "get", everyone(200)),
    "api:summary": (None, "get", everyone(200)),
    "api:schema": (None, "get", everyone(200)),
    "api:docs": (None, "get", everyone(200)),
    "api:tokens": (None, "get", {**everyone(200), "anonymous": LOGIN}),
    "api:revoke": (lambda o: [1], "get", {**everyone(405), "anonymous": LOGIN}),  # POST only
    # Open data: public.
    "opendata:data": (None, "get", everyone(200)),
    "opendata:download": (lambda o: ["2001-01-01", "README.md"], "get", everyone(404)),  # no such release
    # Bulk review: reviewers only; a job's page is its reviewer's alone (404 for anyone else).
    "bulk:review": (
        None,
        "get",  # POST only
        {"anonymous": LOGIN, "reporter_a": 403, "reporter_b": 403, "reviewer": 405, "editor": 403},
    ),
    "bulk:review_job": (
        lambda o: [bulk_job("reviewer").token],
        "get",
        {"anonymous": LOGIN, "reporter_a": 404, "reporter_b": 404, "reviewer": 200, "editor": 404},
    ),
    # Languages: the switcher's link remembers a language for anyone (a cookie) and redirects; Django's set_language
    # (a POST) only redirects on a GET.
    "languages:choose": (lambda o: ["fr"], "get", everyone(302)),
    "set_language": (None, "get", everyone(302)),
    "healthz": (None, "get", everyone(200)),
    "favicon": (None, "get", everyone(200)),
    "login": (None, "get", everyone(200)),
    "logout": (None, "get", everyone(405)),  # logging out is a POST
    "password_change": (None, "get", {**everyone(200), "anonymous": LOGIN}),
    "password_change_done": (None, "get", {**everyone(200), "anonymous": LOGIN}),
    "password_reset": (None, "get", everyone(200)),
    "password_reset_done": (None, "get", everyone(200)),
    "password_reset_confirm": (lambda o: ["MQ", "not-a-token"], "get", everyone(200)),
    "password_reset_complete": (None, "get", everyone(200)),
}


# Keep the big unfiltered exports out of this test: any filter exercises the same permissions.
QUERIES = {
    "recommendations:status_csv": {"item": "R02"},
    "recommendations:status_xlsx": {"item": "R02"},
    "recommendations:status_json": {"item": "R02"},
    "atlas:map": {"item": "R02"},
    "atlas:map_svg": {"item": "R02"},
    "atlas:map_png": {"item": "R02"},
    "atlas:compare": {"actors": "KEN,UGA"},
    "atlas:compare_csv": {"actors": "KEN,UGA"},
    "api:statuses": {"item": "R02"},
    "api:summary": {"item": "R02"},
}


def test_every_url_is_in_the_matrix():
    names = set(url_names())
    missing = names - set(MATRIX)
    assert not missing, f"add these URLs to the permission matrix: {sorted(missing)}"
    assert not set(MATRIX) - names, "the matrix names URLs that no longer exist"


@pytest.fixture
def objects(people, item):
    """A pending update by reporter A (with a file) and a verified one by reporter B."""
    pending = services.log_progress(
        actor=Actor.objects.get(iso3="MEX"),
        recommendation=Recommendation.objects.get(code="R02"),
        status=Status.SIGNED,
        as_of=datetime.date(2019, 1, 1),
        narrative=NARRATIVE,
        evidence_urls=EVIDENCE,
        evidence_file=SimpleUploadedFile("proof.pdf", PDF),
        organization=people.org_a,
        user=people.reporter_a,
    )
    verified = services.log_progress(
        actor=Actor.objects.get(iso3="KEN"),
        recommendation=Recommendation.objects.get(code="R02"),
        status=Status.SIGNED,
        as_of=datetime.date(2019, 1, 1),
        narrative=NARRATIVE,
        evidence_urls=EVIDENCE,
        evidence_file=SimpleUploadedFile("proof.pdf", PDF),
        organization=people.org_b,
        user=people.reporter_b,
    )
    services.verify_update(update=verified, reviewer=people.reviewer, expected_version=None)
    # An import as verified by the second reviewer, waiting for another reviewer.
    rows = b"actor_code,recommendation_code,status,as_of,evidence_urls,narrative\n"
    rows += f"GHA,R02,signed,2019-01-01,{EVIDENCE[0]},{NARRATIVE}\n".encode()
    batch = services.start_import(
        file=ContentFile(rows),
        filename="treaty.csv",
        organization=people.org_b,
        user=people.reviewer2,
        verified=True,
        source="Treaty records",
    )
    services.preview_import(batch_id=batch.pk)
    batch = services.confirm_import(batch_id=batch.pk, user=people.reviewer2)
    return {"pending": pending, "verified": verified, "import": batch}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_answers_each_role_as_expected(client, people, objects, name, role):
    build, method, expected = MATRIX[name]
    if role != "anonymous":
        client.force_login(getattr(people, role))
    url = reverse(name, args=build(objects) if build else [])
    response = getattr(client, method)(url, QUERIES.get(name, {}))
    assert response.status_code == expected[role], f"{name} as {role}"
    if (
        expected[role] == LOGIN
        and role == "anonymous"
        and name not in ("recommendations:audit", "atlas:compare_region", "languages:choose", "set_language")
    ):
        assert response["Location"].startswith(reverse("login"))


def test_verified_evidence_is_public_and_always_a_download(client, objects):
    response = client.get(reverse("recommendations:evidence", args=[objects["verified"].pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="evidence-{objects["verified"].pk}.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF


def test_an_unverified_updates_file_is_kept_by_no_cache(client, people, objects):
    # Its filer may download it; no cache on the way (a proxy, a shared browser) may keep it for the next person.
    client.force_login(people.reporter_a)
    response = client.get(reverse("recommendations:evidence", args=[objects["pending"].pk]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    # A verified update's file is public: nothing forbids keeping it.
    public = client.get(reverse("recommendations:evidence", args=[objects["verified"].pk]))
    assert "no-store" not in public.get("Cache-Control", "")


def test_writes_refuse_other_peoples_updates(client, people, objects):
    pending = objects["pending"]
    client.force_login(people.reporter_b)
    edit = reverse("recommendations:update_edit", args=[pending.pk])
    assert client.post(edit, {"narrative": "hijack"}).status_code == 404
    withdraw = reverse("recommendations:update_withdraw", args=[pending.pk])
    assert client.post(withdraw, {"version": pending.version}).status_code == 404
    pending.refresh_from_db()
    assert pending.state == "pending" and pending.version == 1


def test_reviewer_cannot_verify_own_update_unless_single_reviewer_mode(client, people, settings):
    own = filed(user=people.reviewer, organization=people.org_a, iso3="KEN", code="R56", status=Status.LIMITED)
    client.force_login(people.reviewer)
    review = reverse("recommendations:update_review", args=[own.pk])
    response = client.post(review, {"decision": "verify", "version": own.version}, follow=True)
    assert "A second reviewer must verify your own updates." in response.content.decode()
    own.refresh_from_db()
    assert own.state == "pending"
    client.force_login(people.reviewer2)
    client.post(review, {"decision": "verify", "version": own.version})
    own.refresh_from_db()
    assert own.state == "verified"

    settings.SINGLE_REVIEWER_MODE = True
    second = filed(user=people.reviewer, organization=people.org_a, iso3="KEN", code="R57", status=Status.LIMITED)
    client.force_login(people.reviewer)
    client.post(reverse("recommendations:update_review", args=[second.pk]), {"decision": "verify", "version": 1})
    second.refresh_from_db()
    assert second.state == "verified"


def test_reporter_cannot_file_for_an_organization_they_do_not_belong_to(client, people):
    client.force_login(people.reporter_a)
    url = reverse("recommendations:progress_new") + "?item=R56&actor=KEN"
    form = client.get(url).context["form"]
    response = client.post(
        url,
        {
            "organization": people.org_b.pk,
            "status": Status.LIMITED,
            "as_of": "2020-01-01",
            "as_of_precision": "day",
            "narrative": NARRATIVE,
            "evidence_urls": EVIDENCE[0],
            "submission_token": form.initial["submission_token"],
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["form"].errors["organization"])


ADMIN_MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_staff_with_permissions(client, people, model, role):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    if role != "anonymous":
        client.force_login(getattr(people, role))
    response = client.get(url)
    if role != "editor":
        assert response.status_code == 302  # not staff: sent to the admin login
        return
    allowed = people.editor.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    assert response.status_code == (200 if allowed else 403)
