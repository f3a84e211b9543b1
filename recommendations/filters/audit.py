"""The audit trail's filters."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models import AuditAction, AuditEvent
from .base import SEARCH_MAX, ExplainedFilterSet


class AuditFilter(ExplainedFilterSet):
    """The audit trail, by person, action, kind of object, date and words."""

    user = django_filters.CharFilter(
        label=_("Person (username)"), field_name="username", lookup_expr="iexact", max_length=SEARCH_MAX
    )
    action = django_filters.ChoiceFilter(label=_("Action"), empty_label=_("All actions"))
    object_type = django_filters.ChoiceFilter(label=_("Kind of object"), empty_label=_("All kinds"))
    at = django_filters.DateFromToRangeFilter(
        label=_("Date"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    q = django_filters.CharFilter(label=_("Words"), method="filter_words", max_length=SEARCH_MAX)

    class Meta:
        model = AuditEvent
        fields = ["user", "action", "object_type", "at", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["action"].choices = [("", _("All actions")), *AuditAction.choices]
        kinds = AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
        self.form.fields["object_type"].choices = [("", _("All kinds"))] + [(k, k) for k in kinds]
        after, before = self.form.fields["at"].widget.widgets
        after.attrs["aria-label"] = _("From date")
        before.attrs["aria-label"] = _("To date")

    def filter_words(self, queryset, name, value):
        return queryset.filter(Q(object_repr__icontains=value) | Q(detail__icontains=value) | Q(object_id=value))
