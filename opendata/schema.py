"""The field dictionary: one Frictionless Table Schema per resource of the open-data package.

The same descriptions document the API's fields (api/serializers.py), the package's ``datapackage.json``
and its README, so the three cannot disagree. Status columns are the export's (reports.EXPORT_COLUMNS).
"""

from recommendations.models import (
    REPORT_STATUSES,
    ActorKind,
    DatePrecision,
    Kind,
    OrganizationType,
    Perspective,
    ReviewState,
)
from recommendations.reports import EXPORT_COLUMNS

AS_OF_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def field(name, type_, description, *, required=False, unique=False, enum=None, pattern=None) -> dict:
    """One column of a Table Schema, with the constraints given (in this order)."""
    constraints = {"required": required or None, "unique": unique or None, "enum": enum, "pattern": pattern}
    constraints = {key: value for key, value in constraints.items() if value is not None}
    return {
        "name": name,
        "type": type_,
        "description": description,
        **({"constraints": constraints} if constraints else {}),
    }


STATUS_FIELDS = [
    field("actor_code", "string", "Code of the country (ISO 3166-1 alpha-3) or organization (a slug).", required=True),
    field("actor_name", "string", "Name of the country or organization."),
    field("actor_kind", "string", "“country” or “organization”.", enum=ActorKind.values),
    field(
        "country_iso3",
        "string",
        "ISO3 code of the country; for an organization, of the country it is based in (empty if none).",
    ),
    field("region", "string", "UN M49 region of the country (for an organization: of its base country)."),
    field("subregion", "string", "UN M49 intermediate region if any, else sub-region (same rule)."),
    field("recommendation_code", "string", "Code of the call to action (R01…), stable across releases.", required=True),
    field("recommendation_title", "string", "The editors' short title of the call to action."),
    field("kind", "string", "Kind of call to action, which decides its status scale.", enum=Kind.values),
    field(
        "status",
        "string",
        "Status of the pair: the latest verified update's status, or “no_information” when nothing verified "
        "is recorded for a country (or reporting organization) the call is addressed to.",
        required=True,
        enum=REPORT_STATUSES,
    ),
    field(
        "as_of",
        "string",
        "Date the status refers to, at its precision: YYYY, YYYY-MM or YYYY-MM-DD (empty for no information).",
        pattern=AS_OF_PATTERN,
    ),
    field(
        "value", "string", "Measured value on a quantitative call (a decimal number written with a dot), else empty."
    ),
    field("unit", "string", "Unit of the measured value (quantitative calls only)."),
    field("reported_by_organization", "string", "Code of the organization that filed the update (empty if none)."),
    field("evidence_urls", "string", "Evidence links of the update, separated by spaces."),
    field(
        "verified_at",
        "string",
        "When a second person verified the update (UTC, YYYY-MM-DDTHH:MM:SSZ).",
        pattern=r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)?$",
    ),
    field(
        "perspective",
        "string",
        "Who says so in the update behind the status: government (self-report), civil_society, un_mechanism "
        "(treaty body, special procedure, UPR), independent_data or un_treaty_depositary (empty for no "
        "information).",
        enum=["", *Perspective.values],
    ),
]
assert [f["name"] for f in STATUS_FIELDS] == EXPORT_COLUMNS, "the dictionary must follow the export's columns"

STATUS_DESCRIPTIONS = {f["name"]: f["description"] for f in STATUS_FIELDS}

ITEM_FIELDS = [
    field("code", "string", "Code of the call to action (R01…), stable across releases.", required=True, unique=True),
    field("title", "string", "The editors' short title, in the words of the quotations where possible."),
    field("kind", "string", "ratification, policy or quantitative: decides the status scale.", enum=Kind.values),
    field("section", "string", "Code of the source's section the call stands in (see sections.csv)."),
    field("paragraphs", "string", "Paragraphs of the source that make the call (and, in brackets, context)."),
    # The lists' entries are rows of taxonomies.csv (its ``taxonomy`` column names which list): no file each.
    field("themes", "string", "Editorial themes (slugs, separated by spaces; see taxonomies.csv, taxonomy theme)."),
    field(
        "addressees",
        "string",
        "Whom the call names (slugs, separated by spaces; see taxonomies.csv, taxonomy addressee).",
    ),
    field(
        "instruments",
        "string",
        "Instruments concerned (short names, separated by spaces; see taxonomies.csv, taxonomy instrument).",
    ),
    field(
        "sdg_targets",
        "string",
        "Sustainable Development Goal targets related to the call, an editorial link (target codes such as 10.7, "
        "separated by spaces; see taxonomies.csv, taxonomy sdg_target).",
    ),
    field("ratifies", "string", "For a ratification call: the instrument to ratify (short name)."),
    field("title_is_editorial", "boolean", "True when the title goes beyond the quotations (see editorial_note)."),
    field(
        "editorial_split",
        "boolean",
        "True when the editors made this item for one member of a group the source names together.",
    ),
    field("editorial_note", "string", "What the editors added or split, and why."),
    field("unit", "string", "Unit of the measured value (quantitative calls)."),
    field("lower_is_better", "boolean", "Quantitative calls: whether a lower value is progress."),
    field("baseline", "number", "Quantitative calls: the value at the start, if known."),
    field("target", "number", "Quantitative calls: the value at or beyond which the target is met."),
    field("ceiling", "number", "Quantitative calls: the worst acceptable value, if any."),
    field("thresholds_source", "string", "Where the target and ceiling come from when not from the source."),
]

