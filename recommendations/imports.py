"""Reading progress spreadsheets (CSV or XLSX) within fixed limits, and planning their import — nothing here
writes to the database.

The accepted columns are those of the status export (``reports.EXPORT_COLUMNS``)
plus ``narrative``, so export → edit → import is a round trip. Extra columns
are ignored. ``plan()`` sorts the rows into *create*, *unchanged* (already in
the tracker, or repeated in the file) and *rejected* (row number, column,
reason): every new row passes ``services.validate_progress``, the function the
form uses, and ``services.check_can_file``, the rule on who files for whom.
``services.confirm_import`` writes a planned batch, all or nothing.

The work a file can cause is bounded before it is done (``LIMITS``): the
upload's size; for a workbook, what its archive unpacks to, its shared strings
and its cells, checked from the archive before any XML is parsed; then the
rows, columns and cell lengths actually read.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exports import FORMULA_FIRST
from .models import (
    NO_INFORMATION,
    SCALE_NAMES,
    SCALES,
    Actor,
    ActorKind,
    DatePrecision,
    Kind,
    ProgressUpdate,
    Recommendation,
    ReviewState,
    Status,
    english,
    status_label,
)
from .reports import EXPORT_COLUMNS
from .search import fold

REQUIRED = {"recommendation_code", "as_of"}
ACTOR_COLUMNS = ("actor_code", "country_iso3", "actor_name")
# The separators a CSV file may use: the comma, the semicolon (what Excel writes where the comma is the decimal
# sign: French, Spanish, Russian…) and the tab (Excel's "Unicode text").
SEPARATORS = ",;\t"
NOT_AN_UPDATE = gettext_lazy("“No information” is what reports show where there is no update; not imported.")
# The templates' example row starts its narrative with this; the import skips such a row, so an example
# left in the file is never filed as the reporter's own claim.
EXAMPLE_MARK = "[Example row: not imported]"
IS_EXAMPLE = gettext_lazy("The template's example row (its narrative starts with “[Example row”); not imported.")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")

# The limits. README.md and docs/security.md list them; the import page shows them.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
EMPTY_STRETCH = 1_000  # this many empty rows in a row end the reading
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_XLSX_MEMBERS = 1_000
MAX_SHARED_STRINGS_BYTES = 20 * 1024 * 1024
MAX_SHARED_STRINGS = 250_000
MAX_XLSX_CELLS = 1_000_000


def _filled(message, **values):
    """A lazily translated message with its named placeholders filled in when shown."""
    return lazy(lambda: str(message) % values, str)()


# (what, the limit), in words, in the language of the page that shows them.
LIMITS = [
    (gettext_lazy("File size"), _filled(gettext_lazy("%(n)s MB"), n=MAX_UPLOAD_BYTES // 1_048_576)),
    (gettext_lazy("Rows"), _filled(gettext_lazy("%(n)s (plus the header row)"), n=f"{MAX_ROWS:,}")),
    (gettext_lazy("Columns"), _filled(gettext_lazy("%(n)s (extra columns are ignored, but count)"), n=MAX_COLUMNS)),
    (gettext_lazy("Characters in one cell"), _filled(gettext_lazy("%(n)s (as in Excel)"), n=f"{MAX_CELL_CHARS:,}")),
    (
        gettext_lazy("Empty rows"),
        _filled(
            gettext_lazy("reading stops after %(n)s empty rows in a row, and the preview says so"),
            n=f"{EMPTY_STRETCH:,}",
        ),
    ),
    (
        gettext_lazy("Excel: unpacked size"),
        _filled(gettext_lazy("%(n)s MB (an .xlsx file is a zip archive)"), n=MAX_XLSX_UNPACKED_BYTES // 1_048_576),
    ),
    (
        gettext_lazy("Excel: shared strings"),
        _filled(
            gettext_lazy("%(n)s distinct texts, %(size)s MB unpacked"),
            n=f"{MAX_SHARED_STRINGS:,}",
            size=MAX_SHARED_STRINGS_BYTES // 1_048_576,
        ),
    ),
    (gettext_lazy("Excel: cells"), _filled(gettext_lazy("%(n)s in the workbook"), n=f"{MAX_XLSX_CELLS:,}")),
]

SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
# An opening tag <si …> or <c …>, with or without a namespace prefix; never <cols>, <col> or <cfRule>.
_SHARED_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?si[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?c[\s/>]")


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header, missing columns, over a limit)."""


