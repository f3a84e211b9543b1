"""Reading progress spreadsheets (CSV or XLSX) and planning their import — nothing here writes.

The accepted columns are exactly those of the status export
(``reports.EXPORT_COLUMNS``), so export → edit → import is a round trip.
Extra columns are ignored; an optional ``narrative`` column is used when
present. ``plan()`` checks every row with the same rules as the form
(``services.validate_progress``) and sorts the rows into *create*,
*unchanged* (already in the tracker, or repeated in the file) and
*rejected* (row number, column, reason); ``services.import_progress``
writes a plan, all or nothing.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from .exports import FORMULA_FIRST
from .models import (
    NO_INFORMATION,
    SCALES,
    Actor,
    ActorKind,
    DatePrecision,
    Kind,
    ProgressUpdate,
    Recommendation,
    ReviewState,
    Status,
)
from .reports import EXPORT_COLUMNS

REQUIRED = {"recommendation_code", "as_of"}
ACTOR_COLUMNS = ("actor_code", "country_iso3", "actor_name")
MAX_ROWS = 50_000
SCALE_NAMES = {Kind.RATIFICATION: "ratification", Kind.POLICY: "policy-action", Kind.QUANTITATIVE: "quantitative"}
NOT_AN_UPDATE = "“No information” is what reports show where there is no update; not imported."
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header, missing columns)."""


@dataclass
class Rejection:
    row: int
    column: str
    reason: str


@dataclass
class PlannedUpdate:
    row: int
    actor: Actor
    recommendation: Recommendation
    status: str
    as_of: datetime.date
    as_of_precision: str
    value: Decimal | None
    evidence_urls: list[str]
    organization: Actor | None
    narrative: str
    verified_at: datetime.datetime | None
    historical: bool


@dataclass
class Plan:
    filename: str
    create: list[PlannedUpdate] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # row numbers
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why): e.g. "No information" rows
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.create) + len(self.unchanged) + len(self.skipped) + self.rejected_rows

    @property
    def rejected_rows(self) -> int:
        return len({r.row for r in self.rejected})

    @property
    def can_commit(self) -> bool:
        return bool(self.create) and not self.rejected


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def read_rows(upload, filename: str):
    """Yield (row number, {column: text}) from a CSV or XLSX upload; row 1 is the header."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        yield from _read_xlsx(upload)
    elif name.endswith((".csv", ".txt")):
        yield from _read_csv(upload)
    else:
        raise ImportFileError("Upload a .csv or .xlsx file (the formats the status export writes).")


def _read_csv(upload):
    raw = upload.read()
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError("The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and try again.") from error
    else:
        text = raw
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise ImportFileError("The file is empty.")
    columns = _check_header(header)
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        yield number, dict(zip(columns, values, strict=False))


def _read_xlsx(upload):
    from openpyxl import load_workbook

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a broken file
        raise ImportFileError("The file is not a readable .xlsx workbook.") from error
    sheet = book["status"] if "status" in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        raise ImportFileError("The workbook's first sheet is empty.")
    columns = _check_header(["" if h is None else str(h) for h in header])
    for number, values in enumerate(rows, start=2):
        cells = ["" if v is None else _cell_text(v) for v in values]
        if not any(c.strip() for c in cells):
            continue
        yield number, dict(zip(columns, cells, strict=False))
    book.close()


def _cell_text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_header(header: list[str]) -> list[str]:
    columns = [h.strip().lower() for h in header]
    missing = sorted(REQUIRED - set(columns))
    if missing:
        raise ImportFileError(
            f"Missing column(s): {', '.join(missing)}. The first row must hold the column names of the "
            f"status export: {', '.join(EXPORT_COLUMNS)}."
        )
    if not set(ACTOR_COLUMNS) & set(columns):
        raise ImportFileError(
            "Name the country or organization in a column actor_code (or country_iso3, or actor_name)."
        )
    if "status" not in columns and "value" not in columns:
        raise ImportFileError("Give a status column (or a value column for a quantitative item).")
    return columns


def unguard(text: str) -> str:
    """Undo the export's spreadsheet guard: "'=x" → "=x"."""
    text = text.strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_FIRST:
        return text[1:]
    return text


