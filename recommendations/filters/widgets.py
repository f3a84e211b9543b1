"""The filter forms' widgets rendered in Python, to the byte what Django's widget templates render.

Every report page carries the whole filter form: every item (~100) as a tick, the statuses, regions, sub-regions and a
dozen selects. Django renders each option through three templates (the option, ``input.html``, ``attrs.html``),
~35 ms of the all-items snapshot's ~80 ms of Python at 1M benchmark updates (docs/performance.md, issue 21,
fourth pass). ``FilterFormRenderer`` renders the few templates those widgets use with string joins instead;
any other template, or one of these that a project or app template overrides (``_own``), goes to the templates
as before. tests/test_filter_widgets.py compares both renderings over the report filters.
"""

import html
from functools import cache

from django import forms
from django.forms.renderers import TemplatesSetting
from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeData

from languages import names


def _escaped(text) -> str:
    """``conditional_escape`` without its lazy-argument wrapper and ``SafeString`` result (~1,300 calls a form;
    the parts are joined into one string the widget marks safe): the same characters."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


def _text(value) -> str:
    """``{{ value }}`` in a template with autoescape on (numbers and dates localized as the template would)."""
    if not isinstance(value, str):
        value = str(localize(value))
    return _escaped(value)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe string safe; anything else is escaped."""
    return value if isinstance(value, SafeData) else _escaped(str(value))  # "%s" % value


def _attrs(attrs: dict) -> str:  # django/forms/widgets/attrs.html
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:  # django/forms/widgets/input.html
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>\n'


def _input_option(widget: dict) -> str:  # django/forms/widgets/input_option.html
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    target = widget["attrs"].get("id")
    label_for = f' for="{_text(target)}"' if target else ""
    return f"<label{label_for}>{_input(widget)} {_text(widget['label'])}</label>\n"


def _multiple_input(widget: dict) -> str:  # django/forms/widgets/multiple_input.html
    attrs = widget["attrs"]
    parts = ["<div"]
    if attrs.get("id"):
        parts.append(f' id="{_text(attrs["id"])}"')
    if attrs.get("class"):
        parts.append(f' class="{_text(attrs["class"])}"')
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        parts.extend(f"<div>\n    {_render(option['template_name'], option)}</div>" for option in options)
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def _select(widget: dict) -> str:  # django/forms/widgets/select.html
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_text(group)}">')
        parts.extend(f"\n  {_render(option['template_name'], option)}" for option in options)
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _select_option(widget: dict) -> str:  # django/forms/widgets/select_option.html
    return f'<option value="{_formatted(widget["value"])}"{_attrs(widget["attrs"])}>{_text(widget["label"])}</option>\n'


def _range(widget: dict) -> str:  # django_filters/widgets/multiwidget.html: "from-to"
    subwidgets = widget["subwidgets"]
    return "".join(_render(w["template_name"], w) + ("-" if n == 0 else "") for n, w in enumerate(subwidgets)) + "\n"


# Each template by what it renders: those that only include another add their own final newline.
PYTHON_TEMPLATES = {
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/text.html": lambda w: _input(w) + "\n",
    "django/forms/widgets/search.html": lambda w: _input(w) + "\n",
    "django/forms/widgets/date.html": lambda w: _input(w) + "\n",
    "django/forms/widgets/input_option.html": _input_option,
    "django/forms/widgets/checkbox_option.html": lambda w: _input_option(w) + "\n",
    "django/forms/widgets/multiple_input.html": _multiple_input,
    "django/forms/widgets/checkbox_select.html": lambda w: _multiple_input(w) + "\n",
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/select_option.html": _select_option,
    "django_filters/widgets/multiwidget.html": _range,
}
ATTRS = "django/forms/widgets/attrs.html"  # part of the others (``_attrs``), never rendered alone by a widget
# What each template includes: it is rendered in Python only if they all are still the packages' own.
INCLUDES = {
    "django/forms/widgets/input.html": [ATTRS],
    "django/forms/widgets/text.html": ["django/forms/widgets/input.html"],
    "django/forms/widgets/search.html": ["django/forms/widgets/input.html"],
    "django/forms/widgets/date.html": ["django/forms/widgets/input.html"],
    "django/forms/widgets/input_option.html": ["django/forms/widgets/input.html"],
    "django/forms/widgets/checkbox_option.html": ["django/forms/widgets/input_option.html"],
    "django/forms/widgets/checkbox_select.html": ["django/forms/widgets/multiple_input.html"],
    "django/forms/widgets/select.html": [ATTRS],
    "django/forms/widgets/select_option.html": [ATTRS],
}


@cache
def _own(template_name: str) -> bool:
    """Whether ``template_name`` (and what it includes) is still the one its package ships: a template of the
    same name in the project or another app would be rendered instead, so it must be rendered as a template."""
    if template_name not in PYTHON_TEMPLATES and template_name != ATTRS:
        return False
    origin = get_template(template_name).origin.name.replace("\\", "/")
    package = "/django/forms/templates/"
    if template_name.startswith("django_filters/"):
        package = "/django_filters/templates/"
    return package in origin and all(_own(name) for name in INCLUDES.get(template_name, ()))


def _render(template_name: str, widget: dict) -> str:
    if _own(template_name):
        return PYTHON_TEMPLATES[template_name](widget)
    return get_template(template_name).render({"widget": widget})


class FilterFormRenderer(TemplatesSetting):
    """The site's form renderer (``FORM_RENDERER``), with the filter widgets' templates rendered in Python."""

    def render(self, template_name, context, request=None):
        if request is None and set(context) == {"widget"} and template_name in PYTHON_TEMPLATES and _own(template_name):
            # Django's renderer strips the rendered template (not the templates it includes).
            return PYTHON_TEMPLATES[template_name](context["widget"]).strip()
        return super().render(template_name, context, request=request)


FILTER_FORM_RENDERER = FilterFormRenderer()


# -- choices whose text is in another language than the page's (WCAG 3.1.2, language of parts) -----------------
#
# An item's title nobody has translated yet, a section heading or an SDG target's official text is English on a
# French or Arabic page: its option says so (``lang="en"``), so a screen reader reads it as English. The mark is
# the widget's, not the label's: ``label_from_instance`` stays plain text, as the filters in words and the exports
# read it. ``language_of(obj)`` is the language the option's text is in (``languages.names.shown``'s, or English
# for text stored only in English); the option is marked where it is not the page's.


def shown_language(field: str):
    """``language_of`` for a translated title or name (``names.shown``: English where nobody translated it)."""
    return lambda obj: names.shown(obj, field).language


def english_only(obj) -> str:
    """``language_of`` for text stored only in English (the source's headings, the SDG targets' official text)."""
    return names.SOURCE_LANGUAGE


class _MarksLanguage:
    def __init__(self, attrs=None, *, language_of, **kwargs):
        super().__init__(attrs, **kwargs)
        self.language_of = language_of

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        instance = getattr(value, "instance", None)  # a model choice (not the empty one)
        if instance is not None:
            language = self.language_of(instance)
            if language != names.language_code():
                self.mark(option, language)
        return option


class MarkedSelect(_MarksLanguage, forms.Select):
    """A select whose ``<option>`` carries ``lang`` where its text is not in the page's language."""

    @staticmethod
    def mark(option: dict, language: str):
        option["attrs"] = {**option["attrs"], "lang": language}


class MarkedCheckboxes(_MarksLanguage, forms.CheckboxSelectMultiple):
    """Ticks whose label text sits in a ``<span lang>`` where it is not in the page's language (the ``lang`` of
    the ``<input>`` would not reach the label's text, which names the tick)."""

    @staticmethod
    def mark(option: dict, language: str):
        option["label"] = format_html('<span lang="{}">{}</span>', language, option["label"])
