"""The log-progress form: each validation rule with its message, and the guards against double and stale writes."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations import services
from recommendations.models import Actor, CurrentStatus, ProgressUpdate, Recommendation, ReviewState, Status

from .factories import EVIDENCE, NARRATIVE, filed, log_form_data, record

pytestmark = pytest.mark.django_db
NEW = reverse("recommendations:progress_new")
PDF = b"%PDF-1.4\n%%EOF\n"


form_data = log_form_data


def post(client, item, actor, **overrides):
    data = form_data(client, item, actor, **overrides)
    return client.post(f"{NEW}?item={item}&actor={actor}", data), data


@pytest.mark.parametrize(
    "item, actor, overrides, field, message",
    [
        ("R02", "MEX", {"as_of": "2999-01-01"}, "as_of", "cannot be in the future"),
        ("R02", "MEX", {"as_of": "1999-05-01"}, "as_of", "before the source document"),
        ("R02", "MEX", {"status": Status.COMPLETE}, "status", "Select a valid choice"),
        ("R56", "MEX", {"narrative": "Too short."}, "narrative", "at least 20 characters"),
        ("R56", "MEX", {"narrative": "x" * 5001}, "narrative", "at most 5,000 characters (you wrote 5,001)"),
        ("R56", "MEX", {"evidence_urls": "www.example.org/no-scheme"}, "evidence_urls", "is not a web address"),
        ("R56", "MEX", {"evidence_urls": "javascript:alert(1)"}, "evidence_urls", "is not a web address"),
        ("R56", "MEX", {"evidence_urls": ""}, "evidence_urls", "at least one evidence link"),
        ("R17", "PHL", {"value": ""}, "value", "This field is required"),
        ("R17", "PHL", {"value": "250"}, "value", "between 0 and 100"),
        ("R17", "PHL", {"value": "-3"}, "value", "cannot be negative"),
    ],
)
def test_each_rule_has_a_field_message_and_the_form_keeps_what_was_typed(
    reporter, item, actor, overrides, field, message
):
    response, data = post(reporter, item, actor, **overrides)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field]), form.errors
    # What the person typed is still in the form.
    html = response.content.decode()
    assert data["narrative"][:40] in html
    assert not ProgressUpdate.objects.exists()


def test_historical_flag_allows_an_early_date(reporter):
    response, _ = post(reporter, "R02", "MEX", as_of="1999-05-01", historical="on")
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().historical


def test_ratification_item_needs_a_country(reporter, people):
    response = reporter.get(NEW, {"item": "R02", "actor": "watch-b"})
    assert "only a country can do that" in response.content.decode()
    # The service refuses it too, whatever the entry point.
    with pytest.raises(services.ValidationError) as caught:
        services.log_progress(
            actor=people.org_b,
            recommendation=Recommendation.objects.get(code="R02"),
            status=Status.SIGNED,
            as_of=datetime.date(2020, 1, 1),
            narrative=NARRATIVE,
            evidence_urls=EVIDENCE,
            organization=people.org_a,
            user=people.reporter_a,
        )
    assert "Only a country" in caught.value.message_dict["actor"][0]


def test_status_list_is_the_items_own_scale(reporter):
    ratification = reporter.get(NEW, {"item": "R02", "actor": "MEX"}).context["form"]
    policy = reporter.get(NEW, {"item": "R56", "actor": "MEX"}).context["form"]
    quantitative = reporter.get(NEW, {"item": "R17", "actor": "PHL"}).context["form"]
    assert [c for c, _ in ratification.fields["status"].choices if c] == list(
        Recommendation.objects.get(code="R02").scale
    )
    assert Status.COMPLETE in dict(policy.fields["status"].choices)
    assert Status.RATIFIED not in dict(policy.fields["status"].choices)
    assert "status" not in quantitative.fields and "value" in quantitative.fields


def test_quantitative_status_comes_from_the_value(reporter):
    response, _ = post(reporter, "R17", "PHL", value="6.5")
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().status == Status.OFF_TRACK


def test_unknown_item_or_actor_gets_suggestions(reporter):
    response = reporter.get(NEW, {"item": "R999", "actor": "Keny"})
    html = response.content.decode()
    assert "No item matches “R999”" in html
    assert "Kenya (KEN)" in html  # a unique fragment resolves; here: "Keny" matches Kenya only
    response = reporter.get(NEW, {"item": "R02", "actor": "Guin"})
    assert "Did you mean" in response.content.decode()
    assert "Equatorial Guinea (GNQ)" in response.content.decode()


def test_chooser_accepts_the_labels_its_datalist_offers(reporter):
    response = reporter.get(
        NEW, {"item": "R17 Lower the cost of transferring remittances", "actor": "Philippines (PHL)"}
    )
    assert response.context["form"].recommendation.code == "R17"
    assert response.context["form"].actor.code == "PHL"


def test_actor_search_suggests_countries_and_organizations(client, people):
    results = client.get(reverse("recommendations:actor_search"), {"q": "forum"}).json()["results"]
    assert [r["code"] for r in results] == ["forum-a"]
    assert client.get(reverse("recommendations:actor_search"), {"q": "k"}).json()["results"] == []


def test_double_submit_creates_one_update(reporter):
    data = form_data(reporter, "R56", "MEX")
    first = reporter.post(f"{NEW}?item=R56&actor=MEX", data)
    second = reporter.post(f"{NEW}?item=R56&actor=MEX", data, follow=True)
    assert first.status_code == 302
    assert ProgressUpdate.objects.count() == 1
    assert "already submitted" in second.content.decode()


def test_double_submit_guard_holds_in_the_service_too(people):
    import uuid

    token = uuid.uuid4()
    arguments = {
        "actor": Actor.objects.get(iso3="MEX"),
        "recommendation": Recommendation.objects.get(code="R56"),
        "status": Status.LIMITED,
        "as_of": datetime.date(2020, 1, 1),
        "narrative": NARRATIVE,
        "evidence_urls": EVIDENCE,
        "organization": people.org_a,
        "user": people.reporter_a,
        "submission_token": token,
    }
    assert services.log_progress(**arguments) == services.log_progress(**arguments)
    assert ProgressUpdate.objects.count() == 1


def test_a_submission_token_is_bound_to_the_person_who_submits_it(client, people):
    """Issue 11, item 11: another person's token neither shows their update nor drops this person's."""
    client.force_login(people.reporter_a)
    data = form_data(client, "R56", "MEX")
    client.post(f"{NEW}?item=R56&actor=MEX", data)
    theirs = ProgressUpdate.objects.get()
    client.force_login(people.reporter_b)
    mine = {**data, "organization": people.org_b.pk, "narrative": "Reporter B's own account of the same reform."}
    response = client.post(f"{NEW}?item=R56&actor=MEX", mine)
    assert response.status_code == 302
    own = ProgressUpdate.objects.exclude(pk=theirs.pk).get()  # this person's update was created, not dropped
    assert response["Location"] == own.get_absolute_url() != theirs.get_absolute_url()
    assert (own.created_by, own.reported_by_organization, own.narrative) == (
        people.reporter_b,
        people.org_b,
        mine["narrative"],
    )
    # Their own resubmission of that token is still one update.
    again = client.post(f"{NEW}?item=R56&actor=MEX", mine, follow=True)
    assert "already submitted" in again.content.decode()
    assert ProgressUpdate.objects.count() == 2
    theirs.refresh_from_db()
    assert theirs.created_by == people.reporter_a and theirs.narrative == NARRATIVE


def test_a_long_return_reason_is_kept_whole_and_never_fails(people):
    """The history's change-reason column holds 100 characters; the reason itself is kept whole elsewhere."""
    update = filed(user=people.reporter_a, organization=people.org_a)
    reason = "The gazette cited is about another law; " * 8
    services.return_update(update=update, reviewer=people.reviewer, expected_version=None, reason=reason)
    update.refresh_from_db()
    assert update.review_note == reason.strip() and update.state == ReviewState.RETURNED
    assert len(update.history.latest().history_change_reason) <= 100


