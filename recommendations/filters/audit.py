"""The audit trail's filters."""

import django_filters
from django.db.models import Q

from ..models import AuditAction, AuditEvent
from .base import SEARCH_MAX, ExplainedFilterSet


class AuditFilter(ExplainedFilterSet):
    """The audit trail, by person, action, kind of object, date and words."""

    user = django_filters.CharFilter(
        label="Person (username)", field_name="username", lookup_expr="iexact", max_length=SEARCH_MAX
    )
    action = django_filters.ChoiceFilter(label="Action", empty_label="All actions")
    object_type = django_filters.ChoiceFilter(label="Kind of object", empty_label="All kinds")
    at = django_filters.DateFromToRangeFilter(
        label="Date", widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    q = django_filters.CharFilter(label="Words", method="filter_words", max_length=SEARCH_MAX)

    class Meta:
        model = AuditEvent
        fields = ["user", "action", "object_type", "at", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["action"].choices = [("", "All actions"), *AuditAction.choices]
        kinds = AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
        self.form.fields["object_type"].choices = [("", "All kinds")] + [(k, k) for k in kinds]
        after, before = self.form.fields["at"].widget.widgets
        after.attrs["aria-label"] = "From date"
        before.attrs["aria-label"] = "To date"

    def filter_words(self, queryset, name, value):
        return queryset.filter(Q(object_repr__icontains=value) | Q(detail__icontains=value) | Q(object_id=value))
