"""The tracker's vocabularies: kinds of item and their status scales, actor kinds, review states, date precision."""

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    RATIFICATION = "ratification", _("Ratification of an instrument")
    QUANTITATIVE = "quantitative", _("Quantitative target")
    POLICY = "policy", _("Policy action")


class Status(models.TextChoices):
    # Ratification of a named instrument (countries only).
    NO_ACTION = "no_action", _("No action")
    SIGNED = "signed", pgettext_lazy("status", "Signed")
    RATIFIED = "ratified", _("Party (ratified)")
    ACCEDED = "acceded", _("Party (acceded)")
    SUCCEEDED = "succeeded", _("Party (succeeded)")
    DENOUNCED = "denounced", pgettext_lazy("status", "Denounced")
    # Policy action: the Open Government Partnership completion scale.
    NOT_STARTED = "not_started", _("Not started")
    LIMITED = "limited", pgettext_lazy("status", "Limited")
    SUBSTANTIAL = "substantial", pgettext_lazy("status", "Substantial")
    COMPLETE = "complete", pgettext_lazy("status", "Complete")
    BACKSLIDING = "backsliding", pgettext_lazy("status", "Backsliding")
    # Quantitative target: derived from the measured value, never picked.
    OFF_TRACK = "off_track", _("Off track")
    PROGRESSING = "progressing", pgettext_lazy("status", "Progressing")
    TARGET_MET = "target_met", _("Target met")


# Each kind's scale, in the order a form lists it.
SCALES: dict[str, tuple[str, ...]] = {
    Kind.RATIFICATION: (
        Status.NO_ACTION,
        Status.SIGNED,
        Status.RATIFIED,
        Status.ACCEDED,
        Status.SUCCEEDED,
        Status.DENOUNCED,
    ),
    Kind.POLICY: (
        Status.NOT_STARTED,
        Status.LIMITED,
        Status.SUBSTANTIAL,
        Status.COMPLETE,
        Status.BACKSLIDING,
    ),
    Kind.QUANTITATIVE: (Status.OFF_TRACK, Status.PROGRESSING, Status.TARGET_MET),
}

# How a message names each scale ("not on the policy-action scale").
SCALE_NAMES = {
    Kind.RATIFICATION: pgettext_lazy("scale", "ratification"),
    Kind.POLICY: pgettext_lazy("scale", "policy-action"),
    Kind.QUANTITATIVE: pgettext_lazy("scale", "quantitative"),
}

# What reports show for a pair with no counted update. Not a Status: nobody
# can log "no information".
NO_INFORMATION = "no_information"
NO_INFORMATION_LABEL = _("No information")


# How each status reads in compact places (the matrix) and how far along it is
# (0–100, for sorting by progress). Letters, not only colours, carry meaning.
STATUS_SHORT = {
    NO_INFORMATION: "·",
    Status.NO_ACTION: "N",
    Status.SIGNED: "S",
    # Three ways to be a party: the same P, told apart by a second letter (colours alone are near-identical
    # greens, and print may lose them).
    Status.RATIFIED: "Pr",
    Status.ACCEDED: "Pa",
    Status.SUCCEEDED: "Ps",
    Status.DENOUNCED: "D",
    Status.NOT_STARTED: "0",
    Status.LIMITED: "L",
    Status.SUBSTANTIAL: "Sb",
    Status.COMPLETE: "C",
    Status.BACKSLIDING: "B",
    Status.OFF_TRACK: "×",
    Status.PROGRESSING: "~",
    Status.TARGET_MET: "✓",
}
PROGRESS_SCORE = {
    NO_INFORMATION: 0,
    Status.NO_ACTION: 0,
    Status.SIGNED: 50,
    Status.RATIFIED: 100,
    Status.ACCEDED: 100,
    Status.SUCCEEDED: 100,
    Status.DENOUNCED: 0,
    Status.NOT_STARTED: 0,
    Status.LIMITED: 33,
    Status.SUBSTANTIAL: 67,
    Status.COMPLETE: 100,
    Status.BACKSLIDING: 0,
    Status.OFF_TRACK: 0,
    Status.PROGRESSING: 50,
    Status.TARGET_MET: 100,
}
# Statuses that are stages of one thing: a State becomes a party by ratification,
# accession or succession. Reports count "Party" as well as each way.
STAGES = {Status.RATIFIED: "party", Status.ACCEDED: "party", Status.SUCCEEDED: "party"}
STAGE_LABELS = {"party": _("Party (ratified, acceded or succeeded)")}
# Every status in report order (scale by scale), then "No information".
REPORT_STATUSES = [status for scale in SCALES.values() for status in scale] + [NO_INFORMATION]


