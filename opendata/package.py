"""The open-data package: a Frictionless Data Package of the tracker's public data, dated and documented.

``build_package(root)`` writes ``root/<YYYY-MM-DD>/`` with one CSV per resource, ``datapackage.json`` (a
Table Schema per resource: every field's type, description, allowed values and foreign keys), a README with
the field dictionary generated from the same schema, and ``package.zip`` of them all. The statuses CSV is
the status export itself (the same rows and bytes as /reports/status.csv without filters, on that day).
Only public data goes in: verified updates, never pending ones nor anyone's name.

A release is written to a temporary folder and renamed into place, so a reader never sees half of one.
"""

import datetime
import json
import re
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone, translation

from recommendations import editorial, reports
from recommendations.exports import stream_csv
from recommendations.filters import StatusFilter
from recommendations.models import (
    Actor,
    Addressee,
    Citation,
    Instrument,
    ProgressUpdate,
    Recommendation,
    SDGTarget,
    Section,
    SourceDocument,
    Theme,
    iso_as_of,
    plain_number,
)

from . import schema

NAME = "migration-development-tracker"
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
RELEASE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
KEEP_RELEASES = 14


def fk(fields, resource, reference):
    return {"fields": fields, "reference": {"resource": resource, "fields": reference}}


# (name, file, title, fields, primary key, foreign keys)
RESOURCES = [
    ("items", "items.csv", "Calls to action", schema.ITEM_FIELDS, ["code"], [fk("section", "sections", "code")]),
    (
        "citations",
        "citations.csv",
        "Verbatim quotations of the source, by paragraph",
        schema.CITATION_FIELDS,
        ["recommendation_code", "paragraph"],
        [fk("recommendation_code", "items", "code")],
    ),
    ("sections", "sections.csv", "Sections of the source document", schema.SECTION_FIELDS, ["code"], []),
    ("actors", "actors.csv", "Countries and organizations", schema.ACTOR_FIELDS, ["code"], []),
    (
        "statuses",
        "statuses.csv",
        "Current status of every (country or organization, call to action) pair, “No information” included",
        schema.STATUS_FIELDS,
        ["actor_code", "recommendation_code"],
        [fk("actor_code", "actors", "code"), fk("recommendation_code", "items", "code")],
    ),
    (
        "verified_updates",
        "verified_updates.csv",
        "Every verified progress update (the history behind the statuses)",
        schema.UPDATE_FIELDS,
        ["id"],
        [fk("actor_code", "actors", "code"), fk("recommendation_code", "items", "code")],
    ),
    (
        "taxonomies",
        "taxonomies.csv",
        "Themes, addressees, instruments and SDG targets",
        schema.TAXONOMY_FIELDS,
        ["taxonomy", "code"],
        [],
    ),
]


def _write_csv(path: Path, header: list[str], rows: Iterable) -> int:
    """Write rows with the exports' own CSV writer (same quoting, line ends and formula guard); return the count."""
    count = 0

    def counted():
        nonlocal count
        for row in rows:
            count += 1
            yield row

    with path.open("wb") as handle:
        for chunk in stream_csv(path.name, header, counted()).streaming_content:
            handle.write(chunk)
    return count


def _number(value) -> str:
    return plain_number(value) if value is not None else ""


def _items():
    for item in Recommendation.objects.for_list().prefetch_related("sdg_targets").order_by("position", "code"):
        yield [
            item.code,
            item.title,
            item.kind,
            item.section.code,
            item.paragraphs_display(),
            " ".join(sorted(t.slug for t in item.themes.all())),
            " ".join(sorted(a.slug for a in item.addressees.all())),
            " ".join(sorted(i.short_name for i in item.instruments.all())),
            " ".join(t.code for t in sorted(item.sdg_targets.all(), key=lambda t: (t.position, t.code))),
            item.ratifies.short_name if item.ratifies else "",
            str(item.title_is_editorial).lower(),
            str(item.editorial_split).lower(),
            item.editorial_note,
            item.unit,
            str(item.lower_is_better).lower(),
            _number(item.baseline),
            _number(item.target),
            _number(item.ceiling),
            item.thresholds_source,
        ]