def test_concurrent_edit_is_refused_with_a_clear_message(client, people):
    update = filed(user=people.reporter_a, organization=people.org_a, iso3="MEX", code="R56", status=Status.LIMITED)
    client.force_login(people.reporter_a)
    url = reverse("recommendations:update_edit", args=[update.pk])
    opened = client.get(url).context["form"].initial  # version 1, in a first tab
    edit = {
        "status": Status.SUBSTANTIAL,
        "as_of": "2020-01-01",
        "as_of_precision": "day",
        "narrative": "Second tab: the programme now covers every province.",
        "evidence_urls": EVIDENCE[0],
        "submission_token": str(opened["submission_token"]),
        "version": opened["version"],
    }
    assert client.post(url, edit).status_code == 302  # second tab saves first
    stale = {**edit, "narrative": "First tab: typed earlier, saved later, must not overwrite."}
    response = client.post(url, stale)
    assert response.status_code == 200
    assert "Someone else changed this update after you opened it" in response.content.decode()
    assert "First tab: typed earlier" in response.content.decode()  # kept for the person to copy
    update.refresh_from_db()
    assert update.narrative.startswith("Second tab") and update.version == 2


def test_review_of_a_changed_update_is_refused(people):
    update = filed(user=people.reporter_a, organization=people.org_a, iso3="MEX", code="R56", status=Status.LIMITED)
    services.edit_update(
        update=update,
        user=people.reporter_a,
        expected_version=1,
        status=Status.COMPLETE,
        as_of=datetime.date(2020, 1, 1),
        narrative=NARRATIVE,
        evidence_urls=EVIDENCE,
    )
    with pytest.raises(services.StaleEditError):
        services.verify_update(update=update, reviewer=people.reviewer, expected_version=1)
    update.refresh_from_db()
    assert update.state == ReviewState.PENDING


