"""The admin's index names the project's apps and models in the reader's language, and the audit trail keeps
the models' names as the code writes them whatever the page's language."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.text import capfirst

from recommendations.models import AuditAction, AuditEvent, Theme
from recommendations.services.audit import record_event

pytestmark = pytest.mark.django_db

OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def project_app(app_config) -> bool:
    """An app of this repository (not Django's or a package's, which bring their own catalogs)."""
    return Path(app_config.path).resolve().is_relative_to(Path(settings.BASE_DIR).resolve()) and ".venv" not in (
        Path(app_config.path).parts
    )


def shown_names() -> list:
    """The names the admin's index shows for the project: each app with a registered model, and those models'."""
    models = [model for model in admin.site._registry if project_app(apps.get_app_config(model._meta.app_label))]
    app_configs = {apps.get_app_config(model._meta.app_label) for model in models}
    return [app_config.verbose_name for app_config in app_configs] + [m._meta.verbose_name_plural for m in models]


def in_the_code(name) -> str:
    with translation.override(None):
        return str(name)


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_admin_index_names_the_projects_apps_and_models_in_the_readers_language(client, language):
    client.force_login(User.objects.create_superuser("root", password="not-used-here"))
    with translation.override(language):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and response["Content-Language"] == language
    html = response.content.decode()
    catalog = translation.trans_real.translation(language)._catalog
    names = shown_names()
    assert len(names) > 10
    untranslated = [in_the_code(name) for name in names if not catalog.get(in_the_code(name))]
    assert not untranslated, f"no {language} translation for {untranslated}"
    with translation.override(language):
        for name in names:
            assert f">{escape(capfirst(str(name)))}</a>" in html, (language, in_the_code(name), str(name))


def test_the_audit_trail_keeps_the_models_name_as_the_code_writes_it(people):
    theme = Theme.objects.first()
    with translation.override("fr"):
        assert str(Theme._meta.verbose_name) != in_the_code(Theme._meta.verbose_name)
        record_event(user=people.reviewer, action=AuditAction.ADMIN_CHANGED, obj=theme)
    assert AuditEvent.objects.latest("pk").object_type == in_the_code(Theme._meta.verbose_name) == "theme"
