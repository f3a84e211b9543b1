"""The items list's filters."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Kind, Recommendation, SDGTarget
from .base import (
    ExplainedFilterSet,
    addressee_filter,
    instrument_filter,
    keyed,
    search_filter,
    section_filter,
    theme_filter,
)
from .widgets import MarkedSelect, english_only


class RecommendationFilter(ExplainedFilterSet):
    q = search_filter(_("Code, title or words of the text"))
    theme = theme_filter(field_name="themes")
    section = section_filter(method="filter_section")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices, empty_label=_("All kinds"))
    addressee = addressee_filter(field_name="addressees")
    instrument = instrument_filter(field_name="instruments")
    sdg = keyed(
        _("Related SDG target (editorial)"),
        SDGTarget.objects.all(),
        "code",
        field_name="sdg_targets",
        empty_label=_("Any SDG target"),
        widget=MarkedSelect(language_of=english_only),
    )
    editorial = django_filters.ChoiceFilter(
        label=_("Title and scope"),
        choices=[
            ("source", _("In the words of the quotations")),
            ("editorial", _("Editorial title or split")),
            ("split", _("Editorial splits only")),
        ],
        method="filter_editorial",
        empty_label=pgettext_lazy("title and scope", "Any"),
    )

    class Meta:
        model = Recommendation
        fields = ["q", "theme", "section", "kind", "addressee", "instrument", "sdg", "editorial"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Indent subsections so the document's structure shows in the list.
        self.filters["section"].field.label_from_instance = lambda s: (
            "\u2003" * s.depth + f"{s.code} {s.title[:70]}{'…' if len(s.title) > 70 else ''}"
        )
        self.filters["sdg"].field.label_from_instance = lambda t: f"{t.code} {t.title[:60]}…"

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_editorial(self, queryset, name, value):
        editorial = Q(title_is_editorial=True) | Q(editorial_split=True)
        if value == "split":
            return queryset.filter(editorial_split=True)
        return queryset.filter(editorial) if value == "editorial" else queryset.exclude(editorial)

    def filter_section(self, queryset, name, section):
        # A section includes its subsections: match on the paragraph range.
        return queryset.filter(
            section__document_id=section.document_id,
            section__first_paragraph__gte=section.first_paragraph,
            section__last_paragraph__lte=section.last_paragraph,
        )