@dataclass
class Unreadable:
    """A row the reader could not turn into cells, and why (the plan rejects it)."""

    column: str
    reason: str


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
    organization: Actor
    narrative: str
    historical: bool
    perspective: str = ""

    @property
    def status_label(self) -> str:
        """The status as people read it ("Party (ratified)"), whichever of label or code the file gave."""
        return status_label(self.status) if self.status else "—"


@dataclass
class Plan:
    filename: str
    create: list[PlannedUpdate] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # row numbers
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, why): e.g. "No information" rows
    rejected: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the preview must say about the file as a whole

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
# Reading, within the limits
# ---------------------------------------------------------------------------


def read_rows(upload, filename: str) -> "Rows":
    """The data rows of a CSV or XLSX upload: iterate for (row number, {column: text} or Unreadable)."""
    return Rows(upload, filename)


class Rows:
    """An upload's rows, read within the limits; row 1 is the header, as in a spreadsheet.

    After (or during) iteration: ``columns`` (the header), ``rows_read`` (data
    rows looked at, empty ones included) and ``notes`` (where reading stopped
    early, for the preview).
    """

    def __init__(self, upload, filename: str):
        name = filename.lower()
        if name.endswith(".xlsx"):
            self._cells = self._xlsx_cells
        elif name.endswith((".csv", ".txt")):
            self._cells = self._csv_cells
        else:
            raise ImportFileError(_("Upload a .csv or .xlsx file (the formats the status export writes)."))
        self.upload = upload
        self.columns: list[str] = []
        self.rows_read = 0
        self.notes: list[str] = []
        self._width = MAX_COLUMNS + 1
        # The CSV's column separator, once the header is read (None for a workbook): a semicolon says the
        # file's numbers use the decimal comma (``read_value``).
        self.separator: str | None = None

    def __iter__(self):
        source = self._cells()
        header = next(source, None)
        if isinstance(header, Unreadable):
            raise ImportFileError(header.reason)
        header = [h.strip() for h in header or []]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise ImportFileError(_("The file is empty: the first row must hold the column names."))
        if len(header) > MAX_COLUMNS:
            raise ImportFileError(
                _(
                    "The first row has more than %(max)s columns; the limit is %(max)s columns "
                    "(the status export has 16). Delete the columns you do not need."
                )
                % {"max": MAX_COLUMNS}
            )
        self.columns = _check_header(header)
        self._width = len(self.columns)
        empty = 0
        for number, cells in enumerate(source, start=2):
            self.rows_read += 1
            if isinstance(cells, Unreadable):
                yield number, cells
                return
            cells = cells[: self._width]
            if not any(cell.strip() for cell in cells):
                empty += 1
                if empty >= EMPTY_STRETCH:
                    if next(source, None) is not None:
                        self.notes.append(
                            _(
                                "Reading stopped at row %(row)s, after %(empty)s empty rows in a row; "
                                "anything below was not read. Remove the empty rows if there is more."
                            )
                            % {"row": f"{number:,}", "empty": f"{EMPTY_STRETCH:,}"}
                        )
                    return
                continue
            empty = 0
            if number > MAX_ROWS + 1:
                raise ImportFileError(
                    _("The file has more than %(max)s rows; split it into smaller files.") % {"max": f"{MAX_ROWS:,}"}
                )
            too_long = next((i for i, cell in enumerate(cells) if len(cell) > MAX_CELL_CHARS), None)
            if too_long is not None:
                yield (
                    number,
                    Unreadable(
                        self.columns[too_long],
                        _("This cell holds %(n)s characters; a cell may hold at most %(max)s (as in Excel).")
                        % {"n": f"{len(cells[too_long]):,}", "max": f"{MAX_CELL_CHARS:,}"},
                    ),
                )
                continue
            yield number, dict(zip(self.columns, cells, strict=False))

    def _read_upload(self) -> bytes:
        raw = self.upload.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            raise ImportFileError(
                _("The file is larger than %(max)s MB; split it.") % {"max": MAX_UPLOAD_BYTES // 1_048_576}
            )
        return raw

    def _csv_cells(self):
        raw = self._read_upload()
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                message = _("The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
                raise ImportFileError(message) from error
        else:
            text = raw
        # A cell's length is judged row by row above (MAX_CELL_CHARS, with a message); the csv module's own
        # limit (131,072) would end the whole file with an error instead. The upload's size bounds any field.
        if csv.field_size_limit() < MAX_UPLOAD_BYTES:
            csv.field_size_limit(MAX_UPLOAD_BYTES)
        self.separator = header_separator(text)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.separator)
        try:
            yield from reader
        except csv.Error as error:
            yield Unreadable(
                "",
                _("The file was not read past this row, which the CSV reader refused (%(error)s).") % {"error": error},
            )

    def _xlsx_cells(self):
        data = self._read_upload()
        check_workbook(io.BytesIO(data))
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = book["status"] if "status" in book.sheetnames else book.worksheets[0]
        except Exception as error:  # openpyxl raises several kinds for a broken file
            raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
        try:
            # The sheet's declared dimension is not trusted: rows and columns are bounded here, and the
            # loop above stops at the first long empty stretch.
            rows = sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1, values_only=True)
            while True:
                try:
                    values = next(rows)
                except StopIteration:
                    return
                except Exception as error:  # a broken sheet part, found half-way
                    yield Unreadable(
                        "",
                        _("The workbook was not read past this row, which is broken (%(error)s).")
                        % {"error": type(error).__name__},
                    )
                    return
                yield ["" if v is None else _cell_text(v) for v in values[: self._width]]
        finally:
            book.close()


