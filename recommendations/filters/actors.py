"""The actors list's filters."""

import django_filters
from django.utils.translation import gettext_lazy as _

from ..models import Actor, ActorKind, OrganizationType
from ..models.places import in_region
from .base import ExplainedFilterSet, search_filter
from .status import region_levels


class ActorFilter(ExplainedFilterSet):
    q = search_filter(_("Name or code"))
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ActorKind.choices, empty_label=_("Countries and organizations")
    )
    region = django_filters.ChoiceFilter(label=_("Region"), method="filter_region", empty_label=_("All regions"))
    subregion = django_filters.ChoiceFilter(
        label=_("Sub-region"), method="filter_region", empty_label=_("All sub-regions")
    )
    organization_type = django_filters.ChoiceFilter(
        label=_("Organization type"), choices=OrganizationType.choices, empty_label=_("All types")
    )

    class Meta:
        model = Actor
        fields = ["q", "kind", "region", "subregion", "organization_type"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        levels = region_levels()
        for level in ("region", "subregion"):  # the same choices as the reports' (the field adds "All …" once)
            self.filters[level].extra["choices"] = self.form.fields[level].choices = levels[level]

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_region(self, queryset, name, value):
        return queryset.filter(in_region(name, value))
