"""django-filter FilterSets, shared by the HTML pages and their exports.

Filter values in URLs are natural keys (theme slug, section code, instrument
short name), never database ids, so a filtered URL is readable, shareable
and survives a database rebuild.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from .models import (
    Actor,
    ActorKind,
    Addressee,
    AuditAction,
    AuditEvent,
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

# Longer searches are refused with a message (a database may reject a huge LIKE pattern).
SEARCH_MAX = 200
# Themes are the tracker's editorial grouping, not the source's: every filter says so.
EDITORIAL_THEME_LABEL = "Theme (editorial)"


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
        max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Code, title or words of the text"}),
    )
    theme = django_filters.ModelChoiceFilter(
        label=EDITORIAL_THEME_LABEL,
        field_name="themes",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        empty_label="All themes",
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
        label="Related SDG target (editorial)",
        field_name="sdg_targets",
        to_field_name="code",
        queryset=SDGTarget.objects.all(),
        empty_label="Any SDG target",
    )
    editorial = django_filters.ChoiceFilter(
        label="Title and scope",
        choices=[
            ("source", "In the words of the quotations"),
            ("editorial", "Editorial title or split"),
            ("split", "Editorial splits only"),
        ],
        method="filter_editorial",
        empty_label="Any",
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


class ActorFilter(ExplainedFilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_text",
        max_length=SEARCH_MAX,
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
        for level in ("region", "subregion"):  # the same choices as the reports' (the field adds "All …" once)
            self.filters[level].extra["choices"] = self.form.fields[level].choices = region_options(level)

    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_region(self, queryset, name, value):
        return queryset.filter(in_region(name, value))


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


# ---------------------------------------------------------------------------
# Status reports: one FilterSet for every report page and export
# ---------------------------------------------------------------------------


class CodeListField(forms.CharField):
    """Comma-separated actor codes (KEN, UGA, mfa-asia) → the actors, or a message naming the unknown ones."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 5000)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        codes = [c.strip() for c in (value or "").replace(";", ",").split(",") if c.strip()]
        if not codes:
            return []
        if len(codes) > 300:
            raise forms.ValidationError("Give at most 300 codes.")
        found = {a.code.lower(): a for a in Actor.objects.filter(code__in=self._variants(codes))}
        missing = [c for c in codes if c.lower() not in found]
        if missing:
            raise forms.ValidationError(
                f"Unknown code(s): {', '.join(missing)}. Use ISO3 (KEN) or an organization code."
            )
        return [found[c.lower()] for c in dict.fromkeys(codes)]

    @staticmethod
    def _variants(codes):
        return {v for c in codes for v in (c, c.upper(), c.lower())}


class CodeListFilter(django_filters.Filter):
    field_class = CodeListField


def status_choices():
    """Statuses grouped by scale, then "No information" (for the multi-select)."""
    from .models import NO_INFORMATION, NO_INFORMATION_LABEL, SCALES, Status

    groups = [
        (label, [(s, Status(s).label) for s in SCALES[kind]])
        for kind, label in [
            (Kind.RATIFICATION, "Ratification"),
            (Kind.POLICY, "Policy action"),
            (Kind.QUANTITATIVE, "Quantitative target"),
        ]
    ]
    return [*groups, (NO_INFORMATION, NO_INFORMATION_LABEL)]


def region_choices(field: str):
    values = Actor.objects.countries().exclude(**{field: ""}).values_list(field, flat=True).distinct()
    return sorted(set(values))


def region_options(level: str) -> list[tuple[str, str]]:
    """What a region or sub-region filter offers (every page the same). A "sub-region" is an M49 sub-region
    or intermediate region (Western Africa is an intermediate region of Sub-Saharan Africa)."""
    if level == "region":
        values = region_choices("region")
    else:
        values = sorted(set(region_choices("subregion")) | set(region_choices("intermediate_region")))
    return [(v, v) for v in values]


def in_region(level: str, value: str, prefix: str = "") -> Q:
    """The one rule of region membership: a country by its M49 areas, an organization by its base country's."""
    fields = ["region"] if level == "region" else ["subregion", "intermediate_region"]
    q = Q()
    for field in fields:
        q |= Q(**{f"{prefix}{field}": value}) | Q(**{f"{prefix}base_country__{field}": value})
    return q