def status_label(status: str) -> str:
    """The status in words, in the active language (for pages, charts and messages)."""
    return str(NO_INFORMATION_LABEL if status == NO_INFORMATION else Status(status).label)


def english(label) -> str:
    """A (lazily translated) label in its original English, whatever the active language: the form exports
    write beside codes and importers match, because those are a contract that never changes with language."""
    with translation.override("en"):
        return str(label)


def status_label_en(status: str) -> str:
    """The status in words in English, for exports and import matching (see ``english``)."""
    return english(NO_INFORMATION_LABEL if status == NO_INFORMATION else Status(status).label)


def plain_number(value) -> str:
    """A decimal as people write it: 20 not 2E+1 or 20.0000; 4.5 not 4.5000."""
    if value is None:
        return ""
    text = format(value.normalize() if hasattr(value, "normalize") else value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def kind_of_status(status: str) -> str:
    for kind, scale in SCALES.items():
        if status in scale:
            return kind
    raise ValueError(f"unknown status {status!r}")


def _status_matches_kind() -> Q:
    """The database check that a status belongs to its item's kind's scale."""
    check = Q()
    for kind, scale in SCALES.items():
        check |= Q(kind=kind, status__in=list(scale))
    return check


class ActorKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    ORGANIZATION = "organization", _("Organization")


class OrganizationType(models.TextChoices):
    NGO = "ngo", _("Non-governmental organization")
    MIGRANT_ASSOCIATION = "migrant_association", _("Migrant association")
    TRADE_UNION = "trade_union", _("Trade union")
    PRIVATE_SECTOR = "private_sector", _("Private-sector company")
    FINANCIAL_INSTITUTION = "financial_institution", _("Financial institution")
    INTERNATIONAL = "international", _("International organization / UN entity")
    ACADEMIC = "academic", _("Academic or research institution")


class Perspective(models.TextChoices):
    """Who says so: the point of view an update reports from (``services.default_perspective`` picks one).

    The treaty depositary is a value of its own, not one more kind of independent data: it is the record
    that makes a State a party (the baseline of every ratification item), so exports and the history name
    it as such, and a research data set's different reading of a ratification still shows as a disagreement.
    """

    GOVERNMENT = "government", _("Government self-report")
    CIVIL_SOCIETY = "civil_society", _("Civil-society assessment")
    UN_MECHANISM = "un_mechanism", _("UN mechanism (treaty body, special procedure, UPR)")
    INDEPENDENT_DATA = "independent_data", _("Independent data (e.g. World Bank figures)")
    UN_TREATY_DEPOSITARY = "un_treaty_depositary", _("UN treaty depositary")


# The consolidated status, in words (every report page states it near its filters; ``StatusFilter.rule``).
CONSOLIDATED_RULE = _(
    "Consolidated: the status of each country or organization on an item is its latest verified update from any "
    "perspective (government, civil society, UN mechanisms, independent data, the treaty depositary)."
)


class ReviewState(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    VERIFIED = "verified", pgettext_lazy("review state", "Verified")
    RETURNED = "returned", _("Returned for changes")
    WITHDRAWN = "withdrawn", pgettext_lazy("review state", "Withdrawn")


class DatePrecision(models.TextChoices):
    DAY = "day", pgettext_lazy("date precision", "Day")
    MONTH = "month", pgettext_lazy("date precision", "Month")
    YEAR = "year", pgettext_lazy("date precision", "Year")
