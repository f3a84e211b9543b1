"""How to cite the tracker: one suggested citation for every report page, export, chart and printout.

A citation names the page's address (which reproduces the report exactly), the day it was retrieved, the
day the data stand at ("as of": the snapshot date of a report on a past date, otherwise the day of the
latest verified update, never simply today), the source document and the licence. The as-of date is worded at its
precision by the rule every as-of date follows (``models.as_of_phrase``: "au 1er janvier 2018", but "en 2017"
in French); both dates above are days, a citation of data known to the month or the year says so. Pages, the XLSX about
sheet, the JSON metadata and drawn charts all take it from ``suggested`` so they never disagree.
"""

import datetime
from dataclasses import asdict, dataclass

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from languages.dates import long_date

from .models import DatePrecision, ProgressUpdate, SourceDocument, as_of_phrase, iso_as_of

TRACKER = gettext_lazy("Open tracker of the calls to action on international migration and development")
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Citation:
    title: str
    url: str
    retrieved: datetime.date
    as_of: datetime.date | None
    source: str
    licence: str = LICENCE
    licence_url: str = LICENCE_URL
    as_of_precision: str = DatePrecision.DAY  # of ``as_of``: a report's snapshot and a review's day are days

    @property
    def as_of_phrase(self) -> str:
        """ "as of 1 January 2018", "au 1er janvier 2018", "en 2017" (``models.as_of_phrase``); "" without data."""
        return as_of_phrase(self.as_of, self.as_of_precision) if self.as_of else ""

    @property
    def text(self) -> str:
        """The citation as one line, e.g. for a reference list."""
        sentences, before, after = self._parts()
        return " ".join([*sentences, before + self.source + after])

    @property
    def html(self) -> SafeString:
        """``text`` for a page: the source document's title, in English whatever the page's language, marked
        ``lang="en"`` (and only it: the rest is in the page's language), and left to right, isolated from the Arabic
        around it (its commas and parentheses otherwise move on an Arabic page). Every part is escaped."""
        sentences, before, after = self._parts()
        return format_html(
            '{} {}<span lang="en" dir="ltr">{}</span>{}', " ".join(sentences), before, self.source, after
        )

    def _parts(self) -> tuple[list[str], str, str]:
        """The citation's sentences in the page's language, then the last one's words before and after the English
        source, so that ``html`` can mark the source alone."""
        data = (
            # Translators: %(when)s is "as of 1 January 2018" (or "as of 2017" for data known to the year: contexts
            # "as of a day", "as of a month", "as of a year"), worded for its precision.
            _("Data %(when)s.") % {"when": self.as_of_phrase} if self.as_of else _("No verified data yet.")
        )
        source = _("Source document: %(source)s. Licence: %(licence)s (%(licence_url)s).")
        source_values = {"source": "\0", "licence": self.licence, "licence_url": self.licence_url}
        before, _source, after = (source % source_values).partition("\0")
        sentences = [
            _("%(tracker)s: %(title)s.") % {"tracker": TRACKER, "title": self.title},
            data,
            _("Retrieved %(date)s from %(url)s.") % {"date": long_date(self.retrieved), "url": self.url},
        ]
        return sentences, before, after

    def as_dict(self) -> dict:
        values = asdict(self)
        values["retrieved"] = self.retrieved.isoformat()
        values["as_of"] = iso_as_of(self.as_of, values.pop("as_of_precision")) if self.as_of else None
        values["text"] = self.text
        return values


def source_text(document: SourceDocument | None) -> str:
    """The source document as cited: title, issuing body, date and UN symbol."""
    if document is None:
        return "the 2006 summary of the informal interactive hearings of the UN General Assembly"
    symbol = f", {document.symbol}" if document.symbol else ""
    return f"{document.title}, {document.issuing_body}, {document.date:%-d %B %Y}{symbol}"


def data_as_of(snapshot: datetime.date | None) -> datetime.date | None:
    """The day the data stand at: a report's snapshot date, else the day of the latest verified update."""
    if snapshot is not None:
        return snapshot
    last = ProgressUpdate.objects.counted().order_by("-reviewed_at").values_list("reviewed_at", flat=True).first()
    return timezone.localdate(last) if last else None


def suggested(*, title: str, url: str, snapshot: datetime.date | None = None) -> Citation:
    """The suggested citation of a page or file at ``url`` (two queries, whatever the data)."""
    return Citation(
        title=title,
        url=url,
        retrieved=timezone.localdate(),
        as_of=data_as_of(snapshot),
        source=source_text(SourceDocument.objects.order_by("date").first()),
    )


def for_request(request, *, title: str, snapshot: datetime.date | None = None, path: str | None = None) -> Citation:
    """The citation of the page ``request`` asked for (or of ``path`` with the same query string)."""
    url = request.build_absolute_uri(path) if path else request.build_absolute_uri()
    if path and request.GET:
        url += "?" + request.GET.urlencode()
    return suggested(title=title, url=url, snapshot=snapshot)