# ---------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------


class _Directory:
    """Everything a file can name, loaded once: actors by code, ISO3 and name; items by code."""

    def __init__(self):
        self.actors: dict[str, Actor] = {}
        self.country_names: dict[str, Actor] = {}
        for actor in Actor.objects.select_related("base_country").iterator(chunk_size=5000):
            self.actors[actor.code.lower()] = actor
            if actor.kind == ActorKind.COUNTRY:
                self.actors.setdefault(actor.iso3.lower(), actor)
                self.country_names[actor.name.lower()] = actor
        self.items = {r.code.upper(): r for r in Recommendation.objects.select_related("document")}
        self.status_by_text = {}
        for status in Status:
            self.status_by_text[status.value] = status.value
            self.status_by_text[status.label.lower()] = status.value
        # "Party" alone is ambiguous between ratified, acceded and succeeded: not accepted.


def plan(
    rows, *, filename: str, user=None, organization: Actor | None = None, today: datetime.date | None = None
) -> Plan:
    """Check every row; nothing is written. ``organization`` files rows that name none."""
    from . import services

    directory = _Directory()
    result = Plan(filename=filename)
    candidates: list[PlannedUpdate] = []
    seen: dict[tuple, int] = {}
    allowed_orgs = None
    if user is not None and not user.has_perm("recommendations.review_progress"):
        allowed_orgs = set(services.user_organizations(user).values_list("pk", flat=True))

    for count, (number, row) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise ImportFileError(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.")
        errors: list[Rejection] = []

        def reject(column, reason, number=number, errors=errors):
            errors.append(Rejection(number, column, reason))

        values = {key: unguard(value or "") for key, value in row.items() if key}
        actor = _find_actor(values, directory, reject)
        code = values.get("recommendation_code", "").upper()
        item = directory.items.get(code)
        if not code:
            reject("recommendation_code", "The item code is empty.")
        elif item is None:
            reject("recommendation_code", f"Unknown item code “{values['recommendation_code']}”.")

        status_text = values.get("status", "").strip()
        if status_text.lower() in (NO_INFORMATION, "no information"):
            result.skipped.append(
                (number, "“No information” is what reports show where there is no update; not imported.")
            )
            continue
        status = None
        if status_text:
            status = directory.status_by_text.get(status_text.lower())
            if status is None:
                reject("status", f"Unknown status “{status_text}”.")
            elif item is not None and status not in SCALES[item.kind]:
                scale = {
                    Kind.RATIFICATION: "ratification",
                    Kind.POLICY: "policy-action",
                    Kind.QUANTITATIVE: "quantitative",
                }
                reject("status", f"Status “{status_text}” is not on the {scale[item.kind]} scale of {item.code}.")

        as_of, precision = _parse_date(values.get("as_of", ""), reject)
        value = None
        if values.get("value", "").strip():
            try:
                value = Decimal(values["value"].strip().replace(",", "."))
            except InvalidOperation:
                reject("value", f"“{values['value']}” is not a number.")
        urls = values.get("evidence_urls", "").split()
        org = organization
        if values.get("reported_by_organization", "").strip():
            org = directory.actors.get(values["reported_by_organization"].strip().lower())
            if org is None or org.kind != ActorKind.ORGANIZATION:
                reject("reported_by_organization", f"Unknown organization code “{values['reported_by_organization']}”.")
                org = None
            elif allowed_orgs is not None and org.pk not in allowed_orgs:
                reject("reported_by_organization", f"You can only import for your own organizations, not “{org.code}”.")
        verified_at = _parse_timestamp(values.get("verified_at", ""), reject)

        if not errors and actor and item and as_of:
            historical = as_of < item.document.date
            narrative = values.get("narrative", "").strip() or f"Imported from {filename}, row {number}."
            try:
                services.validate_progress(
                    actor=actor,
                    recommendation=item,
                    status=status,
                    value=value,
                    as_of=as_of,
                    as_of_precision=precision,
                    evidence_urls=urls,
                    narrative=None,  # imported rows need no narrative of their own
                    # An exported row may have no link (its evidence was a file): imports do not
                    # require one, but any link given is still checked.
                    has_file=True,
                    organization=org,
                    historical=historical,
                )
            except ValidationError as error:
                for column, messages in error.message_dict.items():
                    name = {"actor": "actor_code", "reported_by_organization": "reported_by_organization"}.get(
                        column, column
                    )
                    for message in messages:
                        reject(name, message)
            if not errors:
                derived = (
                    item.status_for_value(value) if item.kind == Kind.QUANTITATIVE and value is not None else status
                )
                candidates.append(
                    PlannedUpdate(
                        number,
                        actor,
                        item,
                        derived,
                        as_of,
                        precision,
                        value,
                        urls,
                        org,
                        narrative,
                        verified_at,
                        historical,
                    )
                )
        if errors:
            result.rejected.extend(errors)
            continue

    # Rows already in the tracker (not withdrawn), or repeated in the file, change nothing.
    existing_keys = _existing_keys(candidates)
    for update in candidates:
        key = _key(
            update.actor.pk, update.recommendation.pk, update.status, update.as_of, update.as_of_precision, update.value
        )
        if key in existing_keys or key in seen:
            result.unchanged.append(update.row)
        else:
            seen[key] = update.row
            result.create.append(update)
    return result


def _key(actor_id, item_id, status, as_of, precision, value):
    return (actor_id, item_id, status, as_of, precision, None if value is None else Decimal(value).normalize())


def _existing_keys(candidates: list[PlannedUpdate]) -> set:
    if not candidates:
        return set()
    actors = {c.actor.pk for c in candidates}
    items = {c.recommendation.pk for c in candidates}
    existing = (
        ProgressUpdate.objects.filter(recommendation_id__in=items)
        .exclude(state=ReviewState.WITHDRAWN)
        .values_list("actor_id", "recommendation_id", "status", "as_of", "as_of_precision", "value")
    )
    if len(actors) < 2000:
        existing = existing.filter(actor_id__in=actors)
    return {_key(*row) for row in existing.iterator(chunk_size=5000)}


def _find_actor(values: dict, directory: _Directory, reject) -> Actor | None:
    code = values.get("actor_code", "").strip()
    iso3 = values.get("country_iso3", "").strip()
    name = values.get("actor_name", "").strip()
    if code:
        actor = directory.actors.get(code.lower())
        if actor is None:
            reject("actor_code", f"Unknown country or organization code “{code}”.")
        return actor
    if iso3:
        actor = directory.actors.get(iso3.lower())
        if actor is None or actor.kind != ActorKind.COUNTRY:
            reject("country_iso3", f"Unknown ISO3 country code “{iso3}”.")
            return None
        return actor
    if name:
        actor = directory.country_names.get(name.lower())
        if actor is None:
            reject("actor_name", f"No country is called “{name}”; give actor_code or country_iso3.")
        return actor
    reject("actor_code", "Name the country or organization (actor_code, country_iso3 or actor_name).")
    return None


def _parse_date(text: str, reject) -> tuple[datetime.date | None, str]:
    """'2017' → (2017-01-01, year); '2017-03' → month; '2017-03-31' → day."""
    text = text.strip()
    if not text:
        reject("as_of", "The as-of date is empty.")
        return None, DatePrecision.DAY
    if "T" in text or " " in text:  # a spreadsheet turned the date into a timestamp
        text = text.split("T")[0].split(" ")[0]
    match = _DATE.match(text)
    if not match:
        reject("as_of", f"“{text}” is not a date: write YYYY-MM-DD (or YYYY-MM, or YYYY when only the year is known).")
        return None, DatePrecision.DAY
    year, month, day = match.groups()
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    try:
        value = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        reject("as_of", f"“{text}” is not a real date.")
        return None, DatePrecision.DAY
    if value > datetime.date.today():
        reject("as_of", f"Date {text} is in the future.")
        return None, precision
    return value, precision


def _parse_timestamp(text: str, reject) -> datetime.datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        reject("verified_at", f"“{text}” is not a date and time (YYYY-MM-DDTHH:MM:SSZ).")
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value
