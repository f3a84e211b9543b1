"""The data behind a map: each country's status on one call to action, from the report functions.

Nothing here writes SQL or reads the report internals: a map is the table
report for one item restricted to countries (``StatusFilter`` with
``actor_kind=country``), read with ``reports.build_scope`` and
``reports.iter_export_rows`` — so a map always agrees with the table, the
CSV and every other report for the same filters, including ``on=``.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from languages.collation import in_database_order, sort_key
from languages.dates import long_date
from languages.names import actor_name, shown
from recommendations.filters import StatusFilter
from recommendations.models import REPORT_STATUSES, STATUS_SHORT, Actor, ActorKind, Recommendation, status_label
from recommendations.models.progress import iso_as_of_heading

from .rows import Standing, described_except, report_rows, unit_shown
from .world import world


@dataclass(frozen=True)
class Place(Standing):
    """One country's cell on the map."""

    code: str
    name: str


@dataclass
class WorldMap:
    item: Recommendation
    places: dict[str, Place]  # by ISO3, the countries the filters keep, in name order
    snapshot: datetime.date | None
    filters: list[str] = field(default_factory=list)  # the other active filters in words (not item, not kind)

    @property
    def day(self) -> datetime.date:
        return self.snapshot or timezone.localdate()

    @property
    def as_of_heading(self) -> str:
        """The heading over the table's as-of dates, worded for their precisions (``models.as_of_heading``)."""
        return iso_as_of_heading(place.as_of for place in self.places.values())

    @property
    def counts(self) -> list[tuple[str, str, str, int]]:
        """(status, label, letter, number of countries), in report order."""
        counter = Counter(place.status for place in self.places.values())
        return [(s, status_label(s), STATUS_SHORT[s], counter[s]) for s in REPORT_STATUSES if counter.get(s)]

    @property
    def small_states(self) -> list[Place]:
        """Countries in the map's inset (too small to see, or missing from the source map), by name."""
        atlas = world()
        return [place for code, place in self.places.items() if atlas.is_small(code)]

    @property
    def small_states_by_status(self) -> list[tuple[str, str, list[Place]]]:
        """The inset's countries grouped by status, in report order: (status, label, places)."""
        places = self.small_states
        return [
            (s, status_label(s), [p for p in places if p.status == s])
            for s in REPORT_STATUSES
            if any(p.status == s for p in places)
        ]

    @property
    def without_geometry(self) -> list[Place]:
        missing = set(world().missing)
        return [place for code, place in self.places.items() if code in missing]

    def describe(self) -> str:
        """The map in one sentence, for its <title> and the image's alternative text.

        An item whose title has no translation yet is named by its code alone: its English title inside a
        sentence in the reader's language could not be marked as English (a ``<title>`` holds text only, and
        it is read in the document's language), so a French screen reader would speak it with French sounds.
        The page's heading above the map and the downloaded file's drawn title give that title, marked."""
        counts = ", ".join(f"{label} {n}" for __, label, __, n in self.counts) or _("no country in this selection")
        title = shown(self.item, "title")
        names = {"code": self.item.code, "title": title.text, "counts": counts}
        if self.snapshot:
            names["day"] = long_date(self.day)
            if title.missing:
                return _("%(code)s: status of countries on %(day)s. %(counts)s.") % names
            return _("%(code)s %(title)s: status of countries on %(day)s. %(counts)s.") % names
        if title.missing:
            return _("%(code)s: status of countries today. %(counts)s.") % names
        return _("%(code)s %(title)s: status of countries today. %(counts)s.") % names


def country_query(query: QueryDict) -> QueryDict:
    """The same filters, for countries only (a map places countries; organizations are in the table)."""
    data = query.copy()
    data["actor_kind"] = ActorKind.COUNTRY.value
    return data


def map_errors(query: QueryDict) -> list[str]:
    """What stops a map being drawn for these filters, before any query runs."""
    if query.get("actor_kind") == ActorKind.ORGANIZATION.value:
        return [_("The map places countries; organizations are listed in the table report.")]
    return []


def chosen_items(filterset: StatusFilter) -> list[Recommendation]:
    """The items a valid filter names with ``item=`` (none for an invalid one)."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    return list(filterset.form.cleaned_data.get("item") or [])


def build_map(filterset: StatusFilter) -> WorldMap:
    """The map of a valid country filter naming exactly one item."""
    items = chosen_items(filterset)
    if len(items) != 1:
        raise ValueError("a map shows exactly one call to action")
    # The rows carry the English name (the exports' contract); the map names countries in the page's language.
    shown_names = (
        {}
        if in_database_order()
        else {a.code: actor_name(a) for a in Actor.objects.countries().only("code", "name", "other_names")}
    )
    places: dict[str, Place] = {}
    unit = unit_shown(items[0])
    for row in report_rows(filterset):
        if row["actor_kind"] == ActorKind.COUNTRY:
            name = shown_names.get(row["actor_code"], row["actor_name"])
            fields = {**Standing.fields(row), "unit": unit}  # the item's unit in the page's language
            places[row["country_iso3"]] = Place(code=row["actor_code"], name=name, **fields)
    by_name = str if in_database_order() else sort_key()  # English as before; other languages' own order
    return WorldMap(
        item=items[0],
        places=dict(sorted(places.items(), key=lambda pair: by_name(pair[1].name))),
        snapshot=filterset.form.cleaned_data.get("on"),
        filters=described_except(filterset, "item", "actor_kind"),
    )


def map_for_item(item: Recommendation) -> WorldMap:
    """Today's map of one item, as its page shows it (the same as /reports/map/?item=<code>)."""
    return build_map(StatusFilter(country_query(QueryDict(f"item={item.code}"))))
