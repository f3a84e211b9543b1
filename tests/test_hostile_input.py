"""Hostile text in narratives, titles and organization names is shown escaped everywhere, and never breaks a page."""

from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recommendations import services
from recommendations.models import Actor, ProgressUpdate, Recommendation, Status

from .factories import admin_item_form_data, filed

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
@example(name="NUL \x00 in a name", narrative="NUL \x00 in a narrative", title="NUL \x00 in a title")
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
            if "\x00" in name:
                assert "Null characters are not allowed" in str(response.context["adminform"].form.errors["name"])
            org = Actor.objects.create(code="hostile-org", kind="organization", name="x", organization_type="ngo")
        # The item's title, changed by an editor in the admin form (a NUL is refused there, with a message).
        item = Recommendation.objects.get(code="R56")
        data = {**admin_item_form_data(client, item), "title_en": title[:120]}
        response = client.post(reverse("admin:recommendations_recommendation_change", args=[item.pk]), data)
        if "\x00" in title[:120]:
            assert response.status_code == 200
            assert "Null characters are not allowed" in str(response.context["adminform"].form.errors["title_en"])
        else:
            assert response.status_code in (200, 302)
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
        if "\x00" in text:
            assert str(services.NUL_MESSAGE) in str(response.context["form"].errors["narrative"])
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


NUL = "a NUL \x00 in the middle"


@pytest.fixture
def pending(people):
    return filed(user=people.reporter_a, organization=people.org_a)


@pytest.mark.parametrize(
    "call, field",
    [
        (
            lambda p, u: services.return_update(update=u, reviewer=p.reviewer, expected_version=None, reason=NUL),
            "reason",
        ),
        (lambda p, u: services.verify_update(update=u, reviewer=p.reviewer, expected_version=None, note=NUL), "note"),
        (
            lambda p, u: services.withdraw_update(update=u, user=p.reporter_a, expected_version=None, reason=NUL),
            "reason",
        ),
        (lambda p, u: filed(user=p.reporter_a, organization=p.org_a, narrative=NUL + " and enough words"), "narrative"),
        (
            lambda p, u: services.edit_update(
                update=u,
                user=p.reporter_a,
                expected_version=u.version,
                status="limited",
                as_of=u.as_of,
                narrative=NUL + " and enough words",
                evidence_urls=u.evidence_urls,
            ),
            "narrative",
        ),
        (
            lambda p, u: services.invite_user(
                email="x@ngo.example", organizations=[p.org_a], roles=["reporter"], name=NUL
            ),
            "name",
        ),
    ],
    ids=["return", "verify", "withdraw", "log", "edit", "invite"],
)
def test_every_service_that_writes_text_refuses_nul_with_a_message(people, pending, call, field):
    """The services are the one place every write passes (forms, imports, commands): each refuses a NUL."""
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError

    before = (ProgressUpdate.objects.count(), User.objects.count(), ProgressUpdate.objects.get(pk=pending.pk).version)
    with pytest.raises(ValidationError) as refused:
        call(people, pending)
    assert "NUL character" in " ".join(refused.value.message_dict[field])
    after = (ProgressUpdate.objects.count(), User.objects.count(), ProgressUpdate.objects.get(pk=pending.pk).version)
    assert after == before  # nothing written


def text_form_fields():
    """Every field of every form that takes text: the tracker's forms, the admin's add and change forms
    (with their inlines) of every registered model, and Django's account forms."""
    import inspect

    from django import forms
    from django.contrib import admin
    from django.contrib.auth import forms as auth_forms
    from django.test import RequestFactory

    from recommendations import forms as tracker_forms

    found = []
    classes = [c for _, c in inspect.getmembers(tracker_forms, inspect.isclass) if issubclass(c, forms.BaseForm)]
    classes += [auth_forms.AuthenticationForm, auth_forms.PasswordResetForm, auth_forms.SetPasswordForm]
    request = RequestFactory().get("/")
    request.user = type("Superuser", (), {"has_perm": lambda *a: True, "is_active": True, "is_staff": True})()
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.first()
        for instance in (None, obj) if obj else (None,):
            classes.append(model_admin.get_form(request, instance))
            classes += [
                inline.get_formset(request, instance).form
                for inline in model_admin.get_inline_instances(request, instance)
            ]
    for form_class in classes:
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.CharField | forms.JSONField):
                found.append((form_class.__name__, name, field))
    return found


def test_every_form_field_that_takes_text_refuses_nul():
    from django.core.exceptions import ValidationError
    from django.core.validators import ProhibitNullCharactersValidator

    fields = text_form_fields()
    assert len(fields) > 80 and {"narrative", "title", "other_names", "reason"} <= {name for _, name, _ in fields}
    for form_name, name, field in fields:
        assert any(isinstance(v, ProhibitNullCharactersValidator) for v in field.validators), (form_name, name)
        if hasattr(field, "decoder"):  # JSON: the NUL arrives escaped (\u0000) and is only seen once decoded
            with pytest.raises(ValidationError):
                field.clean('{"fr": "a\\u0000b"}')


def test_admin_json_with_an_escaped_nul_gets_a_message_not_an_error(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:recommendations_actor_add"),
        {
            "kind": "organization",
            "code": "nul-org",
            "name": "An organization",
            "organization_type": "ngo",
            "other_names": '{"fr": "une \\u0000 organisation"}',
            "website": "",
        },
    )
    assert response.status_code == 200
    assert "NUL character" in str(response.context["adminform"].form.errors["other_names"])
    assert not Actor.objects.filter(code="nul-org").exists()


def test_nul_in_any_query_string_is_a_clear_400_never_an_error(admin_user):
    """Reads too: PostgreSQL cannot compare text with a NUL, so every route refuses one in its address."""
    from django.test import Client

    from .routes import paths

    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    samples = {"code": ["KEN"], "item_code": ["R02"], "app_label": ["recommendations"]}
    routes = paths(lambda name, param: samples.get(param, []), admin_site=True)
    routes.append(
        ("autocomplete", "/admin/autocomplete/?app_label=recommendations&model_name=actor&field_name=base_country")
    )
    for _, path in routes:
        separator = "&" if "?" in path else "?"
        response = client.get(f"{path}{separator}q=a%00b&term=a%00b")
        assert response.status_code == 400, (path, response.status_code)
        assert "NUL character" in response.content.decode(), path


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
    assert str(services.NUL_MESSAGE) in str(response.context["form"].errors["narrative"])
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
