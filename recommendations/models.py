"""Entities of the tracker, their invariants and their QuerySet verbs.

Reading order: the source document and its structure (SourceDocument,
Section, Paragraph); the taxonomies editors maintain (Theme, Addressee,
Instrument, SDGTarget); the trackable items (Recommendation and its
Citations); who is tracked (Actor); and what is tracked (ProgressUpdate, the
append-only history, and CurrentStatus, the latest counted update per
actor and item, maintained by ``services.py``); and the audit trail and
the record of data corrections the seed applied (DataCorrection).

Writes with side effects live in ``services.py``; nothing here overrides
``save()`` or listens to signals.
"""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import connection, models
from django.db.models import F, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

# --------------------------------------------------------------------------
# Kinds of item and their status scales
# --------------------------------------------------------------------------


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


class ReviewState(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    VERIFIED = "verified", "Verified"
    RETURNED = "returned", "Returned for changes"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class NaturalKeyManager(models.Manager):
    """Finds a row by its natural key (a code or slug), so exports and imports never depend on database ids."""

    def __init__(self, *lookups: str):
        super().__init__()
        self.lookups = lookups

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.lookups, values, strict=True)))


# --------------------------------------------------------------------------
# The source document and its structure
# --------------------------------------------------------------------------


class SourceDocument(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    symbol = models.CharField(max_length=40, blank=True, help_text="UN document symbol, if known (A/61/187).")
    url = models.URLField(
        "official URL",
        max_length=500,
        blank=True,
        help_text="Where the official UN document can be read (e.g. https://undocs.org/A/61/187).",
    )
    issuing_body = models.CharField(max_length=200)
    date = models.DateField(help_text="Date of the document.")
    event_date = models.DateField(null=True, blank=True, help_text="Date of the hearings it summarises.")

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def citation(self) -> str:
        """The one way the source is cited in words: title, symbol, issuer, date (pages, exports, metadata)."""
        symbol = f" (UN document {self.symbol})" if self.symbol else ""
        return f"{self.title}{symbol}. {self.issuing_body}, {self.date:%-d %B %Y}."


class Section(models.Model):
    """One of the document's own headings (II Key findings; IV.B.2 …)."""

    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(max_length=30, help_text="Full position, e.g. IV.B.2.")
    number = models.CharField(max_length=10, blank=True, help_text="The number as printed (blank if unnumbered).")
    title = models.CharField(max_length=300)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    first_paragraph = models.PositiveSmallIntegerField()
    last_paragraph = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()

    objects = NaturalKeyManager("document__slug", "code")

    class Meta:
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "code"], name="section_code_unique"),
            models.CheckConstraint(
                condition=Q(first_paragraph__lte=models.F("last_paragraph")), name="section_range_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def depth(self) -> int:
        return self.code.count(".") + self.code.count("-")

    @property
    def paragraph_range(self) -> str:
        if self.first_paragraph == self.last_paragraph:
            return f"¶{self.first_paragraph}"
        return f"¶{self.first_paragraph}–{self.last_paragraph}"

    def natural_key(self):
        return (
            self.document.slug,
            self.code,
        )

    natural_key.dependencies = ["recommendations.sourcedocument"]


class Paragraph(models.Model):
    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="paragraphs")
    number = models.PositiveSmallIntegerField()
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="paragraphs")
    text = models.TextField()

    objects = NaturalKeyManager("document__slug", "number")

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="paragraph_number_unique")]

    def __str__(self):
        return f"¶{self.number}"

    def get_absolute_url(self):
        return reverse("recommendations:source") + f"#p{self.number}"

    def natural_key(self):
        return (
            self.document.slug,
            self.number,
        )

    natural_key.dependencies = ["recommendations.sourcedocument"]


# --------------------------------------------------------------------------
# Taxonomies maintained by editors
# --------------------------------------------------------------------------


