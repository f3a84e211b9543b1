"""Status reports: one FilterSet for every report page and export."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from languages import names
from languages.collation import sorted_by_name
from languages.dates import long_date
from languages.regions import region_name

from ..models import (
    Actor,
    ActorKind,
    CurrentStatus,
    Kind,
    OrganizationType,
    Perspective,
    Recommendation,
)
from ..models.places import in_region
from .base import (
    ExplainedFilterSet,
    ListedModelMultipleChoiceFilter,
    addressee_filter,
    either,
    instrument_filter,
    is_empty,
    not_in_future,
    section_filter,
    theme_filter,
)
from .widgets import MarkedCheckboxes, shown_language


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
            raise forms.ValidationError(gettext("Give at most 300 codes."))
        actors, missing = Actor.objects.with_codes(codes)
        if missing:
            raise forms.ValidationError(
                gettext("Unknown code(s): %(codes)s. Use ISO3 (KEN) or an organization code.")
                % {"codes": ", ".join(missing)}
            )
        return actors


class CodeListFilter(django_filters.Filter):
    field_class = CodeListField


def earlier_date_first(value):
    """A "latest update" range that no date can meet is a mistake to say, not a report of nothing."""
    if value and value.start and value.stop and value.start > value.stop:
        raise forms.ValidationError(
            gettext("The first date is after the second; give the earlier date first."), code="reversed"
        )


def status_choices():
    """Statuses grouped by scale, then "No information" (for the multi-select)."""
    from ..models import NO_INFORMATION, NO_INFORMATION_LABEL, SCALES, Status

    groups = [
        (label, [(s, Status(s).label) for s in SCALES[kind]])
        for kind, label in [
            (Kind.RATIFICATION, _("Ratification")),
            (Kind.POLICY, _("Policy action")),
            (Kind.QUANTITATIVE, _("Quantitative target")),
        ]
    ]
    return [*groups, (NO_INFORMATION, NO_INFORMATION_LABEL)]


def region_choices(field: str):
    values = Actor.objects.countries().exclude(**{field: ""}).values_list(field, flat=True).distinct()
    return sorted(set(values))


def region_levels() -> dict[str, list[tuple[str, str]]]:
    """Both levels ``region_options`` offers, from one query (a query per M49 field per filter cost every
    report page three, twice where a page builds a second filter)."""
    rows = Actor.objects.countries().values_list("region", "subregion", "intermediate_region").distinct()
    regions, parts = set(), set()
    for region, subregion, intermediate in rows:
        regions.add(region)
        parts |= {subregion, intermediate}
    # The value is the English M49 name (what URLs and exports carry); the label is the page's language, in its
    # alphabetical order.
    return {
        level: sorted_by_name(((v, region_name(v)) for v in values - {""}), key=lambda choice: choice[1])
        for level, values in (("region", regions), ("subregion", parts))
    }


def region_options(level: str) -> list[tuple[str, str]]:
    """What a region or sub-region filter offers (every page the same). A "sub-region" is an M49 sub-region
    or intermediate region (Western Africa is an intermediate region of Sub-Saharan Africa)."""
    return region_levels()[level]


class StatusFilter(ExplainedFilterSet):
    """Filters over current statuses (or the statuses on a past date), shared by every report and export.

    It does not filter one queryset field by field: ``items()``, ``actors()``
    and ``rows()`` give the item universe, the actor universe and the
    reported rows, from which ``reports`` also derives the "No
    information" pairs.
    """

    item = ListedModelMultipleChoiceFilter(
        label=_("Items"),
        to_field_name="code",
        queryset=Recommendation.objects.all(),
        method="filter_item_side",
        widget=MarkedCheckboxes(language_of=shown_language("title")),
        help_text=_("Tick one or several; none means all."),
    )
    theme = theme_filter(method="filter_item_side")
    section = section_filter(method="filter_item_side")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Kind.choices, method="filter_item_side", empty_label=_("All kinds")
    )
    instrument = instrument_filter(method="filter_item_side")
    addressee = addressee_filter(method="filter_item_side")
    actor_kind = django_filters.ChoiceFilter(
        label=_("Countries or organizations"),
        choices=ActorKind.choices,
        method="filter_actor_side",
        empty_label=pgettext_lazy("countries or organizations", "Both"),
    )
    actor = CodeListFilter(
        label=_("Specific countries or organizations"),
        method="filter_actor_side",
        help_text=_("Codes, separated by commas: KEN, UGA, mfa-asia"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. KEN, UGA"), "list": "actors-list"}),
    )
    region = django_filters.ChoiceFilter(
        label=_("Region (UN M49)"), method="filter_actor_side", empty_label=_("All regions")
    )
    subregion = django_filters.ChoiceFilter(
        label=_("Sub-region (UN M49)"), method="filter_actor_side", empty_label=_("All sub-regions")
    )
    organization_type = django_filters.ChoiceFilter(
        label=_("Organization type"),
        choices=OrganizationType.choices,
        method="filter_actor_side",
        empty_label=_("All types"),
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"),
        method="filter_row",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick one or several; none means all."),
    )
    updated = django_filters.DateFromToRangeFilter(
        label=_("Latest update dated"),
        method="filter_row",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    evidence = django_filters.ChoiceFilter(
        label=_("Evidence"),
        choices=[("yes", _("With evidence")), ("no", _("Without evidence"))],
        method="filter_row",
        empty_label=_("With or without"),
    )
    perspective = django_filters.ChoiceFilter(
        label=_("Perspective (who says so)"),
        choices=Perspective.choices,
        method="filter_date",
        empty_label=_("Consolidated: the latest from any perspective"),
        help_text=(
            _(
                "Show only what one perspective says: the latest verified update from it, "
                "for each country or organization on each item."
            )
        ),
    )
    disagree = django_filters.ChoiceFilter(
        label=_("Assessments"),
        choices=[("yes", _("Perspectives disagree"))],
        method="filter_date",
        empty_label=_("Agreeing or not"),
        help_text=_("Only where the perspectives (e.g. the government and civil society) give different statuses."),
    )
    on = django_filters.DateFilter(
        label=_("Status on date"),
        method="filter_date",
        help_text=_("Show each status as it stood on this date (from the history) instead of today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    compare = django_filters.DateFilter(
        label=_("Compare with the status on"),
        method="filter_date",
        help_text=_("Add a column of changes since this date (the table and the summary)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        # ``qs``: today's reported pairs in scope. Reports read the same conditions through ``items()``,
        # ``actors()`` and ``row_conditions_sql()``, and add the "No information" pairs and past dates.
        model = CurrentStatus
        fields = []

    # What each filter asks of a pair's item or actor: one condition a filter, ``(value, prefix) -> Q``,
    # where ``prefix`` reaches the item (or actor) from the rows filtered. ``qs`` and the reports both use it.
    ITEM_CONDITIONS = {
        "item": lambda value, p: Q(**{f"{p}pk__in": [item.pk for item in value]}),
        "theme": lambda value, p: Q(**{f"{p}themes": value}),
        "section": lambda value, p: Q(
            **{
                f"{p}section__first_paragraph__gte": value.first_paragraph,
                f"{p}section__last_paragraph__lte": value.last_paragraph,
            }
        ),
        "kind": lambda value, p: Q(**{f"{p}kind": value}),
        "instrument": lambda value, p: Q(**{f"{p}instruments": value}),
        "addressee": lambda value, p: Q(**{f"{p}addressees": value}),
    }
    ACTOR_CONDITIONS = {
        "actor_kind": lambda value, p: Q(**{f"{p}kind": value}),
        "actor": lambda value, p: Q(**{f"{p}pk__in": [actor.pk for actor in value]}),
        "region": lambda value, p: in_region("region", value, p),
        "subregion": lambda value, p: in_region("subregion", value, p),
        "organization_type": lambda value, p: Q(**{f"{p}organization_type": value}),
    }

    def filter_item_side(self, queryset, name, value):
        return queryset.filter(self.ITEM_CONDITIONS[name](value, "recommendation__")) if value else queryset

    def filter_actor_side(self, queryset, name, value):
        return queryset.filter(self.ACTOR_CONDITIONS[name](value, "actor__")) if value else queryset

    def filter_row(self, queryset, name, value):
        """Status, dates and evidence: conditions on a pair's row (``row_conditions``), one ORM lookup each."""
        conditions = [c for c in self.row_conditions() if c[0] == self.ROW_FIELDS[name]]
        for column, operator, operand in conditions:
            if operator == "IN" and not operand:
                return queryset.none()
            queryset = queryset.filter(**{f"{column}__{self.LOOKUPS[operator]}": operand})
        return queryset

    def filter_date(self, queryset, name, value):
        """``on`` moves the whole report to a past date and ``compare`` adds a second date: the reports read
        the status intervals holding then (``reports.build_scope``, ``at``); today's rows have no date to meet.
        ``perspective`` chooses the track the reports read (``PerspectiveStatus``), not a condition on a row."""
        return queryset

    # Values chosen from lists, which a form submitted with nothing chosen sends empty (``?item=&status=``).
    LISTED = ("item", "status")
    # Comma-separated codes in one value (``CodeListField``).
    CODE_LISTS = ("actor",)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and hasattr(data, "getlist"):
            data = self.tidied(data)
        super().__init__(data, *args, **kwargs)
        fields = self.form.fields
        fields["status"].choices = status_choices()
        levels = region_levels()
        for level in ("region", "subregion"):  # the field adds its "All …" choice itself, once
            fields[level].choices = levels[level]
        fields["item"].label_from_instance = lambda r: f"{r.code} {names.shown(r, 'title').text}"
        fields["section"].label_from_instance = lambda s: "\u2003" * s.depth + f"{s.code} {s.title[:60]}"
        fields["updated"].validators.append(earlier_date_first)
        fields["on"].validators.append(not_in_future)
        fields["compare"].validators.append(not_in_future)
        after, before = fields["updated"].widget.widgets
        after.attrs["aria-label"] = _("Latest update dated from")
        before.attrs["aria-label"] = _("Latest update dated to")

    @classmethod
    def tidied(cls, data: QueryDict) -> QueryDict:
        """The query as the filters read it: an empty value of a list is no choice, as an empty menu is (not a
        value refused), and item codes in any case, as an item's address takes them (/recommendations/r02/:
        codes are stored in capitals); a code list given twice (``?actor=KEN&actor=UGA``, as a script builds a
        query) is one list, not its last part. A copy: the request's own stays as it came."""
        repeated = [name for name in cls.CODE_LISTS if len(data.getlist(name)) > 1]
        if not repeated and not any(name in data for name in cls.LISTED):
            return data
        data = data.copy()
        for name in cls.LISTED:
            if name in data:
                values = [v.strip() for v in data.getlist(name) if v.strip()]
                data.setlist(name, [v.upper() for v in values] if name == "item" else values)
        for name in repeated:
            data.setlist(name, [",".join(v for v in data.getlist(name) if v.strip())])
        return data

    GROUPS = [
        (_("Which items"), ["item", "theme", "section", "kind", "instrument", "addressee"]),
        (_("Whose progress"), ["actor_kind", "actor", "region", "subregion", "organization_type"]),
        (_("Which statuses"), ["perspective", "disagree", "status", "updated", "evidence", "on", "compare"]),
    ]

    @property
    def field_groups(self):
        return [(legend, [self.form[name] for name in names]) for legend, names in self.GROUPS]

    @property
    def data_(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.form.cleaned_data.items() if not is_empty(v)}

    @property
    def snapshot_date(self) -> datetime.date | None:
        return self.data_.get("on")

    @property
    def compare_date(self) -> datetime.date | None:
        return self.data_.get("compare")

    @property
    def chosen_perspective(self) -> str | None:
        """The perspective whose track the reports read, or None for the consolidated one."""
        return self.data_.get("perspective") or None

    @property
    def disagreement_only(self) -> bool:
        """Only pairs whose perspectives give different statuses (``reports.scope.disagreement_sql``)."""
        return self.data_.get("disagree") == "yes"

    @property
    def rule(self) -> str:
        """Which update makes a pair's status, in words, for the perspective chosen (or the consolidated rule)."""
        from ..models import CONSOLIDATED_RULE

        if self.chosen_perspective is None:
            return str(CONSOLIDATED_RULE)
        return gettext(
            "Perspective “%(perspective)s” only: each status is the latest "
            "verified update from this perspective; where it has made no assessment, “No information”."
        ) % {"perspective": Perspective(self.chosen_perspective).label}

    # Filters that only a reported row can meet: a comparison looks pairs up on the other date without them.
    ROW_ONLY = ("status", "updated_after", "updated_before", "evidence", "disagree")

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

    def describe_value(self, name, value, *, dates=long_date) -> str:
        if name == "updated":
            # The range's ends are the first and last instants of the days typed: the days, as dates.
            start, stop = (timezone.localtime(end).date() if end else None for end in (value.start, value.stop))
            return (
                gettext("%(start)s to %(stop)s")
                % {"start": dates(start) if start else "…", "stop": dates(stop) if stop else "…"}
                if (start or stop)
                else ""
            )
        if name == "actor":
            return ", ".join(f"{names.actor_name(a)} ({a.code})" for a in value)
        if name == "item":
            return ", ".join(i.code for i in value)
        if name == "status":
            from ..models import status_label

            return either(status_label(s) for s in value)
        return super().describe_value(name, value, dates=dates)

    # -- the three querysets ------------------------------------------------

    def items(self, prefix: str = ""):
        """Filter Recommendation rows (``prefix`` reaches them from another model)."""
        return self._conditions(self.ITEM_CONDITIONS, prefix)

    def actors(self, prefix: str = ""):
        """Filter Actor rows; an organization's region is that of its base country (``models.places``)."""
        return self._conditions(self.ACTOR_CONDITIONS, prefix)

    def _conditions(self, conditions: dict, prefix: str) -> Q:
        data, q = self.data_, Q()
        for name, condition in conditions.items():
            if data.get(name):
                q &= condition(data[name], prefix)
        return q

    # The row filters' columns (on CurrentStatus, a StatusInterval's winner or a ProgressUpdate alike).
    ROW_FIELDS = {"status": "status", "updated": "as_of", "evidence": "has_evidence"}
    LOOKUPS = {"IN": "in", ">=": "gte", "<=": "lte", "=": "exact"}

    def row_conditions(self) -> list[tuple[str, str, object]]:
        """Filters that only reported rows can meet (status, dates, evidence): [(column, operator, operand)]."""
        from ..models import NO_INFORMATION

        data, conditions = self.data_, []
        statuses = self.statuses
        if statuses is not None:
            conditions.append(("status", "IN", sorted(statuses - {NO_INFORMATION})))
        updated = data.get("updated")
        if updated is not None and updated.start:
            conditions.append(("as_of", ">=", updated.start))
        if updated is not None and updated.stop:
            conditions.append(("as_of", "<=", updated.stop))
        if data.get("evidence"):
            conditions.append(("has_evidence", "=", data["evidence"] == "yes"))
        return conditions

    def row_conditions_sql(self, alias: str) -> tuple[str, list]:
        """``row_conditions`` as a SQL WHERE on ``alias``; every operand is a parameter."""
        sql, params = [], []
        for column, operator, operand in self.row_conditions():
            if operator != "IN":
                sql.append(f"{alias}.{column} {operator} %s")
                params.append(operand)
            elif operand:
                sql.append(f"{alias}.{column} IN ({', '.join(['%s'] * len(operand))})")
                params += operand
            else:
                sql.append("1 = 0")
        return ("WHERE " + " AND ".join(sql), params) if sql else ("", [])

    @property
    def includes_no_information(self) -> bool:
        """Unreported pairs appear only when no row-only filter rules them out."""
        from ..models import NO_INFORMATION

        data = self.data_
        statuses = self.statuses
        if statuses is not None and NO_INFORMATION not in statuses:
            return False
        updated = data.get("updated")
        if data.get("disagree"):
            return False
        return not (data.get("evidence") or (updated is not None and (updated.start or updated.stop)))