def _citations():
    rows = Citation.objects.select_related("recommendation", "paragraph").order_by(
        "recommendation__position", "recommendation__code", "position"
    )
    for c in rows:
        yield [c.recommendation.code, c.paragraph.number, c.role, c.text]


def _sections():
    for section in Section.objects.select_related("parent").order_by("position"):
        parent = section.parent.code if section.parent else ""
        yield [section.code, section.number, section.title, parent, section.first_paragraph, section.last_paragraph]


def _actors():
    for a in Actor.objects.select_related("base_country").order_by("kind", "code").iterator(chunk_size=2000):
        base = a.base_country.code if a.base_country else ""
        yield [
            a.code, a.kind, a.name, a.iso3 or "", a.iso2, a.m49 if a.m49 is not None else "", a.region,
            a.subregion, a.intermediate_region, a.un_status, a.organization_type, base, a.website,
        ]  # fmt: skip


def _statuses():
    return reports.iter_export_rows(reports.build_scope(StatusFilter(QueryDict())))


def _updates():
    rows = (
        ProgressUpdate.objects.counted()
        .order_by("pk")
        .values_list(
            "pk", "actor__code", "recommendation__code", "status", "as_of", "as_of_precision", "value", "narrative",
            "evidence_urls", "reported_by_organization__code", "historical", "perspective", "state", "reviewed_at",
        )
    )  # fmt: skip
    for row in rows.iterator(chunk_size=5000):
        pk, actor, item, status, as_of, precision, value, narrative, urls, org, historical, perspective, state, at = row
        yield [
            pk, actor, item, status, iso_as_of(as_of, precision), precision, _number(value), narrative,
            " ".join(urls or []), org or "", str(historical).lower(), perspective, state,
            at.strftime("%Y-%m-%dT%H:%M:%SZ") if at else "",
        ]  # fmt: skip


def _taxonomies():
    for t in Theme.objects.order_by("slug"):
        yield ["theme", t.slug, t.name, t.description]
    for a in Addressee.objects.order_by("slug"):
        yield ["addressee", a.slug, a.name, f"Answered for by: {a.get_applies_to_display()}. {a.description}".strip()]
    for i in Instrument.objects.order_by("short_name"):
        yield ["instrument", i.short_name, i.name, f"{i.adopting_body}, {i.year}"]
    for s in SDGTarget.objects.order_by("position", "code"):
        yield ["sdg_target", s.code, s.title, ""]


ROWS = {
    "items": _items,
    "citations": _citations,
    "sections": _sections,
    "actors": _actors,
    "statuses": _statuses,
    "verified_updates": _updates,
    "taxonomies": _taxonomies,
}


def source_citation() -> str:
    document = SourceDocument.objects.order_by("date").first()
    if document is None:
        return ""
    symbol = f", {document.symbol}" if document.symbol else ""
    return f"{document.issuing_body}, “{document.title}”{symbol}, {document.date:%d %B %Y}."


def descriptor(day: datetime.date, counts: dict[str, int]) -> dict:
    citation = source_citation()
    return {
        "name": NAME,
        "title": "Calls to action on international migration and development (2006 hearings): statuses and history",
        "description": (
            "The calls to action of the UN General Assembly's 2006 informal interactive hearings with NGOs, civil "
            "society and the private sector on international migration and development, the countries and "
            "organizations tracked, their current statuses and every verified progress update. "
            + editorial.EDITORIAL_LAYER
        ),
        "version": day.isoformat(),
        "created": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [LICENSE],
        "sources": [{"title": citation or "The source document"}],
        "keywords": ["migration", "development", "United Nations", "civil society", "treaty ratification"],
        "resources": [
            {
                "name": name,
                "path": path,
                "title": title,
                "description": f"{title}. {counts.get(name, 0)} rows.",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": fields,
                    "primaryKey": key,
                    **({"foreignKeys": foreign} if foreign else {}),
                    "missingValues": [""],
                },
            }
            for name, path, title, fields, key, foreign in RESOURCES
        ],
    }