class Theme(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Addressee(models.Model):
    """Whom a call to action names: all Member States, countries of origin, civil society …"""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100, unique=True)
    applies_to = models.CharField(
        max_length=20,
        choices=ActorKind.choices,
        help_text="Which kind of actor answers for this addressee in reports.",
    )
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Instrument(models.Model):
    short_name = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=300)
    adopting_body = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()
    url = models.URLField(blank=True, max_length=500)

    history = HistoricalRecords()

    objects = NaturalKeyManager("short_name")

    class Meta:
        ordering = ["year", "short_name"]

    def __str__(self):
        return self.short_name

    def natural_key(self):
        return (self.short_name,)


class SDGTarget(models.Model):
    code = models.CharField(max_length=10, unique=True)
    title = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    objects = NaturalKeyManager("code")

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "SDG target"

    def __str__(self):
        return f"SDG {self.code}"

    def natural_key(self):
        return (self.code,)


# --------------------------------------------------------------------------
# Trackable items
# --------------------------------------------------------------------------

recommendation_code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,9}$", "Use capital letters and digits only, starting with a letter (e.g. R07)."
)


class RecommendationQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def for_list(self):
        """Everything a list row or the CSV export shows, in a fixed number of queries."""
        return self.select_related("section", "ratifies").prefetch_related(
            "themes",
            "addressees",
            "instruments",
            models.Prefetch("citations", queryset=Citation.objects.for_display()),
        )

    def search(self, text: str):
        """Items with any of the words in the title or a quotation, or with one as the code (search.py)."""
        from .search import matching

        if not text.strip():
            return self
        ids = matching(Recommendation.objects.all(), text, contains=["title", "citations__text"], exact=["code"])
        return self.filter(pk__in=ids.values("pk"))


