"""The tracker's vocabularies: kinds of item and their status scales, actor kinds, review states, date precision."""

from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    RATIFICATION = "ratification", "Ratification of an instrument"
    QUANTITATIVE = "quantitative", "Quantitative target"
    POLICY = "policy", "Policy action"


class Status(models.TextChoices):
    # Ratification of a named instrument (countries only).
    NO_ACTION = "no_action", "No action"
    SIGNED = "signed", "Signed"
    RATIFIED = "ratified", "Party (ratified)"
    ACCEDED = "acceded", "Party (acceded)"
    SUCCEEDED = "succeeded", "Party (succeeded)"
    DENOUNCED = "denounced", "Denounced"
    # Policy action: the Open Government Partnership completion scale.
    NOT_STARTED = "not_started", "Not started"
    LIMITED = "limited", "Limited"
    SUBSTANTIAL = "substantial", "Substantial"
    COMPLETE = "complete", "Complete"
    BACKSLIDING = "backsliding", "Backsliding"
    # Quantitative target: derived from the measured value, never picked.
    OFF_TRACK = "off_track", "Off track"
    PROGRESSING = "progressing", "Progressing"
    TARGET_MET = "target_met", "Target met"


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
SCALE_NAMES = {Kind.RATIFICATION: "ratification", Kind.POLICY: "policy-action", Kind.QUANTITATIVE: "quantitative"}

# What reports show for a pair with no counted update. Not a Status: nobody
# can log "no information".
NO_INFORMATION = "no_information"
NO_INFORMATION_LABEL = "No information"


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
STAGE_LABELS = {"party": "Party (ratified, acceded or succeeded)"}
# Every status in report order (scale by scale), then "No information".
REPORT_STATUSES = [status for scale in SCALES.values() for status in scale] + [NO_INFORMATION]


def status_label(status: str) -> str:
    return NO_INFORMATION_LABEL if status == NO_INFORMATION else Status(status).label


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
    COUNTRY = "country", "Country"
    ORGANIZATION = "organization", "Organization"


class OrganizationType(models.TextChoices):
    NGO = "ngo", "Non-governmental organization"
    MIGRANT_ASSOCIATION = "migrant_association", "Migrant association"
    TRADE_UNION = "trade_union", "Trade union"
    PRIVATE_SECTOR = "private_sector", "Private-sector company"
    FINANCIAL_INSTITUTION = "financial_institution", "Financial institution"
    INTERNATIONAL = "international", "International organization / UN entity"
    ACADEMIC = "academic", "Academic or research institution"


class Perspective(models.TextChoices):
    """Who says so: the point of view an update reports from (``services.default_perspective`` picks one).

    The treaty depositary is a value of its own, not one more kind of independent data: it is the record
    that makes a State a party (the baseline of every ratification item), so exports and the history name
    it as such, and a research data set's different reading of a ratification still shows as a disagreement.
    """

    GOVERNMENT = "government", "Government self-report"
    CIVIL_SOCIETY = "civil_society", "Civil-society assessment"
    UN_MECHANISM = "un_mechanism", "UN mechanism (treaty body, special procedure, UPR)"
    INDEPENDENT_DATA = "independent_data", "Independent data (e.g. World Bank figures)"
    UN_TREATY_DEPOSITARY = "un_treaty_depositary", "UN treaty depositary"


# The consolidated status, in words (every report page states it near its filters; ``StatusFilter.rule``).
CONSOLIDATED_RULE = (
    "Consolidated: the status of each country or organization on an item is its latest verified update from any "
    "perspective (government, civil society, UN mechanisms, independent data, the treaty depositary)."
)


class ReviewState(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    VERIFIED = "verified", "Verified"
    RETURNED = "returned", "Returned for changes"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"
