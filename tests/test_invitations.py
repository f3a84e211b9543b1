"""Issue 14.2: accepting an invitation — links at SITE_URL, logged in after choosing a password, log in with
the email in any case, password errors under the field they concern."""

import re
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def _invite(settings, site="http://tracker.example:8123"):
    settings.SITE_URL = site
    out = StringIO()
    call_command("invite_user", "Ana@Example.org", "--organization", "forum-a", "--role", "reporter", stdout=out)
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    return link, out.getvalue()


def test_make_run_serves_invitation_links_at_its_own_address():
    printed = subprocess.run(
        ["make", "-n", "run", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    assert "Invitation links point at SITE_URL=http://127.0.0.1:8123" in printed


def test_the_command_links_to_site_url_and_says_so(people, settings):
    link, output = _invite(settings)
    assert link.startswith("http://tracker.example:8123/accounts/reset/")
    assert "SITE_URL (http://tracker.example:8123)" in output


def test_after_password_saved_the_person_is_logged_in(client, people, settings):
    link, _ = _invite(settings)
    response = client.get("/" + link.split("://", 1)[1].split("/", 1)[1], follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a-long-new-secret-7", "new_password2": "a-long-new-secret-7"}, follow=True
    )
    text = response.content.decode()
    assert "Password saved" in text and "You are logged in as ana@example.org" in text
    assert response.wsgi_request.user.email == "ana@example.org"
    assert client.get("/my/updates/").status_code == 200


def test_login_asks_for_the_email_and_accepts_it_in_any_case(client, settings):
    settings.AXES_ENABLED = True  # the real backends, lockout check included
    User.objects.create_user("ana@example.org", email="ana@example.org", password="a-long-new-secret-7")
    page = client.get("/accounts/login/").content.decode()
    assert re.search(r'<label\s+for="id_username"[^>]*>\s*Email\b', page)
    response = client.post("/accounts/login/", {"username": "Ana@Example.ORG", "password": "a-long-new-secret-7"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_a_weak_password_is_explained_under_the_password_not_the_confirmation(client, people):
    client.force_login(people.reporter_a)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "pw-reporter_a", "new_password1": "12345678", "new_password2": "12345678"},
    )
    form = response.context["form"]
    assert "new_password1" in form.errors and "new_password2" not in form.errors
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "pw-reporter_a",
            "new_password1": "a-long-new-secret-7",
            "new_password2": "a-long-new-secret-8",
        },
    )
    form = response.context["form"]
    assert "new_password2" in form.errors and "new_password1" not in form.errors


def test_the_invitation_goes_out_in_the_invitees_language_chosen_by_the_inviter(client, people, admin_user):
    """A French-speaking editor invites an Arabic speaker: the form starts at "their own, if known; else this
    page's", the email (its subject, its sentences, the role's name) is in Arabic and its link opens the Arabic
    set-password page."""
    from django.utils import translation

    from recommendations.forms import InviteForm

    client.force_login(admin_user)
    with translation.override("fr"):
        url = reverse("admin:auth_user_invite")
    page = client.get(url)
    assert page.context["form"]["language"].value() in ("", None)
    response = client.post(
        url, {"email": "salma@example.org", "organizations": "watch-b", "roles": ["reviewer"], "language": "ar"}
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    with translation.override("ar"):
        subject = translation.gettext("You are invited to the migration and development tracker")
        role = translation.pgettext("a person's role", "Reviewer")
    assert subject != "You are invited to the migration and development tracker"
    assert message.subject == subject and role in message.body and "Reviewer" not in message.body
    assert "/ar/accounts/reset/" in message.body
    assert "language" in InviteForm.base_fields


def test_the_command_invites_in_the_language_it_is_given(people, settings):
    from django.utils import translation

    settings.SITE_URL = "http://tracker.example"
    call_command(
        "invite_user",
        "li@example.org",
        "--organization",
        "forum-a",
        "--role",
        "reporter",
        "--language",
        "zh-hans",
        stdout=StringIO(),
    )
    (message,) = mail.outbox
    with translation.override("zh-hans"):
        assert message.subject == translation.gettext("You are invited to the migration and development tracker")
    assert "http://tracker.example/zh-hans/accounts/reset/" in message.body


def test_a_re_sent_invitation_goes_out_in_the_invitees_language_not_the_re_senders(client, people, admin_user):
    """Invited in Arabic from the form; an English-speaking admin re-sends the link from the user list: Arabic
    again (the language chosen for the invitee is remembered as the language of their emails)."""
    from django.utils import translation

    client.force_login(admin_user)
    client.post(
        reverse("admin:auth_user_invite"),
        {"email": "salma@example.org", "organizations": "watch-b", "roles": ["reviewer"], "language": "ar"},
    )
    invitee = User.objects.get(email="salma@example.org")
    mail.outbox.clear()
    response = client.post(
        reverse("admin:auth_user_changelist"), {"action": "resend_invitation", "_selected_action": [invitee.pk]}
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    with translation.override("ar"):
        subject = translation.gettext("You are invited to the migration and development tracker")
    assert message.subject == subject and "/ar/accounts/reset/" in message.body


def test_re_inviting_without_choosing_a_language_keeps_the_invitees(client, people, admin_user):
    """Invited in Arabic; a French-speaking admin later invites the same address to a second role and leaves the
    language at its default: the email is in Arabic and Arabic stays the person's language. A new person invited
    the same way gets the inviter's page language, remembered for the next re-send."""
    from django.utils import translation

    from alerts.models import Preference

    client.force_login(admin_user)
    client.post(
        reverse("admin:auth_user_invite"),
        {"email": "salma@example.org", "organizations": "watch-b", "roles": ["reviewer"], "language": "ar"},
    )
    mail.outbox.clear()
    with translation.override("fr"):
        url = reverse("admin:auth_user_invite")
    # What a browser sends: the language the form starts at.
    default = client.get(url).context["form"]["language"].value() or ""
    for email in ("salma@example.org", "jean@example.org"):
        fields = {"email": email, "organizations": "watch-b", "roles": ["reporter"], "language": default}
        response = client.post(url, fields)
        assert response.status_code == 302
    salma, jean = mail.outbox
    subject = "You are invited to the migration and development tracker"
    with translation.override("ar"):
        assert salma.subject == translation.gettext(subject) and "/ar/accounts/reset/" in salma.body
    with translation.override("fr"):
        assert jean.subject == translation.gettext(subject) and "/fr/accounts/reset/" in jean.body
    languages = dict(Preference.objects.values_list("user__email", "language"))
    assert languages == {"salma@example.org": "ar", "jean@example.org": "fr"}


def test_the_invite_form_is_labelled_in_the_inviters_language():
    """Its labels are written out for translation (Django's default label is the field's English name)."""
    from django.utils import translation

    from recommendations.forms import InviteForm

    with translation.override("fr"):
        form = InviteForm()
        labels = {name: str(form[name].label) for name in ("email", "name", "organizations", "roles")}
        assert labels == {
            "email": translation.gettext("Email"),
            "name": translation.pgettext("a person's", "Name"),
            "organizations": translation.gettext("Organizations"),
            "roles": translation.gettext("Roles"),
        }
    assert not {"Email", "Name", "Organizations", "Roles"} & set(labels.values())