class StatusFilter(ExplainedFilterSet):
    """Filters over current statuses (or the statuses on a past date), shared by every report and export.

    It does not filter one queryset field by field: ``items()``, ``actors()``
    and ``rows()`` give the item universe, the actor universe and the
    reported rows, from which ``reports.py`` also derives the "No
    information" pairs.
    """

    item = django_filters.ModelMultipleChoiceFilter(
        label="Items",
        to_field_name="code",
        queryset=Recommendation.objects.all(),
        method="noop",
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick one or several; none means all.",
    )
    theme = django_filters.ModelChoiceFilter(
        label=EDITORIAL_THEME_LABEL,
        to_field_name="slug",
        queryset=Theme.objects.all(),
        method="noop",
        empty_label="All themes",
    )
    section = django_filters.ModelChoiceFilter(
        label="Section",
        to_field_name="code",
        queryset=Section.objects.order_by("position"),
        method="noop",
        empty_label="All sections",
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Kind.choices, method="noop", empty_label="All kinds")
    instrument = django_filters.ModelChoiceFilter(
        label="Instrument",
        to_field_name="short_name",
        queryset=Instrument.objects.all(),
        method="noop",
        empty_label="All instruments",
    )
    addressee = django_filters.ModelChoiceFilter(
        label="Addressed to",
        to_field_name="slug",
        queryset=Addressee.objects.all(),
        method="noop",
        empty_label="All addressees",
    )
    actor_kind = django_filters.ChoiceFilter(
        label="Countries or organizations", choices=ActorKind.choices, method="noop", empty_label="Both"
    )
    actor = CodeListFilter(
        label="Specific countries or organizations",
        method="noop",
        help_text="Codes, separated by commas: KEN, UGA, mfa-asia",
        widget=forms.TextInput(attrs={"placeholder": "e.g. KEN, UGA", "list": "actors-list"}),
    )
    region = django_filters.ChoiceFilter(label="Region (UN M49)", method="noop", empty_label="All regions")
    subregion = django_filters.ChoiceFilter(label="Sub-region (UN M49)", method="noop", empty_label="All sub-regions")
    organization_type = django_filters.ChoiceFilter(
        label="Organization type", choices=OrganizationType.choices, method="noop", empty_label="All types"
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        method="noop",
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick one or several; none means all.",
    )
    updated = django_filters.DateFromToRangeFilter(
        label="Latest update dated",
        method="noop",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    evidence = django_filters.ChoiceFilter(
        label="Evidence",
        choices=[("yes", "With evidence"), ("no", "Without evidence")],
        method="noop",
        empty_label="With or without",
    )
    on = django_filters.DateFilter(
        label="Status on date",
        method="noop",
        help_text="Show each status as it stood on this date (from the history) instead of today.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    compare = django_filters.DateFilter(
        label="Compare with the status on",
        method="noop",
        help_text="Add a column of changes since this date (the table and the summary).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = ProgressUpdate  # not used for filtering: see rows(), items(), actors()
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        fields["status"].choices = status_choices()
        for level in ("region", "subregion"):  # the field adds its "All …" choice itself, once
            fields[level].choices = region_options(level)
        fields["item"].label_from_instance = lambda r: f"{r.code} {r.title}"
        fields["section"].label_from_instance = lambda s: "\u2003" * s.depth + f"{s.code} {s.title[:60]}"
        fields["on"].validators.append(_not_in_future)
        fields["compare"].validators.append(_not_in_future)
        after, before = fields["updated"].widget.widgets
        after.attrs["aria-label"] = "Latest update dated from"
        before.attrs["aria-label"] = "Latest update dated to"

    def noop(self, queryset, name, value):
        return queryset

    GROUPS = [
        ("Which items", ["item", "theme", "section", "kind", "instrument", "addressee"]),
        ("Whose progress", ["actor_kind", "actor", "region", "subregion", "organization_type"]),
        ("Which statuses", ["status", "updated", "evidence", "on", "compare"]),
    ]

    @property
    def field_groups(self):
        return [(legend, [self.form[name] for name in names]) for legend, names in self.GROUPS]

    @property
    def data_(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "", [])}

    @property
    def snapshot_date(self) -> datetime.date | None:
        return self.data_.get("on")

    @property
    def compare_date(self) -> datetime.date | None:
        return self.data_.get("compare")

    # Filters that only a reported row can meet: a comparison looks pairs up on the other date without them.
    ROW_ONLY = ("status", "updated_after", "updated_before", "evidence")

    def at(self, day: datetime.date) -> "StatusFilter":
        """The same pairs (items and actors) as they stood on ``day``, whatever their status then: the other
        side of a comparison. The same FilterSet, with ``on`` moved to that day and the row-only filters off."""
        data = self.data.copy() if self.is_bound else QueryDict(mutable=True)
        for name in (*self.ROW_ONLY, "compare", "on"):
            data.pop(name, None)
        data["on"] = day.isoformat()
        return StatusFilter(data)

    @property
    def statuses(self) -> set[str] | None:
        """The statuses asked for, or None for all (including "No information")."""
        chosen = self.data_.get("status")
        return set(chosen) if chosen else None

    def describe_value(self, name, value) -> str:
        if name == "updated":
            start, stop = value.start, value.stop
            return f"{start or '…'} to {stop or '…'}" if (start or stop) else ""
        if name == "actor":
            return ", ".join(f"{a.name} ({a.code})" for a in value)
        if name == "item":
            return ", ".join(i.code for i in value)
        if name == "status":
            from .models import status_label

            return " or ".join(status_label(s) for s in value)
        return super().describe_value(name, value)

    # -- the three querysets ------------------------------------------------

    def items(self, prefix: str = ""):
        """Filter Recommendation rows (``prefix`` reaches them from another model)."""
        data, q = self.data_, Q()
        if data.get("item"):
            q &= Q(**{f"{prefix}pk__in": [i.pk for i in data["item"]]})
        if data.get("theme"):
            q &= Q(**{f"{prefix}themes": data["theme"]})
        if data.get("section"):
            section = data["section"]
            q &= Q(
                **{
                    f"{prefix}section__first_paragraph__gte": section.first_paragraph,
                    f"{prefix}section__last_paragraph__lte": section.last_paragraph,
                }
            )
        if data.get("kind"):
            q &= Q(**{f"{prefix}kind": data["kind"]})
        if data.get("instrument"):
            q &= Q(**{f"{prefix}instruments": data["instrument"]})
        if data.get("addressee"):
            q &= Q(**{f"{prefix}addressees": data["addressee"]})
        return q

    def actors(self, prefix: str = ""):
        """Filter Actor rows; an organization's region is that of its base country."""
        data, q = self.data_, Q()
        if data.get("actor_kind"):
            q &= Q(**{f"{prefix}kind": data["actor_kind"]})
        if data.get("actor"):
            q &= Q(**{f"{prefix}pk__in": [a.pk for a in data["actor"]]})
        for level in ("region", "subregion"):
            if data.get(level):
                q &= in_region(level, data[level], prefix)
        if data.get("organization_type"):
            q &= Q(**{f"{prefix}organization_type": data["organization_type"]})
        return q

    def row_conditions_sql(self, alias: str) -> tuple[str, list]:
        """Filters that only reported rows can meet (status, dates, evidence), as a SQL WHERE on ``alias``."""
        from .models import NO_INFORMATION

        data, conditions, params = self.data_, [], []
        statuses = self.statuses
        if statuses is not None:
            chosen = sorted(statuses - {NO_INFORMATION})
            if chosen:
                conditions.append(f"{alias}.status IN ({', '.join(['%s'] * len(chosen))})")
                params += chosen
            else:
                conditions.append("1 = 0")
        updated = data.get("updated")
        if updated is not None and updated.start:
            conditions.append(f"{alias}.as_of >= %s")
            params.append(updated.start)
        if updated is not None and updated.stop:
            conditions.append(f"{alias}.as_of <= %s")
            params.append(updated.stop)
        if data.get("evidence"):
            conditions.append(f"{alias}.has_evidence = %s")
            params.append(data["evidence"] == "yes")
        return ("WHERE " + " AND ".join(conditions), params) if conditions else ("", [])

    @property
    def includes_no_information(self) -> bool:
        """Unreported pairs appear only when no row-only filter rules them out."""
        from .models import NO_INFORMATION

        data = self.data_
        statuses = self.statuses
        if statuses is not None and NO_INFORMATION not in statuses:
            return False
        updated = data.get("updated")
        return not (data.get("evidence") or (updated is not None and (updated.start or updated.stop)))


def _not_in_future(value):
    if value > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future; leave it empty for today's statuses.")


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
