"""Status reports: one FilterSet for every report page and export."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict

from ..models import (
    Actor,
    ActorKind,
    Addressee,
    Instrument,
    Kind,
    OrganizationType,
    ProgressUpdate,
    Recommendation,
    Section,
    Theme,
)
from .base import EDITORIAL_THEME_LABEL, ExplainedFilterSet, not_in_future


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
    from ..models import NO_INFORMATION, NO_INFORMATION_LABEL, SCALES, Status

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
        fields["on"].validators.append(not_in_future)
        fields["compare"].validators.append(not_in_future)
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
            from ..models import status_label

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
        from ..models import NO_INFORMATION

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
        from ..models import NO_INFORMATION

        data = self.data_
        statuses = self.statuses
        if statuses is not None and NO_INFORMATION not in statuses:
            return False
        updated = data.get("updated")
        return not (data.get("evidence") or (updated is not None and (updated.start or updated.stop)))