class Recommendation(models.Model):
    """A trackable call to action, quoted verbatim from the source."""

    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[recommendation_code_validator],
        help_text="Permanent identifier used in URLs, exports and imports. Never reused.",
    )
    title = models.CharField(
        max_length=120, help_text="Short imperative title, written by the editors in the words of the quotations."
    )
    # The editorial layer: what the tracker's editors add to the verbatim quotations.
    title_is_editorial = models.BooleanField(
        "title goes beyond the quotations",
        default=False,
        help_text="The title names or claims something its quotations do not say (e.g. an instrument the "
        "source does not name). Explain it in the editorial note.",
    )
    editorial_split = models.BooleanField(
        default=False,
        help_text="The source makes one call about a group (“all the core human rights instruments”) and the "
        "editors made this item for one member of it. Give the reason in the editorial note.",
    )
    editorial_note = models.TextField(
        blank=True, help_text="What the editors added or split, and why. Shown on the item page and in exports."
    )
    document = models.ForeignKey(SourceDocument, on_delete=models.PROTECT, related_name="recommendations")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="recommendations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ratifies = models.ForeignKey(
        Instrument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratification_items",
        help_text="For ratification items only: the instrument to ratify.",
    )
    themes = models.ManyToManyField(Theme, related_name="recommendations", blank=True)
    addressees = models.ManyToManyField(Addressee, related_name="recommendations")
    instruments = models.ManyToManyField(
        Instrument, related_name="recommendations", blank=True, help_text="Instruments the item concerns."
    )
    sdg_targets = models.ManyToManyField(
        SDGTarget,
        related_name="recommendations",
        blank=True,
        verbose_name="related SDG targets",
        help_text="Editorial mapping added by the tracker's editors; the 2006 source predates the SDGs.",
    )
    # Quantitative items only.
    unit = models.CharField(max_length=40, blank=True)
    lower_is_better = models.BooleanField(default=True)
    baseline = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    baseline_note = models.TextField(blank=True)
    target = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    ceiling = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Worst acceptable value (e.g. no remittance corridor above 5 %).",
    )
    target_note = models.TextField(blank=True)
    thresholds_source = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the target and ceiling come from when the source does not give them (e.g. “SDG target "
        "10.c (2015)”). Shown wherever the automatic statuses appear.",
    )
    value_min = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True, help_text="Lowest plausible measured value."
    )
    value_max = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True, help_text="Highest plausible measured value."
    )
    position = models.PositiveIntegerField(default=0, help_text="Order in lists (document order).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[themes, addressees, instruments, sdg_targets])
    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=Kind.RATIFICATION, ratifies__isnull=False)
                | (~Q(kind=Kind.RATIFICATION) & Q(ratifies__isnull=True)),
                name="ratification_names_one_instrument",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.QUANTITATIVE) | (Q(target__isnull=False) & ~Q(unit="")),
                name="quantitative_has_target_and_unit",
            ),
            models.CheckConstraint(
                condition=Q(title_is_editorial=False, editorial_split=False) | ~Q(editorial_note=""),
                name="editorial_flag_has_note",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("recommendations:detail", args=[self.code])

    @property
    def scale(self) -> tuple[str, ...]:
        return SCALES[self.kind]

    def status_choices(self) -> list[tuple[str, str]]:
        return [(status, Status(status).label) for status in self.scale]

    def cited_paragraphs(self) -> list[int]:
        """Paragraph numbers, using prefetched citations when present."""
        return sorted({citation.paragraph.number for citation in self.citations.all()})

    def paragraphs_display(self) -> str:
        """ "¶10, ¶29 (context: ¶23)": the paragraphs that make the call, then those quoted as context."""
        citations = list(self.citations.all())
        calls = sorted({c.paragraph.number for c in citations if not c.is_context})
        context = sorted({c.paragraph.number for c in citations if c.is_context} - set(calls))
        text = ", ".join(f"¶{n}" for n in calls)
        return text + (f" (context: {', '.join(f'¶{n}' for n in context)})" if context else "")

    def status_for_value(self, value) -> str:
        """The status a measured value earns on this quantitative item."""
        if self.kind != Kind.QUANTITATIVE:
            raise ValueError("only quantitative items derive a status from a value")

        def at_least_as_good(a, b):
            return a <= b if self.lower_is_better else a >= b

        if at_least_as_good(value, self.target):
            return Status.TARGET_MET
        if self.ceiling is not None:
            return Status.PROGRESSING if at_least_as_good(value, self.ceiling) else Status.OFF_TRACK
        if self.baseline is not None and at_least_as_good(value, self.baseline) and value != self.baseline:
            return Status.PROGRESSING
        return Status.OFF_TRACK

    def thresholds_explained(self) -> str:
        """How a measured value becomes a status on this quantitative item, and where the thresholds come from.

        The one wording of this rule, shown wherever the automatic statuses
        appear: the item page, the progress form, report legends and exports.
        """
        if self.kind != Kind.QUANTITATIVE:
            return ""
        unit = f" {self.unit}" if self.unit else ""
        better, worse = ("at or below", "above") if self.lower_is_better else ("at or above", "below")
        target = plain_number(self.target)
        parts = [f"{Status.TARGET_MET.label}: {better} {target}{unit}"]
        if self.ceiling is not None:
            ceiling = plain_number(self.ceiling)
            parts += [
                f"{Status.PROGRESSING.label}: {better} {ceiling}",
                f"{Status.OFF_TRACK.label}: {worse} {ceiling}",
            ]
        else:
            parts.append(f"{Status.PROGRESSING.label}: better than the baseline; otherwise {Status.OFF_TRACK.label}")
        text = f"{self.code}: status from the measured value. " + "; ".join(parts) + "."
        if self.thresholds_source:
            text += f" These thresholds come from {self.thresholds_source}, not from the 2006 source."
        return text

    def natural_key(self):
        return (self.code,)


class CitationQuerySet(models.QuerySet):
    def for_display(self):
        return self.select_related("paragraph").defer("paragraph__text").order_by("position")


class CitationRole(models.TextChoices):
    CALL = "call", "The call"
    CONTEXT = "context", "Context (not itself a call)"


class Citation(models.Model):
    """A verbatim quotation of a call, or of the context it needs, from one paragraph of the source."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="citations")
    paragraph = models.ForeignKey(Paragraph, on_delete=models.PROTECT, related_name="citations")
    text = models.TextField(help_text="Exact words of the source, from this paragraph.")
    role = models.CharField(
        max_length=10,
        choices=CitationRole.choices,
        default=CitationRole.CALL,
        help_text="“Context” for a quotation that explains the call without making it (e.g. a participant's "
        "question, or the sentence that counts the core instruments).",
    )
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()
    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["recommendation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "paragraph"], name="citation_once_per_paragraph")
        ]

    def __str__(self):
        return f"{self.recommendation.code} ¶{self.paragraph.number}"

    @property
    def is_context(self) -> bool:
        return self.role == CitationRole.CONTEXT


# --------------------------------------------------------------------------
# Who is tracked
# --------------------------------------------------------------------------

actor_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9-]{1,49}$", "Use letters, digits and hyphens (e.g. KEN or mfa-asia)."
)


# The UN's official languages besides English, as the countries fixture keys Actor.other_names.
OTHER_UN_LANGUAGES = ("fr", "es", "ru", "zh", "ar")


class ActorQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def countries(self):
        return self.filter(kind=ActorKind.COUNTRY)

    def organizations(self):
        return self.filter(kind=ActorKind.ORGANIZATION)

    def real(self):
        """Leave out organizations generated for benchmarks."""
        return self.filter(is_synthetic=False)

    def search(self, text: str):
        """Any of the words in the name or in a country's name in the other UN languages, or as a code."""
        from .search import matching

        names = ["name", *(KT(f"other_names__{language}") for language in OTHER_UN_LANGUAGES)]
        return matching(self, text, contains=names, exact=["code", "iso2"])

    def resolve(self, text: str) -> tuple["Actor | None", list["Actor"]]:
        """Find the one actor a person meant by ``text``; else suggestions.

        Accepts a code or ISO3 in any case, an exact name, "Name (CODE)" as
        the choosers display it, or a fragment that matches exactly one name.
        """
        text = text.strip()
        if not text:
            return None, []
        if text.endswith(")") and "(" in text:
            text = text.rsplit("(", 1)[1].rstrip(")").strip()
        exact = list(self.filter(Q(code__iexact=text) | Q(name__iexact=text))[:2])
        if len(exact) == 1:
            return exact[0], []
        # The search's rule (any word, accents aside, names in the UN languages); countries first.
        matches = list(self.search(text).order_by("kind", "name")[:8])
        if len(matches) == 1:
            return matches[0], []
        return None, matches


class Actor(models.Model):
    """A country (UN Member or observer State) or an organization whose progress is tracked."""

    code = models.CharField(
        max_length=50,
        unique=True,
        validators=[actor_code_validator],
        help_text="Countries: ISO 3166-1 alpha-3. Organizations: a short slug. Used in URLs and imports.",
    )
    kind = models.CharField(max_length=20, choices=ActorKind.choices)
    name = models.CharField(max_length=200)
    # Countries: from UN OCHA's country data (hdx-python-country), never typed by hand.
    iso3 = models.CharField("ISO3", max_length=3, null=True, blank=True, unique=True)
    iso2 = models.CharField("ISO2", max_length=2, blank=True)
    m49 = models.PositiveSmallIntegerField("M49 code", null=True, blank=True)
    region = models.CharField(max_length=60, blank=True)
    subregion = models.CharField(max_length=60, blank=True)
    intermediate_region = models.CharField(max_length=60, blank=True)
    un_status = models.CharField(
        "UN status",
        max_length=20,
        blank=True,
        choices=[("member", "Member State"), ("observer", "Observer State")],
    )
    other_names = models.JSONField(
        default=dict, blank=True, help_text="Names in the other UN languages, keyed by language code."
    )
    # Organizations.
    organization_type = models.CharField(max_length=30, choices=OrganizationType.choices, blank=True)
    base_country = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
        limit_choices_to={"kind": ActorKind.COUNTRY},
    )
    website = models.URLField(blank=True, max_length=500)
    is_synthetic = models.BooleanField(default=False, help_text="Generated for benchmarks; never real data.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "country or organization"
        verbose_name_plural = "countries and organizations"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ActorKind.COUNTRY, iso3__isnull=False, organization_type="")
                | (Q(kind=ActorKind.ORGANIZATION, iso3__isnull=True) & ~Q(organization_type="")),
                name="actor_kind_fields",
            ),
            models.UniqueConstraint(Lower("code"), name="actor_code_unique_ci"),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("recommendations:actor", args=[self.code])

    @property
    def is_country(self) -> bool:
        return self.kind == ActorKind.COUNTRY

    def natural_key(self):
        return (self.code,)


