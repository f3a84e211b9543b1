"""Examples for the OpenAPI schema, in the shape of the seeded data (real codes, the status scales).

One value per kind of object; the views attach them to their operations (a list's example is one row,
which drf-spectacular wraps in a page). tests/test_api_schema.py checks that every operation has one and
that each validates against the schema.
"""

from drf_spectacular.utils import OpenApiExample

from recommendations.reports import EXPORT_COLUMNS

SECTION = {
    "code": "IV.B.2",
    "number": "2",
    "title": "Impact of remittances, reducing remittance transfer costs and leveraging remittances",
    "parent": "IV.B",
    "first_paragraph": 32,
    "last_paragraph": 32,
}

PARAGRAPH = {
    "number": 35,
    "section": "IV.B.3",
    "text": "Countries were urged to adopt codes of conduct regarding the recruitment of highly skilled migrants "
    "so as to ensure that emigration did not aggravate the skill shortages in low-income countries.",
}

THEME = {
    "slug": "remittances",
    "name": "Remittances",
    "description": "Cost, flow and development use of remittances, and migrants' access to financial services.",
}

ADDRESSEE = {
    "slug": "member-states",
    "name": "All Member States",
    "applies_to": "country",
    "description": "Every UN Member State (and observer State) is called on.",
}

INSTRUMENT = {
    "short_name": "ICRMW",
    "name": "International Convention on the Protection of the Rights of All Migrant Workers and Members of "
    "Their Families",
    "adopting_body": "UN General Assembly",
    "year": 1990,
    "url": "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-13&chapter=4",
}

SDG_TARGET = {
    "code": "10.c",
    "title": "Reduce to less than 3 per cent the transaction costs of migrant remittances and eliminate "
    "remittance corridors with costs higher than 5 per cent",
}

ITEM = {
    "code": "R17",
    "title": "Lower the cost of transferring remittances",
    "kind": "quantitative",
    "scale": ["off_track", "progressing", "target_met"],
    "section": "IV.B.2",
    "citations": [
        {
            "paragraph": 67,
            "role": "call",
            "text": "It was suggested that Governments could involve migrant associations in monitoring the costs "
            "of remittance transfers and working towards lowering them.",
        }
    ],
    "themes": ["remittances"],
    "addressees": ["member-states", "financial-institutions", "governments-with-private-sector"],
    "instruments": [],
    "sdg_targets": ["10.c"],
    "ratifies": None,
    "title_is_editorial": False,
    "editorial_split": False,
    "editorial_note": "",
    "unit": "% of amount sent",
    "lower_is_better": True,
    "baseline": "20",
    "target": "3",
    "ceiling": "5",
    "thresholds_source": "SDG target 10.c (2015)",
    "updated_at": "2026-01-12T09:30:00Z",
}

RATIFICATION_ITEM = ITEM | {
    "code": "R02",
    "title": "Ratify the Migrant Workers Convention",
    "kind": "ratification",
    "scale": ["no_action", "signed", "ratified", "acceded", "succeeded", "denounced"],
    "section": "III.E",
    "citations": [
        {
            "paragraph": 29,
            "role": "call",
            "text": "Several participants urged Member States to ratify the Convention and other core human "
            "rights instruments and to implement them.",
        }
    ],
    "themes": ["human-rights-instruments"],
    "addressees": ["member-states"],
    "instruments": ["ICRMW"],
    "sdg_targets": ["8.8", "10.7"],
    "ratifies": "ICRMW",
    "unit": "",
    "baseline": None,
    "target": None,
    "ceiling": None,
    "thresholds_source": "",
}

HISTORY = {
    "years": [2019, 2020, 2021],
    "statuses": ["off_track", "progressing"],
    "series": {"off_track": [3, 2, 1], "progressing": [0, 2, 4]},
    "values": [7.4, 6.8, 6.1],
}

COUNTRY = {
    "code": "GHA",
    "kind": "country",
    "name": "Ghana",
    "iso3": "GHA",
    "iso2": "GH",
    "m49": 288,
    "region": "Africa",
    "subregion": "Sub-Saharan Africa",
    "intermediate_region": "Western Africa",
    "un_status": "member",
    "organization_type": "",
    "base_country": None,
    "website": "",
}