CITATION_FIELDS = [
    field("recommendation_code", "string", "The call to action quoted.", required=True),
    field("paragraph", "integer", "Paragraph number of the source.", required=True),
    field("role", "string", "“call” (the words that make the call) or “context”.", enum=["call", "context"]),
    field("text", "string", "The source's exact words, from this paragraph."),
]

ACTOR_FIELDS = [
    field("code", "string", "ISO3 for a country; a slug for an organization.", required=True, unique=True),
    field("kind", "string", "“country” or “organization”.", enum=ActorKind.values),
    field("name", "string", "Name (English)."),
    field("iso3", "string", "ISO 3166-1 alpha-3 (countries)."),
    field("iso2", "string", "ISO 3166-1 alpha-2 (countries)."),
    field("m49", "integer", "UN M49 numeric code (countries)."),
    field("region", "string", "UN M49 region (countries)."),
    field("subregion", "string", "UN M49 sub-region (countries)."),
    field("intermediate_region", "string", "UN M49 intermediate region, where there is one (countries)."),
    field("un_status", "string", "“member” or “observer” State (countries).", enum=["", "member", "observer"]),
    field("organization_type", "string", "Type of organization (organizations).", enum=["", *OrganizationType.values]),
    field("base_country", "string", "ISO3 of the country an organization is based in."),
    field("website", "string", "Web site (organizations)."),
]

UPDATE_FIELDS = [
    field(
        "id", "integer", "Identifier of the update (stable; its page is /updates/<id>/).", required=True, unique=True
    ),
    field("actor_code", "string", "The country or organization whose progress it reports."),
    field("recommendation_code", "string", "The call to action."),
    field("status", "string", "The status it reports.", enum=REPORT_STATUSES),
    field("as_of", "string", "Date the status refers to, at its precision.", pattern=AS_OF_PATTERN),
    field("as_of_precision", "string", "day, month or year.", enum=DatePrecision.values),
    field("value", "string", "Measured value (quantitative calls)."),
    field("narrative", "string", "What happened, in the reporter's words."),
    field("evidence_urls", "string", "Evidence links, separated by spaces."),
    field(
        "reported_by_organization",
        "string",
        "Code of the organization that filed it (empty for the tracker's own records, e.g. treaty data).",
    ),
    field("historical", "boolean", "True for a fact dated before the source document."),
    field(
        "perspective",
        "string",
        "Who says so: government (self-report), civil_society, un_mechanism (treaty body, special procedure, "
        "UPR), independent_data or un_treaty_depositary.",
        required=True,
        enum=Perspective.values,
    ),
    field(
        "state",
        "string",
        "Always “verified” in the package: only verified updates are published.",
        enum=[ReviewState.VERIFIED.value],
    ),
    field("verified_at", "string", "When it was verified (UTC)."),
]

SECTION_FIELDS = [
    field("code", "string", "The section's position in the source, e.g. IV.B.2.", required=True),
    field("number", "string", "The number as printed."),
    field("title", "string", "Heading of the section, as printed in the source."),
    field("parent", "string", "Code of the enclosing section."),
    field("first_paragraph", "integer", "First paragraph of the section."),
    field("last_paragraph", "integer", "Last paragraph of the section."),
]

TAXONOMY_FIELDS = [
    field(
        "taxonomy",
        "string",
        "theme, addressee, instrument or sdg_target.",
        enum=["theme", "addressee", "instrument", "sdg_target"],
    ),
    field("code", "string", "Slug (themes, addressees), short name (instruments) or target code (SDG)."),
    field("name", "string", "Name or title."),
    field(
        "detail",
        "string",
        "Description; for an addressee, which kind of actor answers for it; for an "
        "instrument, its adopting body and year.",
    ),
]