# --------------------------------------------------------------------------
# What is tracked
# --------------------------------------------------------------------------


def sees_every_update(user) -> bool:
    """Reviewers and editors see every update, whatever its state (the rule of ``visible_to``)."""
    return user.has_perm("recommendations.review_progress") or user.is_staff


def visible_to_author_q(user, prefix: str = "") -> Q:
    """What anyone else may see: verified updates, and their own. ``user`` may be an expression
    (``F("user_id")``) so that many people's rights are checked in one query; ``prefix`` reaches the
    update through a relation (``"update__"``)."""
    return Q(**{f"{prefix}state": ReviewState.VERIFIED}) | Q(**{f"{prefix}created_by": user})


class ProgressUpdateQuerySet(models.QuerySet):
    def counted(self):
        """Updates that count towards the current status and public reports: verified ones."""
        return self.filter(state=ReviewState.VERIFIED)

    def visible_to(self, user):
        """Verified updates for everyone; a user also sees their own, reviewers and editors see all."""
        if user.is_authenticated and sees_every_update(user):
            return self
        if user.is_authenticated:
            return self.filter(visible_to_author_q(user))
        return self.counted()

    def latest_first(self):
        return self.order_by("-as_of", "-created_at", "-pk")

    def estimated_count(self) -> tuple[int, bool]:
        """(count, is_estimate): the planner's estimate on PostgreSQL when it is large, else COUNT(*).

        Counting a million history rows exactly takes a tenth of a second on
        every request; a headline or an admin page does not need the last digit.
        """
        if connection.vendor == "postgresql":
            sql, params = self.order_by().query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)  # noqa: S608 - ORM-compiled SQL
                estimate = int(cursor.fetchone()[0][0]["Plan"]["Plan Rows"])
            if estimate >= settings.EXACT_COUNT_BELOW:
                return estimate, True
        return self.count(), False

    def latest_per_pair(self) -> dict[tuple[int, int], int]:
        """Recompute, from the whole history, the winning update id of every pair.

        The slow, obviously-correct definition of the current status: the
        counted update with the latest as-of date, then the latest entry.
        Used to rebuild the current-status table and by tests to check it.
        """
        rows = (
            self.counted()
            .order_by("actor_id", "recommendation_id", "-as_of", "-created_at", "-pk")
            .values_list("actor_id", "recommendation_id", "pk")
        )
        latest: dict[tuple[int, int], int] = {}
        for actor_id, recommendation_id, pk in rows.iterator(chunk_size=5000):
            latest.setdefault((actor_id, recommendation_id), pk)
        return latest