ORGANIZATION = COUNTRY | {
    "code": "ken-net",
    "kind": "organization",
    "name": "Kenyan migrant network",
    "iso3": None,
    "iso2": "",
    "m49": None,
    "region": "",
    "subregion": "",
    "intermediate_region": "",
    "un_status": "",
    "organization_type": "migrant_association",
    "base_country": "KEN",
    "website": "https://example.org/ken-net",
}

STATUS_ROW = dict(
    zip(
        EXPORT_COLUMNS,
        [
            "GHA",
            "Ghana",
            "country",
            "GHA",
            "Africa",
            "Western Africa",
            "R02",
            "Ratify the Migrant Workers Convention",
            "ratification",
            "ratified",
            "2012-09-07",
            "",
            "",
            "ken-net",
            "https://treaties.un.org/",
            "2026-01-02T10:00:00Z",
            "civil_society",
        ],
        strict=True,
    )
)

STATUS_PAGE = {
    "filters": ["Items: R02", "Region (UN M49): Africa"],
    "as_of": "2026-01-31",
    "next": "https://tracker.example.org/api/v1/statuses/?item=R02&region=Africa&cursor=WyJHaGFuYSIsODUsMiwyLDFd",
    "results": [
        STATUS_ROW,
        STATUS_ROW
        | {
            "actor_code": "GIN",
            "actor_name": "Guinea",
            "country_iso3": "GIN",
            "status": "no_information",
            "as_of": "",
            "reported_by_organization": "",
            "evidence_urls": "",
            "verified_at": "",
        },
    ],
}


def _counts(ratified, none):
    return [
        {"status": "ratified", "label": "Party (ratified)", "count": ratified},
        {"status": "no_information", "label": "No information", "count": none},
    ]


SUMMARY = {
    "filters": ["Items: R02", "Region (UN M49): Africa"],
    "as_of": "2026-01-31",
    "total": 54,
    "parties": 19,
    "by_status": _counts(19, 35),
    "by_item": [{"name": "R02", "total": 54, "counts": _counts(19, 35)}],
    "by_theme": [{"name": "Human rights instruments", "total": 54, "counts": _counts(19, 35)}],
    "by_region": [
        {"name": "Northern Africa", "total": 6, "counts": _counts(2, 4)},
        {"name": "Sub-Saharan Africa", "total": 48, "counts": _counts(17, 31)},
    ],
}

UPDATE = {
    "id": 1042,
    "actor": "KEN",
    "item": "R45",
    "status": "limited",
    "as_of": "2025-03",
    "as_of_precision": "month",
    "value": None,
    "narrative": "The ministry published the draft regulation for comment.",
    "evidence_urls": ["https://example.org/gazette/2025-03"],
    "has_evidence_file": False,
    "organization": "ken-net",
    "perspective": "civil_society",
    "historical": False,
    "state": "pending",
    "created_at": "2025-03-04T08:15:00Z",
    "reviewed_at": None,
    "review_note": "",
    "version": 1,
}

VERIFIED_UPDATE = UPDATE | {
    "id": 977,
    "actor": "PHL",
    "item": "R17",
    "status": "progressing",
    "as_of": "2021-01-01",
    "as_of_precision": "day",
    "value": "4.25",
    "narrative": "World Bank Remittance Prices Worldwide, Q4 2020 average for sending to the Philippines.",
    "evidence_urls": ["https://remittanceprices.worldbank.org/"],
    "state": "verified",
    "created_at": "2021-02-10T11:00:00Z",
    "reviewed_at": "2021-02-12T16:40:00Z",
    "review_note": "Checked against the World Bank figure.",
    "version": 2,
}

LOG_REQUEST = {
    "actor": "KEN",
    "item": "R45",
    "organization": "ken-net",
    "perspective": "civil_society",
    "status": "limited",
    "as_of": "2025-03-01",
    "as_of_precision": "month",
    "narrative": "The ministry published the draft regulation for comment.",
    "evidence_urls": ["https://example.org/gazette/2025-03"],
}

EDIT_REQUEST = {
    "status": "substantial",
    "as_of": "2025-06-01",
    "as_of_precision": "month",
    "narrative": "The regulation was adopted in June.",
    "evidence_urls": ["https://example.org/gazette/2025-06"],
    "version": 1,
}


def response(name: str, value, summary: str = "") -> OpenApiExample:
    return OpenApiExample(name, value=value, summary=summary or name, response_only=True)


def request(name: str, value, summary: str = "") -> OpenApiExample:
    return OpenApiExample(name, value=value, summary=summary or name, request_only=True)
