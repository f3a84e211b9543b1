"""The review queue's filters."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Actor, ProgressUpdate, Recommendation
from .base import ExplainedFilterSet, keyed
from .widgets import MarkedSelect, shown_language

AGE_CHOICES = [("7", _("Waiting over a week")), ("30", _("Waiting over a month")), ("90", _("Waiting over 3 months"))]


class ReviewQueueFilter(ExplainedFilterSet):
    """Pending updates, by who filed them, about what and whom, and how long they have waited."""

    organization = keyed(
        _("Filed by organization (code)"),
        Actor.objects.organizations(),
        "code",
        field_name="reported_by_organization",
        widget=forms.TextInput(attrs={"placeholder": _("e.g. mfa-asia")}),
    )
    item = keyed(
        _("Item"),
        Recommendation.objects.all(),
        "code",
        field_name="recommendation",
        empty_label=_("All items"),
        widget=MarkedSelect(language_of=shown_language("title")),
    )
    actor = keyed(
        _("Country or organization (code)"),
        Actor.objects.all(),
        "code",
        widget=forms.TextInput(attrs={"placeholder": _("e.g. KEN")}),
    )
    older_than = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGE_CHOICES, method="filter_age", empty_label=_("Any age")
    )

    class Meta:
        model = ProgressUpdate
        fields = ["organization", "item", "actor", "older_than"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["item"].label_from_instance = lambda r: f"{r.code} {r.title}"

    def filter_age(self, queryset, name, value):
        return queryset.filter(created_at__lte=timezone.now() - datetime.timedelta(days=int(value)))


def review_queue_filter(data) -> ReviewQueueFilter:
    """The review queue: pending updates, oldest first, behind its filters.

    The one definition of "the queue", for its page and for a bulk review of
    "all updates matching these filters" (which must select exactly what the page lists).
    """
    base = (
        ProgressUpdate.objects.pending()
        .select_related("actor", "recommendation", "reported_by_organization", "created_by")
        .order_by("created_at", "pk")
    )
    return ReviewQueueFilter(data or None, queryset=base)