class ProgressUpdate(models.Model):
    """One report of where an actor stands on an item, as of a date.

    Append-only: a correction is a new update or a tracked edit, never a
    silent overwrite (``history`` keeps every version).
    """

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="updates")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="updates")
    # Copies of the item's kind and the actor's kind, so the database itself
    # can refuse a status from the wrong scale or a ratification by an NGO.
    kind = models.CharField(max_length=20, choices=Kind.choices, editable=False)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices)
    as_of = models.DateField("as of")
    as_of_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    historical = models.BooleanField(
        default=False, help_text="Records a fact dated before the source document (e.g. a 1993 accession)."
    )
    narrative = models.TextField(blank=True)
    evidence_urls = models.JSONField(default=list, blank=True)
    has_evidence = models.BooleanField(default=False, editable=False, help_text="Has a link or a file.")
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    reported_by_organization = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filed_updates",
        limit_choices_to={"kind": ActorKind.ORGANIZATION},
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    # Review.
    state = models.CharField(max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, help_text="Why it was returned, or a reviewer's remark.")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    # Evidence file: stored under a generated name, served only as a download.
    evidence_file = models.FileField(upload_to="evidence/%Y/%m/", blank=True, max_length=200)
    evidence_file_type = models.CharField(max_length=100, blank=True)
    # Guards: one update per form submission of one person; refuse a stale edit.
    submission_token = models.UUIDField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "-created_at", "-pk"]
        permissions = [
            ("log_progress", "Can log progress on behalf of own organizations"),
            ("review_progress", "Can verify, return and withdraw progress updates"),
        ]
        constraints = [
            models.CheckConstraint(condition=_status_matches_kind(), name="update_status_on_kind_scale"),
            models.CheckConstraint(
                condition=~Q(kind=Kind.RATIFICATION, actor_kind=ActorKind.ORGANIZATION),
                name="update_ratification_by_country_only",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.QUANTITATIVE) | Q(value__isnull=False),
                name="update_quantitative_has_value",
            ),
            # A submission token is one person's: another person's copy of it is not a repeat.
            models.UniqueConstraint(
                fields=["created_by", "submission_token"],
                condition=Q(submission_token__isnull=False),
                name="update_one_per_submission",
            ),
        ]
        indexes = [
            # The order that decides a pair's latest verified update: refresh_current_status
            # reads its first entry, and as-of snapshots (a window over it) read it in order.
            models.Index(
                "actor",
                "recommendation",
                F("as_of").desc(),
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(state="verified"),
                name="update_pair_latest_verified",
            ),
            models.Index(F("reviewed_at").desc(), condition=Q(state="verified"), name="update_recently_verified"),
            models.Index(fields=["recommendation", "as_of"], name="update_item_as_of"),
            models.Index(fields=["state", "created_at"], name="update_state_age"),
            models.Index(fields=["created_by", "state"], name="update_author_state"),
        ]

    def __str__(self):
        return f"{self.actor} · {self.recommendation.code} · {self.get_status_display()} ({self.as_of})"

    def get_absolute_url(self):
        return reverse("recommendations:update", args=[self.pk])

    @property
    def is_counted(self) -> bool:
        return self.state == ReviewState.VERIFIED

    def as_of_display(self) -> str:
        """The as-of date at its recorded precision: 2017, March 2017 or 31 March 2017."""
        return format_as_of(self.as_of, self.as_of_precision)

    def as_of_iso(self) -> str:
        """The as-of date as exports write it: YYYY, YYYY-MM or YYYY-MM-DD."""
        return iso_as_of(self.as_of, self.as_of_precision)


