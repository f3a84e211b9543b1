"""API tokens (hashed, shown once, scoped, expiring, revocable) and writes through the services."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from api import services as token_services
from api.models import ApiToken, hash_token
from recommendations import services
from recommendations.models import Actor, AuditAction, AuditEvent, ProgressUpdate, Recommendation, ReviewState

from .factories import EVIDENCE, NARRATIVE, filed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATES = {"anon": "100000/min", "user": "100000/min"}


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def token_for(user, scope="write", days=30):
    return token_services.create_token(user=user, name=f"{user.username} {scope}", scope=scope, days=days)[1]


def post(client, url, body, raw=None, **headers):
    return client.post(
        url, json.dumps(body), content_type="application/json", **(bearer(raw) if raw else {}), **headers
    )


NEW = {
    "actor": "MEX",
    "item": "R56",
    "organization": "forum-a",
    "status": "limited",
    "as_of": "2020-01-01",
    "narrative": NARRATIVE,
    "evidence_urls": EVIDENCE,
}


# --- tokens -------------------------------------------------------------------------------


def test_token_page_shows_the_secret_once_and_stores_only_its_hash(client, people):
    client.force_login(people.reporter_a)
    response = client.post(reverse("api:tokens"), {"name": "our system", "scope": "write", "days": "30"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    raw = response.context["secret"]
    assert raw.startswith("mdt_") and raw in response.content.decode()
    token = ApiToken.objects.get(user=people.reporter_a)
    assert token.key_hash == hash_token(raw) and raw not in (token.key_hash, token.prefix)
    assert raw.startswith(token.prefix)
    again = client.get(reverse("api:tokens"))
    assert raw not in again.content.decode() and token.prefix in again.content.decode()


def test_token_page_refuses_a_bad_request_with_messages(client, people):
    client.force_login(people.reporter_a)
    response = client.post(reverse("api:tokens"), {"name": " ", "scope": "write", "days": "900"})
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_read_only_account_cannot_create_a_write_token(people):
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError

    visitor = User.objects.create_user("visitor", password="pw-visitor-123")
    with pytest.raises(ValidationError) as refused:
        token_services.create_token(user=visitor, name="x", scope="write", days=10)
    assert "Only reporters and reviewers can write" in str(refused.value)


def test_token_authenticates_until_revoked_or_expired(client, people):
    raw = token_for(people.reporter_a, scope="read")
    url = reverse("api:update-list")
    assert client.get(url, **bearer(raw)).status_code == 200
    assert ApiToken.objects.get().last_used_at is not None
    bad = client.get(url, **bearer("mdt_not-a-token"))
    assert bad.status_code == 401 and bad.json()["detail"] == "Unknown API token."
    token = ApiToken.objects.get()
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = client.get(url, **bearer(raw))
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + datetime.timedelta(days=1))
    client.force_login(people.reporter_a)
    client.post(reverse("api:revoke", args=[token.pk]))
    client.logout()
    revoked = client.get(url, **bearer(raw))
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]


def test_nobody_revokes_another_persons_token(client, people):
    token_for(people.reporter_a)
    token = ApiToken.objects.get()
    client.force_login(people.reporter_b)
    client.post(reverse("api:revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_creating_and_revoking_a_token_is_audited_and_shown_on_the_audit_page(client, people, admin_user):
    client.force_login(people.reporter_a)
    raw = client.post(reverse("api:tokens"), {"name": "our system", "scope": "write", "days": "30"}).context["secret"]
    token = ApiToken.objects.get()
    created = AuditEvent.objects.get()
    assert (created.action, created.user, created.object_type, created.object_id) == (
        AuditAction.TOKEN_CREATED,
        people.reporter_a,
        "API token",
        str(token.pk),
    )
    assert "our system" in created.object_repr and "Scope write" in created.detail
    assert raw not in created.object_repr + created.detail  # the secret is never written down
    client.force_login(people.reporter_b)
    client.post(reverse("api:revoke", args=[token.pk]))  # not theirs: refused, nothing recorded
    client.force_login(people.reporter_a)
    client.post(reverse("api:revoke", args=[token.pk]))
    client.post(reverse("api:revoke", args=[token.pk]))  # already revoked: no second line
    assert list(AuditEvent.objects.order_by("pk").values_list("username", "action")) == [
        ("reporter_a", AuditAction.TOKEN_CREATED),
        ("reporter_a", AuditAction.TOKEN_REVOKED),
    ]
    client.force_login(admin_user)
    page = client.get(reverse("recommendations:audit"), {"action": AuditAction.TOKEN_REVOKED})
    assert [e.object_id for e in page.context["page"].object_list] == [str(token.pk)]
    assert "Revoked an API token" in page.content.decode() and "our system" in page.content.decode()


def test_a_refused_token_leaves_no_audit_line(people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        token_services.create_token(user=people.reporter_a, name=" ", scope="write", days=30)
    assert not AuditEvent.objects.exists()


def test_writes_need_a_write_token(client, people):
    url = reverse("api:update-list")
    anonymous = post(client, url, NEW)
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Bearer")
    read_only = post(client, url, NEW, token_for(people.reporter_a, scope="read"))
    assert read_only.status_code == 403 and "can only read" in read_only.json()["detail"]
    assert not ProgressUpdate.objects.filter(created_by=people.reporter_a).exists()


# --- writes through the services ------------------------------------------------------


def test_log_an_update_with_an_idempotency_key(client, people):
    raw, url = token_for(people.reporter_a), reverse("api:update-list")
    first = post(client, url, NEW, raw, HTTP_IDEMPOTENCY_KEY="sync-2020-MEX-R56")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["actor"], body["item"], body["state"], body["organization"]) == ("MEX", "R56", "pending", "forum-a")
    again = post(client, url, NEW, raw, HTTP_IDEMPOTENCY_KEY="sync-2020-MEX-R56")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true" and again.json()["id"] == body["id"]
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 1
    # The key is the person's own: someone else's identical key is a new submission.
    other = post(
        client,
        url,
        {**NEW, "organization": "forum-a"},
        token_for(people.reviewer),
        HTTP_IDEMPOTENCY_KEY="sync-2020-MEX-R56",
    )
    assert other.status_code == 201 and other.json()["id"] != body["id"]
    # Without a key, a retry is a second update (as a resubmitted form without its token would be).
    assert post(client, url, NEW, raw).status_code == 201
    assert ProgressUpdate.objects.filter(created_by=people.reporter_a).count() == 2


def test_the_service_rules_and_messages_apply(client, people):
    raw, url = token_for(people.reporter_a), reverse("api:update-list")
    bad = post(client, url, {**NEW, "status": "ratified", "evidence_urls": ["ftp://x"], "narrative": "short"}, raw)
    assert bad.status_code == 400
    errors = bad.json()
    try:
        services.validate_progress(
            actor=Actor.objects.get(code="MEX"),
            recommendation=Recommendation.objects.get(code="R56"),
            as_of=datetime.date(2020, 1, 1),
            status="ratified",
            narrative="short",
            evidence_urls=["ftp://x"],
        )
    except services.ValidationError as error:
        expected = error.message_dict
    assert errors == expected  # the very messages of the form
    assert not ProgressUpdate.objects.filter(created_by=people.reporter_a).exists()


def test_unknown_codes_are_named(client, people):
    response = post(
        client, reverse("api:update-list"), {**NEW, "actor": "ZZZ", "item": "R999"}, token_for(people.reporter_a)
    )
    assert response.status_code == 400
    assert response.json()["actor"] == ["Unknown country or organization code “ZZZ”."]
    assert response.json()["item"] == ["Unknown call to action code “R999”."]


def test_a_reporter_cannot_file_for_another_organization(client, people):
    response = post(
        client, reverse("api:update-list"), {**NEW, "organization": "watch-b"}, token_for(people.reporter_a)
    )
    assert response.status_code == 400
    assert response.json()["organization"] == ["You can only file on behalf of an organization you belong to."]
    assert not ProgressUpdate.objects.exists()


def test_an_editor_without_the_reporter_role_cannot_file(client, people):
    people.editor.groups.add(*people.reporter_a.groups.all())  # editor may hold a write token …
    raw = token_for(people.editor)
    people.editor.groups.clear()  # … but no longer the reporter role
    response = post(client, reverse("api:update-list"), NEW, raw)
    assert response.status_code == 403 and response.json()["detail"] == "You do not have the reporter role."


def test_pending_updates_of_another_organization_stay_hidden(client, people):
    pending = filed(user=people.reporter_a, organization=people.org_a)
    detail, listing = reverse("api:update-detail", args=[pending.pk]), reverse("api:update-list")
    for headers in ({}, bearer(token_for(people.reporter_b, scope="read"))):
        assert client.get(detail, **headers).status_code == 404
        assert pending.pk not in [
            u["id"] for u in client.get(listing, {"state": "pending"}, **headers).json()["results"]
        ]
    own = client.get(detail, **bearer(token_for(people.reporter_a, scope="read")))
    assert own.status_code == 200 and own.json()["state"] == "pending"
    # Nor can another reporter act on it: it is not there for them.
    raw_b = token_for(people.reporter_b)
    assert post(client, reverse("api:update-withdraw", args=[pending.pk]), {}, raw_b).status_code == 404
    edit = client.put(detail, json.dumps({**NEW, "version": 1}), content_type="application/json", **bearer(raw_b))
    assert edit.status_code == 404
    pending.refresh_from_db()
    assert pending.state == ReviewState.PENDING and pending.version == 1


def test_edit_withdraw_verify_return(client, people):
    raw_a, raw_rev = token_for(people.reporter_a), token_for(people.reviewer2)
    update = filed(user=people.reporter_a, organization=people.org_a)
    detail = reverse("api:update-detail", args=[update.pk])
    body = {k: v for k, v in NEW.items() if k not in ("actor", "item", "organization")}
    edited = client.put(
        detail,
        json.dumps({**body, "status": "substantial", "version": 1}),
        content_type="application/json",
        **bearer(raw_a),
    )
    assert edited.status_code == 200 and edited.json()["status"] == "substantial" and edited.json()["version"] == 2
    stale = post(client, reverse("api:update-verify", args=[update.pk]), {"version": 1}, raw_rev)
    assert stale.status_code == 409 and "Someone else changed this update" in stale.json()["detail"]
    returned = post(client, reverse("api:update-return", args=[update.pk]), {"version": 2, "reason": ""}, raw_rev)
    assert returned.status_code == 400 and returned.json()["reason"] == [
        "Say why the update is returned, so the reporter can fix it."
    ]
    # The reporter cannot verify their own update (not a reviewer).
    assert post(client, reverse("api:update-verify", args=[update.pk]), {"version": 2}, raw_a).status_code == 403
    verified = post(client, reverse("api:update-verify", args=[update.pk]), {"version": 2, "note": "ok"}, raw_rev)
    assert verified.status_code == 200 and verified.json()["state"] == "verified"
    assert update.current_for  # the current status follows, through the service
    # A reporter cannot withdraw a verified update; the message is the service's.
    refused = post(client, reverse("api:update-withdraw", args=[update.pk]), {"version": 3}, raw_a)
    assert refused.status_code == 403 and refused.json()["detail"] == "Only a reviewer can withdraw a verified update."


def test_a_reviewer_cannot_verify_their_own_update(client, people):
    update = filed(user=people.reviewer, organization=people.org_a)
    response = post(client, reverse("api:update-verify", args=[update.pk]), {"version": 1}, token_for(people.reviewer))
    assert response.status_code == 403
    assert response.json()["detail"] == "A second reviewer must verify your own updates."
