"""Countries and organizations side by side: the status of each on every item, from the report functions.

A comparison is the table report for 2–6 actors (``StatusFilter`` with
``actor=<codes>`` and the item filters and ``on=`` of the request), read with
``reports.build_scope`` and ``reports.iter_export_rows``, then arranged one
row per item and one column per actor. A cell is empty where the item does
not concern that kind of actor (an organization does not ratify treaties),
exactly as the table has no row there.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _

from languages.collation import sort_key
from languages.names import english, shown
from recommendations.filters import StatusFilter
from recommendations.models import Actor, ActorKind, Recommendation, Theme, status_label_en

from .rows import Standing, described_except, report_rows, unit_shown
from .world import nearest

MIN_ACTORS, MAX_ACTORS = 2, 6
# The report filters a comparison accepts besides the actors (the actors are the columns, so the actor
# filters do not apply; a status filter would hide cells and make rows look alike).
ITEM_FILTERS = ("theme", "section", "kind", "instrument", "addressee", "on")


@dataclass
class Row:
    item: Recommendation
    cells: list[Standing | None]  # one per actor, in the order asked for
    actors: list[Actor]

    @property
    def pairs(self) -> list[tuple[Actor, Standing | None]]:
        return list(zip(self.actors, self.cells, strict=True))

    @property
    def differs(self) -> bool:
        """The actors the item concerns do not all stand at the same place."""
        return len({cell.stage for cell in self.cells if cell is not None}) > 1


@dataclass
class Comparison:
    actors: list[Actor]
    rows: list[Row]  # one per item, in the source's order
    snapshot: datetime.date | None
    filters: list[str] = field(default_factory=list)

    @property
    def differing(self) -> int:
        return sum(1 for row in self.rows if row.differs)

    def by_theme(self, *, only_differences: bool = False) -> list[tuple[Theme | None, list[Row]]]:
        """Rows grouped by theme, as on a country's page: an item with several themes shows under each.

        The themes themselves (None: the items with none, last), so the page names each as every page does
        (``{% shown theme "name" %}``: marked where untranslated), in the order of the names it shows.
        """
        groups: dict[Theme | None, list[Row]] = defaultdict(list)
        for row in self.rows:
            if only_differences and not row.differs:
                continue
            for theme in row.item.themes.all() or [None]:
                groups[theme].append(row)
        collate = sort_key()
        return sorted(
            groups.items(),
            key=lambda pair: (pair[0] is None, collate(shown(pair[0], "name").text) if pair[0] else b""),
        )


def parse_codes(values: list[str]) -> list[str]:
    """``?actors=KEN,UGA&actors=TZA`` → ['KEN', 'UGA', 'TZA'], without repeats (codes are case-insensitive)."""
    codes: dict[str, str] = {}
    for value in values:
        for code in value.replace(";", ",").split(","):
            code = code.strip()
            if code:
                codes.setdefault(code.lower(), code)
    return list(codes.values())


def count_error(codes: list[str]) -> str | None:
    if len(codes) < MIN_ACTORS:
        return _("Choose at least %(min)s countries or organizations to compare (you gave %(n)s).") % {
            "min": MIN_ACTORS,
            "n": len(codes),
        }
    if len(codes) > MAX_ACTORS:
        return _(
            "Compare at most %(max)s countries or organizations at a time (you gave %(n)s); "
            "a wider table stops being readable. The matrix report shows any number."
        ) % {"max": MAX_ACTORS, "n": len(codes)}
    return None


def status_query(query: QueryDict, codes: list[str]) -> QueryDict:
    """The report filter of a comparison: the actors, and the item filters and date the request gives."""
    data = QueryDict(mutable=True)
    data["actor"] = ",".join(codes)
    for name in ITEM_FILTERS:
        if query.get(name):
            data[name] = query[name]
    return data


def build(filterset: StatusFilter) -> Comparison:
    """The comparison for a valid filter naming its actors with ``actor=``."""
    if not filterset.is_valid():
        raise ValueError(f"invalid comparison filters: {filterset.error_messages()}")
    actors = list(filterset.form.cleaned_data["actor"])
    column = {actor.code: n for n, actor in enumerate(actors)}
    cells: dict[str, list[Standing | None]] = {}
    for row in report_rows(filterset, sort="item"):
        line = cells.setdefault(row["recommendation_code"], [None] * len(actors))
        line[column[row["actor_code"]]] = Standing(**Standing.fields(row))
    items = Recommendation.objects.filter(code__in=list(cells)).prefetch_related("themes").order_by("position")
    return Comparison(
        actors=actors,
        rows=[Row(item=item, cells=in_page_language(cells[item.code], item), actors=actors) for item in items],
        snapshot=filterset.form.cleaned_data.get("on"),
        filters=described_except(filterset, "actor"),
    )


def in_page_language(cells: list[Standing | None], item: Recommendation) -> list[Standing | None]:
    """An item's cells with its unit in the page's language (``unit_shown``, as the map writes it): the rows carry
    the English unit ("9,6 % of amount sent" on a French page)."""
    unit = unit_shown(item)
    return [replace(cell, unit=unit) if cell else None for cell in cells]


# The CSV's code for a cell whose item does not concern the actor (pages read "Does not apply").
DOES_NOT_APPLY = "does_not_apply"


def csv_rows(comparison: Comparison):
    """One line per item: code, title, kind, themes, then each actor's status and date, and whether they differ.

    Status codes and their English labels, not the page language's (an export is the same file under every
    language prefix, as the history CSV writes them), and ``does_not_apply`` for an item that does not concern
    an actor.
    """
    for row in comparison.rows:
        line = [
            row.item.code,
            english(row.item, "title"),  # titles and names in English: an export's values are a contract
            row.item.kind,
            "; ".join(english(theme, "name") for theme in row.item.themes.all()),
        ]
        for cell in row.cells:
            if cell:
                line += [cell.status, status_label_en(cell.status), cell.as_of]
            else:
                line += [DOES_NOT_APPLY, "Does not apply", ""]
        line.append("yes" if row.differs else "no")
        yield line


def csv_header(comparison: Comparison) -> list[str]:
    header = ["recommendation_code", "recommendation_title", "kind", "themes"]
    for actor in comparison.actors:
        # snake_case, one word, as every other export's columns (a space breaks tools that read them as names)
        header += [f"{actor.code}_status", f"{actor.code}_status_label", f"{actor.code}_as_of"]
    return [*header, "differs"]


def subregion_of(actor: Actor) -> str:
    """A country's most specific UN M49 group (intermediate region, else sub-region), as the reports place it."""
    return actor.intermediate_region or actor.subregion


def region_peers(actor: Actor) -> list[Actor]:
    """The other countries of ``actor``'s sub-region, through the report filter's own membership rule."""
    name = subregion_of(actor)
    if actor.kind != ActorKind.COUNTRY or not name:
        return []
    filterset = StatusFilter(QueryDict(urlencode({"subregion": name, "actor_kind": ActorKind.COUNTRY.value})))
    if not filterset.is_valid():
        return []
    return list(Actor.objects.filter(filterset.actors()).exclude(pk=actor.pk).order_by("name"))


def region_selection(actor: Actor) -> list[str]:
    """The country and up to five of its sub-region: those sharing a land border first, then the nearest."""
    peers = {peer.iso3: peer.code for peer in region_peers(actor)}
    chosen = nearest(actor.iso3, list(peers), MAX_ACTORS - 1)
    return [actor.code, *(peers[iso3] for iso3 in chosen)]