def format_as_of(day, precision: str) -> str:
    if precision == DatePrecision.YEAR:
        return f"{day:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{day:%B %Y}"
    return f"{day.day} {day:%B %Y}"


def iso_as_of(day, precision: str) -> str:
    if precision == DatePrecision.YEAR:
        return f"{day:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{day:%Y-%m}"
    return day.isoformat()


class Membership(models.Model):
    """A user works for an organization and may file updates on its behalf."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Actor,
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to={"kind": ActorKind.ORGANIZATION},
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_once")]

    def __str__(self):
        return f"{self.user} @ {self.organization}"


def public_name(user, organization: "Actor | None" = None) -> str:
    """How a page names a person: their display name, else their organization; never a username or address.

    Accounts are created with the email address as the username, so neither may be shown. A display name
    that is itself an address is not shown either. ``organization`` is the one the person acted for (an
    update's reporting organization); without it, the first of their organizations by name. Uses
    prefetched ``memberships__organization`` when present (a list of names costs no query per row).
    """
    if user is None:
        return ""
    name = user.get_full_name().strip()
    if name and "@" not in name:
        return name
    if organization is None:
        prefetched = getattr(user, "_prefetched_objects_cache", {})
        if "memberships" in prefetched:
            names = sorted(m.organization.name for m in prefetched["memberships"])
            return names[0] if names else "tracker staff"
        organization = Actor.objects.filter(memberships__user=user).order_by("name").only("name").first()
    return organization.name if organization is not None else "tracker staff"


class CurrentStatusQuerySet(models.QuerySet):
    def for_report(self):
        return self.select_related("actor", "recommendation", "update", "update__reported_by_organization")


class CurrentStatus(models.Model):
    """The latest counted update per (actor, item).

    A read model kept in step with ProgressUpdate by
    ``services.refresh_current_status`` inside the same transaction as every
    write, so reports never scan the history.
    """

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="current_statuses")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="current_statuses")
    update = models.OneToOneField(ProgressUpdate, on_delete=models.PROTECT, related_name="current_for")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    as_of = models.DateField()
    # The rest of what reports and exports show, copied so that they never
    # read the history table (a million rows) to list current statuses.
    as_of_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    has_evidence = models.BooleanField(default=False)
    evidence_urls = models.JSONField(default=list, blank=True)
    reported_by_organization = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(auto_now=True)

    # Each copied field and the ProgressUpdate field it comes from.
    COPIED_FROM_UPDATE = {
        "kind": "kind",
        "actor_kind": "actor_kind",
        "status": "status",
        "as_of": "as_of",
        "as_of_precision": "as_of_precision",
        "value": "value",
        "has_evidence": "has_evidence",
        "evidence_urls": "evidence_urls",
        "reported_by_organization_id": "reported_by_organization_id",
        "verified_at": "reviewed_at",
    }

    objects = CurrentStatusQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "current statuses"
        constraints = [
            models.UniqueConstraint(fields=["actor", "recommendation"], name="one_current_status_per_pair"),
            models.CheckConstraint(condition=_status_matches_kind(), name="current_status_on_kind_scale"),
            models.CheckConstraint(
                condition=~Q(kind=Kind.RATIFICATION, actor_kind=ActorKind.ORGANIZATION),
                name="current_ratification_by_country_only",
            ),
        ]
        indexes = [
            models.Index(fields=["recommendation", "status"], name="current_item_status"),
            models.Index(fields=["status"], name="current_status"),
            models.Index(fields=["-as_of"], name="current_as_of"),  # the home page's latest status date
        ]

    def __str__(self):
        return f"{self.actor} · {self.recommendation.code}: {self.get_status_display()}"


class StatusIntervalQuerySet(models.QuerySet):
    def on(self, day):
        """The interval of each pair that holds on ``day``: at most one per pair (and, later, per perspective).

        The definition. On PostgreSQL the reports read the same intervals through the interval tree of
        migration 0013 (``reports._held_on_sql``), which reads only the intervals holding on the day.
        """
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))


class StatusInterval(models.Model):
    """The verified status of a pair over a span of dates: from ``valid_from`` until ``valid_to`` (excluded).

    The history of CurrentStatus: for each as-of date on which a pair has a verified update, the
    update that wins on that date (the last entry) holds until the next such date; the last interval
    is open (``valid_to`` NULL) and is the current status. A snapshot on a date reads one interval per
    pair through an index, however deep the history. Kept by ``services.refresh_current_status``
    in the same transaction as CurrentStatus; ``ProgressUpdate.objects.latest_per_pair`` and a replay
    of the history stay the definition it is checked against.

    When statuses get perspectives (who says so), a ``perspective`` column joins the pair in the
    unique constraint and the indexes; a pair then has one chain of intervals per perspective.
    """

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="+")
    update = models.ForeignKey(ProgressUpdate, on_delete=models.PROTECT, related_name="intervals")
    valid_from = models.DateField(help_text="The winning update's as-of date.")
    valid_to = models.DateField(null=True, blank=True, help_text="The next as-of date of the pair; empty: still holds.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    as_of_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    has_evidence = models.BooleanField(default=False)
    evidence_urls = models.JSONField(default=list, blank=True)
    reported_by_organization = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    # Each copied field and the ProgressUpdate field it comes from (valid_from is the as-of date).
    COPIED_FROM_UPDATE = {
        **{field: source for field, source in CurrentStatus.COPIED_FROM_UPDATE.items() if field != "as_of"},
        "valid_from": "as_of",
    }

    objects = StatusIntervalQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "recommendation", "valid_from"], name="one_interval_per_pair_day"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")), name="interval_ends_after_start"
            ),
        ]
        indexes = [
            # One item's snapshot: its intervals that began by the date.
            models.Index(fields=["recommendation", "valid_from"], name="interval_item_from"),
        ]
        # On PostgreSQL two covering btree indexes over the interval tree's fork (migration 0013) find
        # the intervals holding on a date (reports._held_on_sql).

    def __str__(self):
        return f"{self.actor_id} · {self.recommendation_id}: {self.status} from {self.valid_from} to {self.valid_to}"


# --------------------------------------------------------------------------
# Audit trail
# --------------------------------------------------------------------------


class AuditAction(models.TextChoices):
    LOGGED = "logged", "Logged an update"
    EDITED = "edited", "Edited an update"
    VERIFIED = "verified", "Verified an update"
    RETURNED = "returned", "Returned an update"
    WITHDRAWN = "withdrawn", "Withdrew an update"
    IMPORTED = "imported", "Imported updates"
    IMPORT_SUBMITTED = "import_submitted", "Sent an import for review"
    IMPORT_RETURNED = "import_returned", "Returned an import"
    THEMES_MERGED = "themes_merged", "Merged themes"
    INVITED = "invited", "Invited a user"
    ADMIN_ADDED = "admin_added", "Added in the admin"
    ADMIN_CHANGED = "admin_changed", "Changed in the admin"
    ADMIN_DELETED = "admin_deleted", "Deleted in the admin"


class AuditEvent(models.Model):
    """Who did what, when: one row per write. Append-only; nothing updates or deletes these rows."""

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True, help_text="Kept if the account is later removed.")
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="audit_recent"),
            models.Index(fields=["action", "-at"], name="audit_action_recent"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or 'system'}: {self.get_action_display()} {self.object_repr}"


# --------------------------------------------------------------------------
# Data corrections applied by the seed
# --------------------------------------------------------------------------


class DataCorrection(models.Model):
    """A named correction of seeded data (fixtures/corrections.json), applied once by ``manage.py seed``.

    Its presence means the correction ran on this database; ``outcome``
    lists what it changed and what it left alone because editors had
    changed it in the admin.
    """

    name = models.CharField(max_length=100, unique=True)
    reason = models.TextField()
    applied_at = models.DateTimeField(default=timezone.now)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["applied_at", "pk"]

    def __str__(self):
        return self.name


# --------------------------------------------------------------------------
# Imports
# --------------------------------------------------------------------------


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded, not yet checked"
    PREVIEWED = "previewed", "Previewed, awaiting the importer's confirmation"
    AWAITING_REVIEW = "awaiting_review", "Awaiting a second reviewer"
    CONFIRMED = "confirmed", "Imported"
    RETURNED = "returned", "Returned by a reviewer"
    REJECTED = "rejected", "Refused: the file has errors"
    DISCARDED = "discarded", "Discarded"


# The states in which an import's stored upload is still needed.
OPEN_IMPORT_STATES = (ImportState.UPLOADED, ImportState.PREVIEWED, ImportState.AWAITING_REVIEW)


class ImportBatchQuerySet(models.QuerySet):
    def awaiting_review(self):
        return self.filter(state=ImportState.AWAITING_REVIEW)

    def open(self):
        return self.filter(state__in=OPEN_IMPORT_STATES)


class ImportBatch(models.Model):
    """One uploaded spreadsheet, from its preview to its confirmation: the unit an import is confirmed as.

    ``services`` moves it through its states under a row lock, so however
    many times it is confirmed at once, its rows are written once. The
    upload is kept in ``file`` (a path in the default storage) only while
    the batch is open; confirmed, returned, refused and discarded batches
    keep their counts and who decided, not the file.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.CharField(max_length=200, blank=True, help_text="Path of the stored upload; empty once deleted.")
    filename = models.CharField(max_length=200, help_text="The uploader's name for the file (shown, never a path).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    system_reason = models.CharField(
        max_length=200, blank=True, help_text="Set when the tracker itself imports (a public baseline)."
    )
    organization = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": ActorKind.ORGANIZATION},
        help_text="Filed on behalf of, for rows that name no organization.",
    )
    verified = models.BooleanField(default=False, help_text="Imported as verified: a second reviewer confirms it.")
    source = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=20, choices=ImportState.choices, default=ImportState.UPLOADED)
    error = models.TextField(blank=True, help_text="Why the file could not be read.")
    rows = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0, help_text="Updates written when it was confirmed.")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Confirmed, returned, refused or discarded.")

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "import batches"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="import_state_age"),
            models.Index(fields=["created_by", "-created_at"], name="import_by_person"),
        ]

    def __str__(self):
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def importer_name(self) -> str:
        if self.created_by_id is None:
            return "the tracker (system)"
        return self.created_by.get_full_name() or self.created_by.username
