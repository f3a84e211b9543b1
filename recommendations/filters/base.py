"""What every FilterSet shares: styled forms, filters described in words, error messages."""

import datetime
import threading

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from languages.dates import long_date

from ..models import Addressee, Instrument, Section, Theme
from .widgets import FILTER_FORM_RENDERER, MarkedSelect, english_only, shown_language

# Longer searches are refused with a message (a database may reject a huge LIKE pattern).
SEARCH_MAX = 200
# Themes are the tracker's editorial grouping, not the source's: every filter says so.
EDITORIAL_THEME_LABEL = _("Theme (editorial)")


def style_form(form):
    """Give every widget Bootstrap's class, so filter bars render as forms without crispy layouts."""
    style_fields(form.fields)


def style_fields(fields):
    """``style_form`` on a form's fields (or a form class's ``base_fields``)."""
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue  # a list of ticks (usable on a phone, unlike a multi-select); the template lays it out
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


# The form classes of the FilterSets, built once per FilterSet class and model (``ExplainedFilterSet.get_form_class``).
_FORM_CLASSES: dict = {}
_FORM_CLASSES_LOCK = threading.Lock()


class ExplainedFilterSet(django_filters.FilterSet):
    """A FilterSet that can say what it filters by, and what was wrong with a bad value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The same HTML as the site's renderer, its options rendered in Python (``widgets``): ~35 ms a report page.
        self.form.renderer = FILTER_FORM_RENDERER

    def get_form_class(self):
        """The form class of the filters, styled (``style_fields``): built once per FilterSet class and model.

        django-filter builds it for every instance (a new field per filter, a new class, ~1 ms of every report
        page and API request, docs/performance.md "API: filtered lists against the CSV"); the fields do not
        depend on the request when every filter's label is its own (lazy: translated when shown, in the
        request's language) and no filter's queryset is a function of the request: then the class is built once
        and shared. Nothing an instance does reaches it: Django's ``BaseForm`` gives every form deep copies of
        the class's fields (their widgets, choices, validators and querysets), which is where the FilterSets set
        their per-request choices, labels and attributes (``tests/test_api_filtered_pages.py`` checks both, also
        from threads). Otherwise (a filter without those), a class per instance, as django-filter does."""
        key = (type(self), self.queryset.model)
        form_class = _FORM_CLASSES.get(key)
        if form_class is not None:
            return form_class
        form_class = super().get_form_class()
        style_fields(form_class.base_fields)
        if all(_request_free(flt) for flt in self.base_filters.values()):  # (as declared: the copies have labels)
            with _FORM_CLASSES_LOCK:  # the first one built stays (another thread's is the same)
                form_class = _FORM_CLASSES.setdefault(key, form_class)
        return form_class

    def describe(self, *, dates=long_date) -> list[str]:
        """The active filters in words, for the page heading and exports.

        ``dates(day)`` writes a date: by default the reader's long date, as the line below the filters on a page
        writes it ("1 janvier 2013" on a French page); the machine-readable exports pass
        ``datetime.date.isoformat``, as they write every other date."""
        if not self.is_bound or not self.is_valid():
            return []
        words = []
        for name, value in self.form.cleaned_data.items():
            if is_empty(value):
                continue
            field = self.form.fields[name]
            words.append(
                gettext("%(label)s: %(value)s")
                % {"label": field.label, "value": self.describe_value(name, value, dates=dates)}
            )
        return words

    def describe_value(self, name, value, *, dates=long_date) -> str:
        field = self.form.fields[name]
        if isinstance(value, datetime.date):
            return dates(value)
        if isinstance(value, (list, tuple)) or hasattr(value, "model"):
            return either(self.describe_value(name, v, dates=dates) for v in value)
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


def is_empty(value) -> bool:
    """A cleaned filter value that chooses nothing: none given, or no rows. A model choice left empty is
    ``queryset.none()``: known empty without compiling its query (which ``not value`` did, ~1 ms a request)."""
    if value in (None, "", []):
        return True
    if isinstance(value, QuerySet):
        return value.query.is_empty() or not value
    return False


def _request_free(flt) -> bool:
    """The filter's form field is the same whatever the request: a label of its own (not one derived from the
    model in the language active when the field was built) and no queryset computed from the request."""
    return flt._label is not None and not callable(getattr(flt, "queryset", None))


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


def theme_filter(**options) -> django_filters.ModelChoiceFilter:
    """The theme menu of a list or report (``options``: how it filters), its names marked English where untranslated."""
    widget = MarkedSelect(language_of=shown_language("name"))
    themes = Theme.objects.all()
    return keyed(EDITORIAL_THEME_LABEL, themes, "slug", empty_label=_("All themes"), widget=widget, **options)


class _NamedChoiceField(ListedModelChoiceField):
    """Its rows named by their name in the page's language (English where nobody has translated it yet)."""

    def label_from_instance(self, obj):
        from languages.names import shown

        return shown(obj, "name").text


class _NamedChoiceFilter(ListedModelChoiceFilter):
    field_class = _NamedChoiceField


def instrument_filter(**options) -> django_filters.ModelChoiceFilter:
    """The instrument menu of a list or report: full names in the page's language (an instrument's short name,
    "ICRMW", is its key in the URL), marked English where untranslated."""
    widget = MarkedSelect(language_of=shown_language("name"))
    return _NamedChoiceFilter(
        label=_("Instrument"),
        queryset=Instrument.objects.all(),
        to_field_name="short_name",
        empty_label=_("All instruments"),
        widget=widget,
        **options,
    )


def section_filter(**options) -> django_filters.ModelChoiceFilter:
    """The section menu (the source's sections, in its order; their headings are English only)."""
    widget = MarkedSelect(language_of=english_only)
    sections = Section.objects.order_by("position")
    return keyed(_("Section"), sections, "code", empty_label=_("All sections"), widget=widget, **options)


def addressee_filter(**options) -> django_filters.ModelChoiceFilter:
    """The addressee menu ("Addressed to"), its names marked English where untranslated."""
    widget = MarkedSelect(language_of=shown_language("name"))
    addressees = Addressee.objects.all()
    return keyed(_("Addressed to"), addressees, "slug", empty_label=_("All addressees"), widget=widget, **options)


def search_filter(placeholder: str) -> django_filters.CharFilter:
    """A list's search box (``q``): the FilterSet's ``filter_text`` applies it; longer searches are refused."""
    return django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )
