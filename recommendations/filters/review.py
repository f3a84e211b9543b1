"""The review queue's filters."""

import datetime

import django_filters
from django import forms
from django.utils import timezone

from ..models import (
    Actor,
    ProgressUpdate,
    Recommendation,
    ReviewState,
)
from .base import ExplainedFilterSet

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
        label="Item",
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


def review_queue_filter(data) -> ReviewQueueFilter:
    """The review queue: pending updates, oldest first, behind its filters.

    The one definition of "the queue", for its page and for a bulk review of
    "all updates matching these filters" (which must select exactly what the page lists).
    """
    base = (
        pending_updates()
        .select_related("actor", "recommendation", "reported_by_organization", "created_by")
        .order_by("created_at", "pk")
    )
    return ReviewQueueFilter(data or None, queryset=base)