def test_withdrawing_a_verified_update_recomputes_the_current_status(item, country, people):
    ken, icrmw = country("KEN"), item("ratification")
    older = record(actor=ken, recommendation=icrmw, as_of=datetime.date(2010, 1, 1), status=Status.SIGNED)
    newer = record(actor=ken, recommendation=icrmw, as_of=datetime.date(2015, 1, 1), status=Status.RATIFIED)
    assert CurrentStatus.objects.get(actor=ken, recommendation=icrmw).update == newer
    with pytest.raises(services.ValidationError):
        services.withdraw_update(update=newer, user=people.reviewer, expected_version=None, reason="")
    services.withdraw_update(update=newer, user=people.reviewer, expected_version=None, reason="Mistaken record")
    assert CurrentStatus.objects.get(actor=ken, recommendation=icrmw).update == older
    services.withdraw_update(update=older, user=people.reviewer, expected_version=None, reason="Also mistaken")
    assert not CurrentStatus.objects.filter(actor=ken, recommendation=icrmw).exists()
    assert ProgressUpdate.objects.filter(actor=ken, state=ReviewState.WITHDRAWN).count() == 2  # nothing deleted


def test_reporter_cannot_withdraw_a_verified_update(people, item, country):
    update = services.log_progress(
        actor=country("KEN"),
        recommendation=item("policy"),
        status=Status.LIMITED,
        as_of=datetime.date(2020, 1, 1),
        narrative=NARRATIVE,
        evidence_urls=EVIDENCE,
        organization=people.org_a,
        user=people.reporter_a,
    )
    services.verify_update(update=update, reviewer=people.reviewer, expected_version=None)
    with pytest.raises(services.PermissionDenied):
        services.withdraw_update(update=update, user=people.reporter_a, expected_version=None)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>", "not a PDF, an image"),
        ("photo.png", b"MZ\x90\x00 executable", "not a PDF, an image"),
    ],
)
def test_evidence_file_type_is_checked_by_content(reporter, name, content, message):
    data = form_data(reporter, "R56", "MEX")
    data["evidence_file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = reporter.post(f"{NEW}?item=R56&actor=MEX", data)
    assert message in " ".join(response.context["form"].errors["evidence_file"])
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize("limit", [1, 12])
def test_evidence_max_mb_is_the_upload_limit_the_forms_enforce_and_state(reporter, settings, limit):
    """EVIDENCE_MAX_MB, below and above the 10 MB default: the evidence form says it and applies it.

    (A spreadsheet import has its own fixed, documented size limit: imports.MAX_UPLOAD_BYTES.)
    """
    settings.EVIDENCE_MAX_MB = limit
    size = limit * 1024 * 1024
    page = reporter.get(f"{NEW}?item=R56&actor=MEX").content.decode()
    assert f"up to {limit} MB" in page

    # One byte over the limit is refused, naming the limit; exactly the limit is accepted.
    data = form_data(reporter, "R56", "MEX")
    data["evidence_file"] = SimpleUploadedFile("big.pdf", PDF + b"0" * (size + 1 - len(PDF)))
    response = reporter.post(f"{NEW}?item=R56&actor=MEX", data)
    assert f"the limit is {limit} MB" in " ".join(response.context["form"].errors["evidence_file"])
    data = form_data(reporter, "R56", "MEX")
    data["evidence_file"] = SimpleUploadedFile("fits.pdf", PDF + b"0" * (size - len(PDF)))
    assert reporter.post(f"{NEW}?item=R56&actor=MEX", data).status_code == 302


def test_evidence_file_is_stored_under_a_generated_name(reporter):
    data = form_data(reporter, "R56", "MEX")
    data["evidence_file"] = SimpleUploadedFile("../../etc/Minister's letter.pdf", PDF)
    assert reporter.post(f"{NEW}?item=R56&actor=MEX", data).status_code == 302
    stored = ProgressUpdate.objects.get().evidence_file.name
    assert "Minister" not in stored and ".." not in stored
    assert stored.startswith("evidence/") and stored.endswith(".pdf")


def test_reporter_without_organization_is_told_why(client, people):
    people.reporter_a.memberships.all().delete()
    client.force_login(people.reporter_a)
    response = client.get(NEW)
    assert response.status_code == 403
    assert "not in an organization" in response.content.decode()


def test_invite_user_command_emails_a_set_password_link(client, people):
    from io import StringIO

    from django.contrib.auth.models import User
    from django.core.management import call_command

    out = StringIO()
    call_command("invite_user", "Ana@Example.org", "--organization", "forum-a", "--role", "reporter", stdout=out)
    user = User.objects.get(email="ana@example.org")
    assert not user.has_usable_password()
    assert user.has_perm("recommendations.log_progress")
    assert user.memberships.get().organization == people.org_a
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200 and response.context["validlink"]
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "a-long-new-secret-7", "new_password2": "a-long-new-secret-7"}
    )
    user.refresh_from_db()
    assert user.check_password("a-long-new-secret-7")