def check_workbook(handle) -> None:
    """Refuse a workbook whose archive would cost too much to read, before any of its XML is parsed.

    Sizes come from the archive's directory; Python's zipfile never unpacks a
    member beyond its declared size, so they are upper bounds. Shared strings
    and cells are counted by streaming the members, in constant memory.
    """
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_XLSX_MEMBERS:
            raise ImportFileError(
                _("The workbook has %(n)s parts; the limit is %(max)s.")
                % {"n": f"{len(members):,}", "max": f"{MAX_XLSX_MEMBERS:,}"}
            )
        types = _content_types(archive)
        strings = [m for m in members if types.get(m.filename) == SHARED_STRINGS_TYPE]
        for member in strings:
            if member.file_size > MAX_SHARED_STRINGS_BYTES:
                raise ImportFileError(
                    _(
                        "The workbook's shared strings (the text of its cells) unpack to %(size)s MB; the limit is "
                        "%(max)s MB. Save it as CSV, or split it."
                    )
                    % {"size": f"{member.file_size / 1_048_576:,.0f}", "max": MAX_SHARED_STRINGS_BYTES // 1_048_576}
                )
        total = sum(m.file_size for m in members)
        if total > MAX_XLSX_UNPACKED_BYTES:
            raise ImportFileError(
                _(
                    "The workbook unpacks to %(size)s MB uncompressed; the limit is "
                    "%(max)s MB. Save it as CSV, or split it."
                )
                % {"size": f"{total / 1_048_576:,.0f}", "max": MAX_XLSX_UNPACKED_BYTES // 1_048_576}
            )
        try:
            shared = 0
            for member in strings:
                shared += _count_tags(archive, member, _SHARED_STRING_TAG, MAX_SHARED_STRINGS - shared)
                if shared > MAX_SHARED_STRINGS:
                    raise ImportFileError(
                        _(
                            "The workbook has more than %(max)s shared strings (distinct texts); "
                            "save it as CSV, or split it."
                        )
                        % {"max": f"{MAX_SHARED_STRINGS:,}"}
                    )
            # Every other part is counted, not only those declared as sheets: openpyxl finds sheets by
            # the workbook's relationships, which need not agree with the content types.
            cells = 0
            for member in members:
                if member not in strings and not member.is_dir():
                    cells += _count_tags(archive, member, _CELL_TAG, MAX_XLSX_CELLS - cells)
                    if cells > MAX_XLSX_CELLS:
                        raise ImportFileError(
                            _("The workbook has more than %(max)s cells; split it.") % {"max": f"{MAX_XLSX_CELLS:,}"}
                        )
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as error:
            raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error


def _content_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """Member name → content type, from [Content_Types].xml (where openpyxl looks for the parts it reads)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError as error:
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
    if info.file_size > 1_048_576:
        raise ImportFileError(_("The workbook's list of parts is larger than 1 MB; it is not a normal workbook."))
    try:
        root = fromstring(archive.read(info))
    except (ParseError, DefusedXmlException) as error:
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
    types = {}
    for element in root:
        part, kind = element.get("PartName"), element.get("ContentType")
        if part and kind:
            types[part.lstrip("/")] = kind
    return types


def _count_tags(archive: zipfile.ZipFile, member: zipfile.ZipInfo, tag: re.Pattern, stop_after: int) -> int:
    """How many times an opening tag occurs in a member (counting stops past ``stop_after``).

    Read in 1 MB blocks; the last 64 bytes of a block are looked at again with
    the next one, so a tag that straddles two blocks is counted once.
    """
    count, carry, overlap = 0, b"", 64
    with archive.open(member) as stream:
        while block := stream.read(1 << 20):
            text = carry + block
            limit = len(text) - overlap
            for match in tag.finditer(text):
                if match.start() >= limit:
                    break
                count += 1
                if count > stop_after:
                    return count
            carry = text[limit:] if limit > 0 else text
    return count + len(tag.findall(carry))


def _cell_text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def header_separator(text: str) -> str:
    """The separator of a CSV file, judged by its first line: the one of ``SEPARATORS`` it holds most often.

    Column names hold none of them, so a count is enough (csv.Sniffer guesses from the data rows too, where a
    narrative's commas mislead it); a line with none (one column) is read with commas.
    """
    first = text.split("\n", 1)[0]
    counts = {separator: first.count(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda separator: counts[separator])  # a tie: the first, the comma
    return best if counts[best] else ","


def _check_header(header: list[str]) -> list[str]:
    columns = [h.strip().lower() for h in header]
    # Every missing column at once: fixing one at a time, upload after upload, is what people gave up on.
    missing = sorted(REQUIRED - set(columns))
    if not set(ACTOR_COLUMNS) & set(columns):
        missing.append(_("actor_code (or country_iso3, or actor_name)"))
    if "status" not in columns and "value" not in columns:
        missing.append(_("status (or value, for a quantitative item)"))
    if missing:
        message = _(
            "Missing column(s): %(missing)s. The first row must hold the column names of the status export: "
            "%(columns)s."
        ) % {"missing": ", ".join(missing), "columns": ", ".join(EXPORT_COLUMNS)}
        if len(columns) == 1:
            message += " " + _(
                "The first row was read as a single column: separate the columns with commas, semicolons or tabs."
            )
        raise ImportFileError(message)
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
        self._country_names: dict[str, tuple[Actor | None, list[Actor]]] = {}
        for actor in Actor.objects.select_related("base_country").iterator(chunk_size=5000):
            self.actors[actor.code.lower()] = actor
            if actor.kind == ActorKind.COUNTRY:
                self.actors.setdefault(actor.iso3.lower(), actor)
        self.items = {r.code.upper(): r for r in Recommendation.objects.select_related("document")}
        self.status_by_text = {}
        for status in Status:
            self.status_by_text[status.value] = status.value
            # English labels only: a file means the same whatever language its uploader reads the site in.
            self.status_by_text[english(status.label).lower()] = status.value
        # "Party" alone is ambiguous between ratified, acceded and succeeded: not accepted.

    def country_named(self, name: str) -> tuple[Actor | None, list[Actor]]:
        """The country ``name`` means, by the site's one rule (``Actor.objects.resolve``: a code, the whole name
        in any UN language, or words of it, accents aside), else suggestions; asked once per name, since a file
        repeats its countries."""
        key = fold(name.strip())
        if key not in self._country_names:
            found, suggestions = Actor.objects.real().countries().resolve(name)
            # The directory's own row: the one the rest of the plan compares and writes.
            self._country_names[key] = (None if found is None else self.actors[found.code.lower()], suggestions)
        return self._country_names[key]


@dataclass
class _Parsed:
    """A row whose names, date and value were understood; the rules of the form are checked next."""

    row: int
    actor: Actor
    recommendation: Recommendation
    status: str | None
    as_of: datetime.date
    as_of_precision: str
    value: Decimal | None
    values: dict


# Service field names → the file's column names.
_COLUMN_OF_FIELD = {"actor": "actor_code", "organization": "reported_by_organization"}


def plan(rows, *, filename: str, organization: Actor, user=None, system=None) -> Plan:
    """Check every row; nothing is written.

    ``organization`` (required) files the rows whose reported_by_organization
    column is empty. The rows are filed by ``user`` — who must belong to every
    organization they name, reviewer or not — or by the tracker itself when
    ``system`` (a ``services.SystemActor``) is given instead.
    """
    from . import services

    if organization is None:
        raise ValueError("An import is always filed on behalf of an organization: pass organization=….")
    acting = services.acting(user, system)
    memberships = None if system is not None else set(services.user_organizations(user).values_list("pk", flat=True))
    services.check_can_file(acting, organization, memberships=memberships)

    directory = _Directory()
    result = Plan(filename=filename)
    parsed: list[_Parsed] = []
    file_verified_at = False

    for number, row in rows:
        if isinstance(row, Unreadable):
            result.rejected.append(Rejection(number, row.column, row.reason))
            continue
        errors: list[Rejection] = []

        def reject(column, reason, number=number, errors=errors):
            errors.append(Rejection(number, column, reason))

        values = {key: unguard(value or "") for key, value in row.items() if key}
        file_verified_at = file_verified_at or bool(values.get("verified_at"))
        status_text = values.get("status", "").strip()
        if values.get("narrative", "").strip().lower().startswith(EXAMPLE_MARK[:12].lower()):
            result.skipped.append((number, str(IS_EXAMPLE)))
            continue
        if status_text.lower() in (NO_INFORMATION, "no information"):
            result.skipped.append((number, str(NOT_AN_UPDATE)))
            continue
        actor = _find_actor(values, directory, reject)
        code = values.get("recommendation_code", "").upper()
        item = directory.items.get(code)
        if not code:
            reject("recommendation_code", _("The item code is empty."))
        elif item is None:
            reject(
                "recommendation_code",
                _("Unknown item code “%(code)s”.") % {"code": values["recommendation_code"]},
            )
        status = None
        if status_text:
            status = directory.status_by_text.get(status_text.lower())
            if status is None:
                reject("status", _("Unknown status “%(status)s”.") % {"status": status_text})
            elif item is not None and status not in SCALES[item.kind]:
                reject(
                    "status",
                    _("Status “%(status)s” is not on the %(scale)s scale of %(code)s.")
                    % {"status": status_text, "scale": SCALE_NAMES[item.kind], "code": item.code},
                )
        as_of, precision = _parse_date(values.get("as_of", ""), reject)
        value = None
        try:
            value = read_value(values.get("value", ""), decimal_comma=getattr(rows, "separator", None) == ";")
        except ValidationError as error:
            for message in error.messages:
                reject("value", message)
        if errors:
            result.rejected.extend(errors)
        elif actor and item and as_of:
            if item.kind == Kind.QUANTITATIVE and value is not None and status is None:
                # Derived here for the "already in the tracker" key; a status the file gives is left for
                # validate_progress to compare with the value (the form's rule), not silently replaced.
                status = item.status_for_value(value)
            parsed.append(_Parsed(number, actor, item, status, as_of, precision, value, values))

    # Rows already in the tracker (not withdrawn), or repeated in the file, change nothing and need no check.
    existing = _existing_keys(parsed)
    seen: set[tuple] = set()
    for row in parsed:
        perspective = _perspective(row, directory, organization, result.rejected)
        if perspective is None:
            continue
        key = _key(
            row.actor.pk, row.recommendation.pk, row.status, row.as_of, row.as_of_precision, row.value, perspective
        )
        if key in existing or key in seen:
            result.unchanged.append(row.row)
            continue
        planned = _check_row(row, directory, organization, acting, memberships, result.rejected)
        if planned is not None:
            planned.perspective = perspective
            seen.add(key)
            result.create.append(planned)

    result.rejected.sort(key=lambda rejection: rejection.row)
    columns = getattr(rows, "columns", [])
    result.notes.extend(getattr(rows, "notes", []))
    if file_verified_at:
        result.notes.append(
            _(
                "The verified_at column is ignored: an import is verified when a reviewer confirms it, "
                "at the server's time, never at a time the file gives."
            )
        )
    if columns and "narrative" not in columns and any(r.column == "narrative" for r in result.rejected):
        result.notes.append(
            _(
                "This file has no narrative column. Each new update needs one, as the form requires: "
                "%(min)s–%(max)s characters saying what happened. "
                "Rows already in the tracker need none."
            )
            % {"min": services.NARRATIVE_MIN, "max": f"{services.NARRATIVE_MAX:,}"}
        )
    return result


def _check_row(row: _Parsed, directory, organization, acting, memberships, rejected) -> PlannedUpdate | None:
    """The rules of the form and of filing, for one new row; its rejections are appended to ``rejected``."""
    from . import services

    values, errors = row.values, []
    org = organization
    org_code = values.get("reported_by_organization", "").strip()
    if org_code:
        org = directory.actors.get(org_code.lower())
        if org is None or org.kind != ActorKind.ORGANIZATION:
            errors.append(
                Rejection(
                    row.row,
                    "reported_by_organization",
                    _("Unknown organization code “%(code)s”.") % {"code": org_code},
                )
            )
            org = None
    narrative = values.get("narrative", "")
    urls = services.split_links(values.get("evidence_urls", ""))
    if not narrative.strip():
        # Said plainly (the rule below would say "at least 20 characters (you wrote 0)").
        errors.append(
            Rejection(
                row.row,
                "narrative",
                _(
                    "The narrative is empty. Say what happened, who did it and where the evidence says so "
                    "(%(min)s–%(max)s characters): readers see it as “What happened”."
                )
                % {"min": services.NARRATIVE_MIN, "max": f"{services.NARRATIVE_MAX:,}"},
            )
        )
    historical = row.as_of < row.recommendation.document.date
    checks = []
    if org is not None:
        checks.append(lambda: services.check_can_file(acting, org, memberships=memberships))
    checks.append(
        lambda: services.validate_progress(
            actor=row.actor,
            recommendation=row.recommendation,
            status=row.status,
            value=row.value,
            as_of=row.as_of,
            as_of_precision=row.as_of_precision,
            evidence_urls=urls,
            narrative=narrative,
            has_file=False,  # an import cannot attach files: a link is required, as the form requires one of them
            organization=org,
            historical=historical,
        )
    )
    for check in checks:
        try:
            check()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name == "narrative" and not narrative.strip():
                    continue  # already said plainly
                for message in messages:
                    errors.append(Rejection(row.row, _COLUMN_OF_FIELD.get(name, name), message))
    if errors:
        rejected.extend(errors)
        return None
    return PlannedUpdate(
        row.row,
        row.actor,
        row.recommendation,
        row.status,
        row.as_of,
        row.as_of_precision,
        row.value,
        urls,
        org,
        narrative.strip(),
        historical,
    )


def plan_batch(batch, progress=None) -> Plan:
    """The plan of a stored import batch, from its importer's point of view (nothing is written).

    ``progress``, if given, is called as ``progress("check", rows read so far)`` while the rows are read.
    """
    from django.core.files.storage import default_storage

    from . import services

    if batch.created_by_id is None and not batch.system_reason:
        raise ImportFileError("The account that uploaded this file no longer exists; upload it again.")
    who = {"system": services.SystemActor(batch.system_reason)} if batch.system_reason else {"user": batch.created_by}
    try:
        with default_storage.open(batch.file, "rb") as handle:
            data = handle.read(MAX_UPLOAD_BYTES + 1)
    except (FileNotFoundError, ValueError) as error:  # ValueError: an empty path, the file was deleted
        raise ImportFileError("The uploaded file is no longer there; upload it again.") from error
    rows = read_rows(io.BytesIO(data), batch.filename)
    return plan(
        rows if progress is None else _Reporting(rows, progress),
        filename=batch.filename,
        organization=batch.organization,
        **who,
    )


class _Reporting:
    """The rows of an upload, calling ``progress("check", n)`` as they are read (for the background job's bar)."""

    def __init__(self, rows, progress):
        self.rows, self.progress = rows, progress

    def __iter__(self):
        for count, row in enumerate(self.rows, start=1):
            self.progress("check", count)
            yield row

    def __getattr__(self, name):  # columns, notes, rows_read: the reader's own
        return getattr(self.rows, name)


def read_value(text: str, *, decimal_comma: bool) -> Decimal | None:
    """A measured value as the form reads it (a decimal point: the browser's number field sends one whatever
    sign the person typed), and a decimal comma where it cannot be read otherwise.

    ``decimal_comma``: the file is semicolon-separated, as Excel writes CSV where the comma is the decimal
    sign, so "7,25" is 7.25. Elsewhere "1,000" could be a thousand or one: refused, saying so, rather than
    guessed. ``services.clean_value`` then applies the rule every value obeys.
    """
    from . import services

    text = text.strip()
    if "," in text:
        if not decimal_comma:
            raise ValidationError(
                {
                    "value": [
                        _(
                            "“%(value)s”: write the value with a decimal point (7.25), or save the file "
                            "separated by semicolons, where the comma is the decimal sign; here a comma could "
                            "also group thousands (1,000)."
                        )
                        % {"value": text}
                    ]
                }
            )
        text = text.replace(",", ".")
    return services.clean_value(text or None)


def _key(actor_id, item_id, status, as_of, precision, value, perspective):
    value = None if value is None else Decimal(value).normalize()
    return (actor_id, item_id, status, as_of, precision, value, perspective)


def _perspective(row: _Parsed, directory, organization, rejected) -> str | None:
    """The row's perspective: its ``perspective`` cell (a code or a label), or, empty or absent, the usual
    one of the organization it is filed for (``services.default_perspective``); None when rejected."""
    from . import services

    code = row.values.get("reported_by_organization", "").strip()
    org = directory.actors.get(code.lower(), organization) if code else organization
    try:
        return services.parse_perspective(row.values.get("perspective"), org)
    except ValueError as error:
        rejected.append(Rejection(row.row, "perspective", str(error)))
        return None


def _existing_keys(rows: list[_Parsed]) -> set:
    if not rows:
        return set()
    actors = {r.actor.pk for r in rows}
    items = {r.recommendation.pk for r in rows}
    existing = (
        ProgressUpdate.objects.filter(recommendation_id__in=items)
        .exclude(state=ReviewState.WITHDRAWN)
        .values_list("actor_id", "recommendation_id", "status", "as_of", "as_of_precision", "value", "perspective")
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
            reject("actor_code", _("Unknown country or organization code “%(code)s”.") % {"code": code})
        return actor
    if iso3:
        actor = directory.actors.get(iso3.lower())
        if actor is None or actor.kind != ActorKind.COUNTRY:
            reject("country_iso3", _("Unknown ISO3 country code “%(code)s”.") % {"code": iso3})
            return None
        return actor
    if name:
        actor, suggestions = directory.country_named(name)
        if actor is None:
            message = _("No country is called “%(name)s”; give actor_code or country_iso3.") % {"name": name}
            if suggestions:
                hint = "; ".join(f"{a.name} ({a.code})" for a in suggestions)
                message += " " + _("Did you mean: %(hint)s?") % {"hint": hint}
            reject("actor_name", message)
        return actor
    reject("actor_code", _("Name the country or organization (actor_code, country_iso3 or actor_name)."))
    return None


def _parse_date(text: str, reject) -> tuple[datetime.date | None, str]:
    """'2017' → (2017-01-01, year); '2017-03' → month; '2017-03-31' → day. Its bounds are the form's rule."""
    text = text.strip()
    if not text:
        reject("as_of", _("The as-of date is empty."))
        return None, DatePrecision.DAY
    if "T" in text or " " in text:  # a spreadsheet turned the date into a timestamp
        text = text.split("T")[0].split(" ")[0]
    match = _DATE.match(text)
    if not match:
        reject(
            "as_of",
            _("“%(text)s” is not a date: write YYYY-MM-DD (or YYYY-MM, or YYYY when only the year is known).")
            % {"text": text},
        )
        return None, DatePrecision.DAY
    year, month, day = match.groups()
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    try:
        value = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        reject("as_of", _("“%(text)s” is not a real date.") % {"text": text})
        return None, DatePrecision.DAY
    return value, precision
