"""Reading the report's rows: the one way the atlas gets statuses (the public report API, nothing else)."""

from collections.abc import Iterator
from dataclasses import dataclass

from recommendations import reports
from recommendations.filters import StatusFilter
from recommendations.models import STAGES, STATUS_SHORT, status_label


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


def report_rows(filterset: StatusFilter, *, sort: str = "actor") -> Iterator[dict]:
    """The table report's rows for a valid filter, as dicts keyed by ``reports.EXPORT_COLUMNS``."""
    for values in reports.iter_export_rows(reports.build_scope(filterset), sort=sort):
        yield dict(zip(reports.EXPORT_COLUMNS, values, strict=True))


def described_except(filterset: StatusFilter, *names: str) -> list[str]:
    """The filters in words (``describe()``) without those of the fields ``names``: a figure that already shows
    its item or its countries does not repeat them. Matched by each field's label in the active language (the
    words ``describe()`` starts each with), never by English text."""
    prefixes = tuple(f"{filterset.form.fields[name].label}:" for name in names)
    return [words for words in filterset.describe() if not words.startswith(prefixes)]