def test_invite_refuses_bad_input_clearly(people):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No organization with code 'nope'"):
        call_command("invite_user", "x@example.org", "--organization", "nope", "--role", "reporter")
    with pytest.raises(CommandError, match="file on behalf of an organization"):
        call_command("invite_user", "x@example.org", "--role", "reporter")


def test_admin_invite_page(client, people, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_invite")
    response = client.post(url, {"email": "kofi@example.org", "organizations": "watch-b", "roles": ["reviewer"]})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["kofi@example.org"]
    from django.contrib.auth.models import User

    assert User.objects.get(email="kofi@example.org").has_perm("recommendations.review_progress")


def test_there_is_no_open_sign_up(client):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("signup")
    assert client.get("/accounts/signup/").status_code == 404


def test_every_problem_is_reported_at_once(reporter):
    response, _ = post(reporter, "R56", "MEX", as_of="2999-01-01", narrative="short", evidence_urls="nope")
    errors = response.context["form"].errors
    assert set(errors) >= {"as_of", "narrative", "evidence_urls"}


# One box of the form and one cell of an import, written the ways people write several links.
LINKS = [
    ("https://a.example.org/gazette\nhttps://b.example.org/report", ["a", "b"]),
    ("https://a.example.org/gazette; https://b.example.org/report", ["a", "b"]),
    ("https://a.example.org/gazette, https://b.example.org/report", ["a", "b"]),
    ("https://a.example.org/gazette,https://b.example.org/report", ["a", "b"]),
    ("https://a.example.org/gazette https://b.example.org/report", ["a", "b"]),
    ("https://a.example.org/gazette?ids=1,2", ["a"]),  # a comma inside a link is part of it
]


@pytest.mark.parametrize("text, hosts", LINKS)
def test_the_form_and_the_import_read_several_links_alike(reporter, people, text, hosts):
    from .test_imports import csv_file, make_plan

    response, _data = post(reporter, "R56", "MEX", evidence_urls=text)
    assert response.status_code == 302, response.context and response.context["form"].errors
    from_form = ProgressUpdate.objects.get(actor__iso3="MEX").evidence_urls
    assert [url.split("//")[1].split(".")[0] for url in from_form] == hosts
    assert not any(url.endswith((",", ";")) for url in from_form)
    row = ["GHA", "R56", "limited", "2020-01-01", "", text, "", NARRATIVE]
    plan = make_plan(csv_file([row]), user=people.reporter_a, organization=people.org_a)
    assert not plan.rejected, plan.rejected
    assert [update.evidence_urls for update in plan.create] == [from_form]
