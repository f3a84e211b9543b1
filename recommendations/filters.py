"""django-filter FilterSets, shared by the HTML pages and their exports.

Filter values in URLs are natural keys (theme slug, section code, instrument
short name), never database ids, so a filtered URL is readable, shareable
and survives a database rebuild.
"""

import django_filters
from django import forms

from .models import Addressee, Instrument, Kind, Recommendation, SDGTarget, Section, Theme


def style_form(form):
    """Give every widget Bootstrap's class, so filter bars render as forms without crispy layouts."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class RecommendationFilter(django_filters.FilterSet):
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
        style_form(self.form)

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_section(self, queryset, name, section):
        # A section includes its subsections: match on the paragraph range.
        return queryset.filter(
            section__document_id=section.document_id,
            section__first_paragraph__gte=section.first_paragraph,
            section__last_paragraph__lte=section.last_paragraph,
        )

    def describe(self) -> list[str]:
        """The active filters in words, for the page heading and exports."""
        if not self.is_bound or not self.is_valid():
            return []
        words = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", []):
                continue
            field = self.form.fields[name]
            if name == "kind":
                value = Kind(value).label
            elif name == "section":
                value = f"{value.code} {value.title}"
            words.append(f"{field.label}: {value}")
        return words

    def error_messages(self) -> list[str]:
        """Plain-language messages for invalid filter values."""
        messages = []
        for name, errors in self.form.errors.items():
            raw = self.data.get(name, "")
            label = self.form.fields[name].label if name in self.form.fields else name
            for error in errors:
                if "valid choice" in error:
                    messages.append(f"{label}: “{raw}” is not one of the choices.")
                else:
                    messages.append(f"{label}: {error}")
        return messages
