"""Hostile text in narratives, titles and organization names is shown escaped everywhere, and never breaks a page."""

from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommendations import services
from recommendations.models import Actor, ProgressUpdate, Recommendation, Status

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</textarea><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "\u202eevil.exe\u202c and \u2066isolated\u2069",  # right-to-left override and isolates
    "{{ 7*7 }} {% now 'Y' %}",  # template syntax must stay text
    '=HYPERLINK("http://evil")',
    "Ünïcødé — 中文 — العربية",
]
hostile = st.one_of(
    st.sampled_from(PAYLOADS),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(PAYLOADS), st.text(min_size=0, max_size=40)),
)


def assert_escaped(html_text: str, payload: str):
    """The payload never appears raw where it could open a tag or break out of an attribute."""
    if any(c in payload for c in "<>\"'"):
        assert payload not in html_text
    assert "<script>alert(1)</script>" not in html_text
    assert "onerror=alert(1)>" not in html_text


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=hostile, narrative=hostile, title=hostile)
def test_hostile_text_is_escaped_on_every_page(client, people, admin_user, name, narrative, title):
    with transaction.atomic():
        # An organization named by an editor in the admin form.
        client.force_login(admin_user)
        response = client.post(
            reverse("admin:recommendations_actor_add"),
            {
                "kind": "organization",
                "code": "hostile-org",
                "name": name[:200] or "x",
                "organization_type": "ngo",
                "other_names": "{}",
                "website": "",
            },
        )
        assert response.status_code in (200, 302)
        org = Actor.objects.filter(code="hostile-org").first()
        if org is None:  # refused by the form: it must say why, not fail
            assert response.context["adminform"].form.errors
            org = Actor.objects.create(code="hostile-org", kind="organization", name="x", organization_type="ngo")
        Recommendation.objects.filter(code="R56").update(title=title[:120])
        # A reporter files an update with the hostile narrative through the form.
        client.force_login(people.reporter_a)
        url = reverse("recommendations:progress_new") + "?item=R56&actor=hostile-org"
        form = client.get(url).context["form"]
        text = (narrative + " " + "padding to a sensible length")[:4000]
        response = client.post(
            url,
            {
                "organization": people.org_a.pk,
                "status": Status.LIMITED,
                "as_of": "2020-01-01",
                "as_of_precision": "day",
                "narrative": text,
                "evidence_urls": "https://example.org/e",
                "submission_token": str(form.initial["submission_token"]),
            },
        )
        assert response.status_code in (200, 302), response.status_code
        update = ProgressUpdate.objects.filter(actor=org).first()
        if update is not None:
            services.verify_update(update=update, reviewer=people.reviewer, expected_version=None)
        pages = [
            "/",
            "/recommendations/",
            "/recommendations/R56/",
            "/actors/?kind=organization",
            "/actors/hostile-org/",
            "/actors/hostile-org/R56/",
            "/reports/?item=R56",
            "/reports/table/?item=R56",
            "/reports/matrix/?item=R56&actor_kind=organization",
            "/my/updates/",
        ]
        if update is not None:
            pages.append(f"/updates/{update.pk}/")
        for path in pages:
            page = client.get(path)
            assert page.status_code == 200, path
            body = page.content.decode()
            for payload in (name, narrative, title):
                assert_escaped(body, payload)
        client.force_login(people.reviewer)
        for path in ["/review/", f"/updates/{update.pk}/" if update else "/review/"]:
            assert client.get(path).status_code == 200
        client.force_login(admin_user)
        for path in ["/audit/", "/admin/recommendations/actor/", "/admin/recommendations/progressupdate/"]:
            page = client.get(path)
            assert page.status_code == 200, path
            for payload in (name, narrative):
                assert_escaped(page.content.decode(), payload)
        transaction.set_rollback(True)


def test_nul_bytes_and_overlong_text_get_messages_not_errors(client, people):
    client.force_login(people.reporter_a)
    url = reverse("recommendations:progress_new") + "?item=R56&actor=MEX"
    form = client.get(url).context["form"]
    response = client.post(
        url,
        {
            "organization": people.org_a.pk,
            "status": Status.LIMITED,
            "as_of": "2020-01-01",
            "as_of_precision": "day",
            "narrative": "A narrative with a NUL \x00 byte in the middle of it.",
            "evidence_urls": "https://example.org/e",
            "submission_token": str(form.initial["submission_token"]),
        },
    )
    assert response.status_code == 200
    assert "Null characters are not allowed" in str(response.context["form"].errors["narrative"])
    for path in ["/recommendations/?q=%00", "/actors/?q=a%00b", "/reports/?actor=KEN%00"]:
        assert client.get(path).status_code == 400
    for path in ["/recommendations/", "/actors/"]:
        huge = client.get(path, {"q": "x" * 100_000})
        assert huge.status_code == 400
        assert "at most 200 characters" in huge.content.decode()


def test_no_template_or_view_marks_user_content_safe():
    """Autoescaping stays on: the only mark_safe calls build markup from escaped parts."""
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert "|safe" not in text, template
        if template.name != "password_reset_email.html":  # a plain-text email body
            assert "autoescape off" not in text, template
    allowed = {"charts.py", "status.py"}  # SVG charts and the matrix: every value passes escape()/format_html
    for module in (ROOT / "recommendations").rglob("*.py"):
        if "mark_safe(" in module.read_text():
            assert module.name in allowed, module