def readme(package: dict) -> str:
    """The README: what the package is, its licence and citation, and the field dictionary of every resource."""
    lines = [
        f"# {package['title']}",
        "",
        f"Release {package['version']} (generated {package['created']}).",
        "",
        package["description"],
        "",
        f"**Licence:** {LICENSE['title']} ({LICENSE['name']}, {LICENSE['path']}). Cite the tracker and the source.",
        "",
        f"**Source document:** {package['sources'][0]['title']}",
        "",
        "Files are UTF-8 CSV with a header row (RFC 4180, CRLF line ends). As in the tracker's exports, a text "
        "value that a spreadsheet would run as a formula (starting with = + - or @) is written with a leading "
        "apostrophe. `datapackage.json` describes every file as a Frictionless Table Schema.",
        "",
    ]
    for resource in package["resources"]:
        schema_ = resource["schema"]
        lines += [
            f"## {resource['path']}: {resource['title']}",
            "",
            resource["description"].split(". ")[-1],
            "",
            f"Key: {', '.join(schema_['primaryKey'])}."
            + "".join(
                f" `{f['fields']}` refers to `{f['reference']['resource']}.{f['reference']['fields']}`."
                for f in schema_.get("foreignKeys", [])
            ),
            "",
            "| Field | Type | Description | Allowed values |",
            "| --- | --- | --- | --- |",
        ]
        for f in schema_["fields"]:
            allowed = ", ".join(v for v in f.get("constraints", {}).get("enum", []) if v) or ""
            pattern = f.get("constraints", {}).get("pattern")
            if pattern and not allowed:
                allowed = f"pattern `{pattern}`"
            lines.append(f"| `{f['name']}` | {f['type']} | {f['description']} | {allowed} |")
        lines.append("")
    return "\n".join(lines)


def build_package(root: Path | str, *, day: datetime.date | None = None) -> Path:
    """Write a dated release under ``root`` and return its folder (replacing that day's earlier release)."""
    root = Path(root)
    day = day or timezone.localdate()
    root.mkdir(parents=True, exist_ok=True)
    final = root / day.isoformat()
    work = root / f".{day.isoformat()}.building"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    counts = {}
    # Titles and names in English (languages/translation.py), whatever the language of the request or task.
    with translation.override(settings.LANGUAGE_CODE):
        for name, path, _, fields, _, _ in RESOURCES:
            counts[name] = _write_csv(work / path, [f["name"] for f in fields], ROWS[name]())
    package = descriptor(day, counts)
    (work / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (work / "README.md").write_text(readme(package), encoding="utf-8")
    with zipfile.ZipFile(work / "package.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in ["datapackage.json", "README.md", *(path for _, path, *_ in RESOURCES)]:
            archive.write(work / name, arcname=f"{NAME}-{day.isoformat()}/{name}")
    if final.exists():
        old = root / f".{day.isoformat()}.old"
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
        work.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        work.rename(final)
    prune(root)
    return final


def releases(root: Path | str | None = None) -> list[str]:
    """The dated releases present, newest first."""
    root = Path(root or settings.OPEN_DATA_DIR)
    if not root.is_dir():
        return []
    return sorted((p.name for p in root.iterdir() if p.is_dir() and RELEASE.match(p.name)), reverse=True)


def prune(root: Path, keep: int = KEEP_RELEASES) -> None:
    for name in releases(root)[keep:]:
        shutil.rmtree(root / name, ignore_errors=True)


def files() -> list[str]:
    return ["package.zip", "datapackage.json", "README.md", *(path for _, path, *_ in RESOURCES)]
