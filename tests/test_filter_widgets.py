"""The filter forms' widgets rendered in Python (``recommendations.filters.widgets``) are Django's templates to the
byte, and the report pages use them: the summary's ~35 ms of widget templates (issue 21, fourth pass)."""

import pytest
from django.forms.renderers import TemplatesSetting
from django.http import QueryDict
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from recommendations.filters import (
    ActorFilter,
    AuditFilter,
    RecommendationFilter,
    ReviewQueueFilter,
    StatusFilter,
    widgets,
)
from recommendations.models import Theme

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "on=2015-12-31",
    "item=R02&item=R56&status=signed&status=no_information&region=Africa&kind=policy",
    "theme=nosuch&updated_min=2001-01-01&updated_max=2020-01-01&actor=KEN,UGA&evidence=yes&disagree=yes",
    "updated_min=not-a-date&on=2099-01-01&compare=2010-06-30&perspective=civil_society&q=<b>&sort=x",
]
FILTERS = [StatusFilter, ActorFilter, RecommendationFilter, AuditFilter, ReviewQueueFilter]


def both_renderings(filterset):
    """Each field of the form as the site's renderer writes it and as the filters' renderer does."""
    form = filterset.form
    assert form.renderer is widgets.FILTER_FORM_RENDERER
    python = [str(form[name].as_widget()) for name in form.fields]
    form.renderer = TemplatesSetting()
    templates = [str(form[name].as_widget()) for name in form.fields]
    return python, templates


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("filter_class", FILTERS)
def test_every_filter_widget_renders_as_its_template(filter_class, query, language):
    # A theme whose name needs escaping, in a label, an option and a value.
    Theme.objects.create(name='Tom & "Jerry" <b>\'s', slug="tom-jerry")
    with translation.override(language):
        filterset = filter_class(QueryDict(f"{query}&theme=tom-jerry"))
        filterset.is_valid()
        python, templates = both_renderings(filterset)
    assert python == templates
    assert any("<option" in html or "<input" in html for html in python)


def test_the_report_pages_render_no_widget_template(client):
    # Without the Python rendering the summary renders ~600 widget templates (one per option and its attributes).
    for url in ("report_summary", "report_table", "report_matrix"):
        response = client.get(reverse(f"recommendations:{url}"), {"on": "2015-12-31"})
        assert response.status_code == 200
        assert 'type="checkbox" name="item" value="R02"' in response.content.decode()
        names = {t.name for t in response.templates}
        assert "recommendations/_report_filters.html" in names
        assert not [n for n in names if n.startswith(("django/forms/widgets/", "django_filters/widgets/"))]


def test_a_template_overridden_in_the_project_is_rendered_as_a_template(settings, tmp_path):
    override = tmp_path / "django" / "forms" / "widgets"
    override.mkdir(parents=True)
    (override / "select_option.html").write_text("<option data-overridden>{{ widget.label }}</option>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    widgets._own.cache_clear()
    try:
        html = str(StatusFilter(QueryDict("")).form["kind"].as_widget())
        assert "<option data-overridden>" in html
        # The other templates are still the packages' own, rendered in Python.
        assert widgets._own("django/forms/widgets/select.html")
        assert not widgets._own("django/forms/widgets/select_option.html")
    finally:
        widgets._own.cache_clear()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_counts_line_writes_what_the_loop_wrote(language):
    counts = [("signed", "Signed & <sealed>", 1234567), ("ratified", "Party", 0), ("complete", "Done", 12)]
    loop = Template(
        "{% load humanize %}{% for status, label, n in counts %}{{ label }} {{ n|intcomma }}"
        "{% if not forloop.last %} · {% endif %}{% endfor %}"
    )
    line = Template("{% load tracker %}{{ counts|counts_line }}")
    with translation.override(language):
        for value in (counts, counts[:1], []):
            assert line.render(Context({"counts": value})) == loop.render(Context({"counts": value}))
    # Grouped the language's way, as every count on the pages: "1,234,567", "1 234 567" (no-break spaces) in French.
    grouped = {"en": "1,234,567", "fr": "1\xa0234\xa0567"}[language]
    with translation.override(language):
        assert f"Signed &amp; &lt;sealed&gt; {grouped}" in line.render(Context({"counts": counts}))
