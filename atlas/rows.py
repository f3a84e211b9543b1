"""Reading the report's rows: the one way the atlas gets statuses (the public report API, nothing else)."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext

from languages.names import shown
from languages.numbers import measured
from recommendations import reports
from recommendations.filters import StatusFilter
from recommendations.models import STAGES, STATUS_SHORT, status_label
from recommendations.models.progress import format_iso_as_of, iso_as_of_heading, iso_as_of_phrase


@dataclass(frozen=True)
class Standing:
    """Where one actor stands on one item, as the table report shows it."""

    status: str
    as_of: str
    value: str
    unit: str

    @property
    def label(self) -> str:
        return status_label(self.status)

    @property
    def as_of_shown(self) -> str:
        """The as-of date in the page's language ("10 novembre 2021"); ``as_of`` is the export's ISO text."""
        return format_iso_as_of(self.as_of)

    @property
    def as_of_phrase(self) -> str:
        """ "as of 10 November 2021", "en mars 2017" (``recommendations.models.as_of_phrase``)."""
        return iso_as_of_phrase(self.as_of)

    @property
    def as_of_heading(self) -> str:
        """The label over this as-of date ("Au" over a day in French, "En" over a year: ``models.as_of_heading``)."""
        return iso_as_of_heading([self.as_of])

    @property
    def value_shown(self) -> str:
        """The measured value and its unit as the page writes them ("9,6 % du montant envoyé" in French; the unit
        is the row's, the English one, unless the page gave the item's unit in the page's language:
        ``unit_shown``)."""
        return f"{measured(self.value)} {self.unit}".strip() if self.value else ""

    @property
    def short(self) -> str:
        """The status's letter, as in the matrix."""
        return STATUS_SHORT[self.status]

    @property
    def stage(self) -> str:
        """What comparisons compare: ratified, acceded and succeeded are all "party"."""
        return STAGES.get(self.status, self.status)

    @staticmethod
    def fields(row: dict) -> dict:
        return {"status": row["status"], "as_of": row["as_of"], "value": row["value"], "unit": row["unit"]}


def unit_shown(item) -> str:
    """The item's unit in the page's language ("% du montant envoyé"): the report's rows carry the English one
    (the exports' contract), which the map and the comparison replace with this; "" for an item without one."""
    return shown(item, "unit").text if item.unit_en else ""


def report_rows(filterset: StatusFilter, *, sort: str = "actor") -> Iterator[dict]:
    """The table report's rows for a valid filter, as dicts keyed by ``reports.EXPORT_COLUMNS``."""
    for values in reports.iter_export_rows(reports.build_scope(filterset), sort=sort):
        yield dict(zip(reports.EXPORT_COLUMNS, values, strict=True))


def described_except(filterset: StatusFilter, *names: str) -> list[str]:
    """The filters in words (``describe()``) without those of the fields ``names``: a figure that already shows
    its item or its countries does not repeat them. Matched by each field's label in the active language (the
    words ``describe()`` starts each with, through the same "%(label)s: %(value)s" pattern: French writes
    "Appels\u00a0: R02", which an f"{label}:" prefix missed, so the French map repeated its item), never by
    English text."""
    prefixes = tuple(
        gettext("%(label)s: %(value)s") % {"label": filterset.form.fields[name].label, "value": ""} for name in names
    )
    return [words for words in filterset.describe() if not words.startswith(prefixes)]
