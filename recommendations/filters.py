"""django-filter FilterSets, shared by the HTML pages and their exports.

Filter values in URLs are natural keys (theme slug, section code, instrument
short name), never database ids, so a filtered URL is readable, shareable
and survives a database rebuild.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from .models import (
    Actor,
    ActorKind,
    Addressee,
    Instrument,
    Kind,
    OrganizationType,
    ProgressUpdate,
    Recommendation,
    ReviewState,
    SDGTarget,
    Section,
    Theme,
)


def style_form(form):
    """Give every widget Bootstrap's class, so filter bars render as forms without crispy layouts."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ExplainedFilterSet(django_filters.FilterSet):
    """A FilterSet that can say what it filters by, and what was wrong with a bad value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self.form)

    def describe(self) -> list[str]:
        """The active filters in words, for the page heading and exports."""
        if not self.is_bound or not self.is_valid():
            return []
        words = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", []) or (hasattr(value, "exists") and not value):
                continue
            field = self.form.fields[name]
            words.append(f"{field.label}: {self.describe_value(name, value)}")
        return words

    def describe_value(self, name, value) -> str:
        field = self.form.fields[name]
        if isinstance(value, (list, tuple)) or hasattr(value, "model"):
            return " or ".join(self.describe_value(name, v) for v in value)
        choices = dict(getattr(field, "choices", []) or [])
        if not hasattr(value, "pk") and value in choices:
            return str(choices[value])
        return str(value)

    def error_messages(self) -> list[str]:
        """Plain-language messages for invalid filter values."""
        messages = []
        for name, errors in self.form.errors.items():
            raw = ", ".join(self.data.getlist(name)) if hasattr(self.data, "getlist") else self.data.get(name, "")
            label = self.form.fields[name].label if name in self.form.fields else name
            for error in errors:
                if "valid choice" in error:
                    messages.append(f"{label}: “{raw}” is not one of the choices.")
                else:
                    messages.append(f"{label}: {error}")
        return messages


class RecommendationFilter(ExplainedFilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Code, title or words of the text"}),
    )
    theme = django_filters.ModelChoiceFilter(
        label="Theme", field_name="themes", to_field_name="slug", queryset=Theme.objects.all(), empty_label="All themes"
    )
    section = django_filters.ModelChoiceFilter(
        label="Section",
        to_field_name="code",
        queryset=Section.objects.order_by("position"),
        method="filter_section",
        empty_label="All sections",
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Kind.choices, empty_label="All kinds")
    addressee = django_filters.ModelChoiceFilter(
        label="Addressed to",
        field_name="addressees",
        to_field_name="slug",
        queryset=Addressee.objects.all(),
        empty_label="All addressees",
    )
    instrument = django_filters.ModelChoiceFilter(
        label="Instrument",
        field_name="instruments",
        to_field_name="short_name",
        queryset=Instrument.objects.all(),
        empty_label="All instruments",
    )
    sdg = django_filters.ModelChoiceFilter(
        label="Related SDG target",
        field_name="sdg_targets",
        to_field_name="code",
        queryset=SDGTarget.objects.all(),
        empty_label="Any SDG target",
    )

    class Meta:
        model = Recommendation
        fields = ["q", "theme", "section", "kind", "addressee", "instrument", "sdg"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Indent subsections so the document's structure shows in the list.
        self.filters["section"].field.label_from_instance = lambda s: (
            "\u2003" * s.depth + f"{s.code} {s.title[:70]}{'…' if len(s.title) > 70 else ''}"
        )
        self.filters["sdg"].field.label_from_instance = lambda t: f"{t.code} {t.title[:60]}…"

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_section(self, queryset, name, section):
        # A section includes its subsections: match on the paragraph range.
        return queryset.filter(
            section__document_id=section.document_id,
            section__first_paragraph__gte=section.first_paragraph,
            section__last_paragraph__lte=section.last_paragraph,
        )


class ActorFilter(ExplainedFilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or code"}),
    )
    kind = django_filters.ChoiceFilter(
        label="Kind", choices=ActorKind.choices, empty_label="Countries and organizations"
    )
    region = django_filters.ChoiceFilter(label="Region", method="filter_region", empty_label="All regions")
    subregion = django_filters.ChoiceFilter(label="Sub-region", method="filter_region", empty_label="All sub-regions")
    organization_type = django_filters.ChoiceFilter(
        label="Organization type", choices=OrganizationType.choices, empty_label="All types"
    )

    class Meta:
        model = Actor
        fields = ["q", "kind", "region", "subregion", "organization_type"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        countries = Actor.objects.countries()
        for name in ("region", "subregion"):
            values = countries.exclude(**{name: ""}).order_by(name).values_list(name, flat=True).distinct()
            self.filters[name].extra["choices"] = [(v, v) for v in values]
            self.form.fields[name].choices = [("", self.filters[name].extra["empty_label"])] + [(v, v) for v in values]

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_region(self, queryset, name, value):
        # An organization is in the region of the country it is based in.
        return queryset.filter(Q(**{name: value}) | Q(**{f"base_country__{name}": value}))


AGE_CHOICES = [("7", "Waiting over a week"), ("30", "Waiting over a month"), ("90", "Waiting over 3 months")]


class ReviewQueueFilter(ExplainedFilterSet):
    """Pending updates, by who filed them, about what and whom, and how long they have waited."""

    organization = django_filters.ModelChoiceFilter(
        label="Filed by organization (code)",
        field_name="reported_by_organization",
        to_field_name="code",
        queryset=Actor.objects.organizations(),
        widget=forms.TextInput(attrs={"placeholder": "e.g. mfa-asia"}),
    )
    item = django_filters.ModelChoiceFilter(
        label="Call to action",
        field_name="recommendation",
        to_field_name="code",
        queryset=Recommendation.objects.all(),
        empty_label="All items",
    )
    actor = django_filters.ModelChoiceFilter(
        label="Country or organization (code)",
        to_field_name="code",
        queryset=Actor.objects.all(),
        widget=forms.TextInput(attrs={"placeholder": "e.g. KEN"}),
    )
    older_than = django_filters.ChoiceFilter(
        label="Age", choices=AGE_CHOICES, method="filter_age", empty_label="Any age"
    )

    class Meta:
        model = ProgressUpdate
        fields = ["organization", "item", "actor", "older_than"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["item"].label_from_instance = lambda r: f"{r.code} {r.title}"

    def filter_age(self, queryset, name, value):
        return queryset.filter(created_at__lte=timezone.now() - datetime.timedelta(days=int(value)))


def pending_updates():
    return ProgressUpdate.objects.filter(state=ReviewState.PENDING)
