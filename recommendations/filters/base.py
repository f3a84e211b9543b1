"""What every FilterSet shares: styled forms, filters described in words, error messages."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from .widgets import FILTER_FORM_RENDERER

# Longer searches are refused with a message (a database may reject a huge LIKE pattern).
SEARCH_MAX = 200
# Themes are the tracker's editorial grouping, not the source's: every filter says so.
EDITORIAL_THEME_LABEL = _("Theme (editorial)")


def style_form(form):
    """Give every widget Bootstrap's class, so filter bars render as forms without crispy layouts."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue  # a list of ticks (usable on a phone, unlike a multi-select); the template lays it out
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ExplainedFilterSet(django_filters.FilterSet):
    """A FilterSet that can say what it filters by, and what was wrong with a bad value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self.form)
        # The same HTML as the site's renderer, its options rendered in Python (``widgets``): ~35 ms a report page.
        self.form.renderer = FILTER_FORM_RENDERER

    def describe(self) -> list[str]:
        """The active filters in words, for the page heading and exports."""
        if not self.is_bound or not self.is_valid():
            return []
        words = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", []) or (hasattr(value, "exists") and not value):
                continue
            field = self.form.fields[name]
            words.append(
                gettext("%(label)s: %(value)s") % {"label": field.label, "value": self.describe_value(name, value)}
            )
        return words

    def describe_value(self, name, value) -> str:
        field = self.form.fields[name]
        if isinstance(value, (list, tuple)) or hasattr(value, "model"):
            return either(self.describe_value(name, v) for v in value)
        choices = dict(getattr(field, "choices", []) or [])
        if not hasattr(value, "pk") and value in choices:
            return str(choices[value])
        return str(value)

    def error_messages(self) -> list[str]:
        """Plain-language messages for invalid filter values."""
        messages = []
        for name, errors in self.form.errors.as_data().items():
            raw = ", ".join(self.data.getlist(name)) if hasattr(self.data, "getlist") else self.data.get(name, "")
            label = self.form.fields[name].label if name in self.form.fields else name
            for error in errors:
                # By its code, not its words: the words change with the language.
                if error.code == "invalid_choice":
                    messages.append(
                        gettext("%(label)s: “%(raw)s” is not one of the choices.") % {"label": label, "raw": raw}
                    )
                else:
                    for message in error.messages:
                        messages.append(gettext("%(label)s: %(error)s") % {"label": label, "error": message})
        return messages


def either(words) -> str:
    """Values joined by "or", in the active language ("Signed or Party (ratified)")."""
    return (" " + pgettext("either of", "or") + " ").join(str(word) for word in words)


def not_in_future(value):
    if value > timezone.localdate():
        raise forms.ValidationError(
            gettext("The date cannot be in the future; leave it empty for today's statuses."), code="future"
        )


class _OneSelect(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # The rows of one plain SELECT, kept on this form's queryset. Django reads them through
        # ``QuerySet.iterator()``: on PostgreSQL, outside a transaction, a server-side cursor declared WITH HOLD
        # (DECLARE, FETCH, CLOSE: three round trips, the rows copied once more), for lists of a few dozen rows;
        # ~3 ms a field of every report page's filter form (docs/performance.md, issue 21, third pass).
        for obj in self.queryset:
            yield self.choice(obj)


class ListedChoiceIterator(django_filters.fields.ModelChoiceIterator, _OneSelect):
    """django-filter's choices (its "null" choice, if any) from one plain query (``_OneSelect``)."""


class ListedModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = ListedChoiceIterator


class ListedModelMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    iterator = ListedChoiceIterator


class ListedModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A ``ModelChoiceFilter`` whose choices come from one plain query (``ListedChoiceIterator``)."""

    field_class = ListedModelChoiceField


class ListedModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """A ``ModelMultipleChoiceFilter`` whose choices come from one plain query (``ListedChoiceIterator``)."""

    field_class = ListedModelMultipleChoiceField


def keyed(label: str, queryset, key: str, **options) -> django_filters.ModelChoiceFilter:
    """A choice of one row named by its natural key in the URL (a theme's slug, a section's code …)."""
    return ListedModelChoiceFilter(label=label, queryset=queryset, to_field_name=key, **options)


def search_filter(placeholder: str) -> django_filters.CharFilter:
    """A list's search box (``q``): the FilterSet's ``filter_text`` applies it; longer searches are refused."""
    return django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )
