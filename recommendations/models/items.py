"""The trackable items: Recommendation and its Citations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .base import History
from .source import Paragraph, Section, SourceDocument
from .taxonomy import Addressee, Instrument, SDGTarget, Theme
from .vocabulary import SCALES, Kind, Status, plain_number

# The fields whose values status_for_value reads: changing one changes what a measured value earns.
THRESHOLD_FIELDS = ("lower_is_better", "baseline", "target", "ceiling", "value_min", "value_max")

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
        from ..search import matching

        if not text.strip():
            return self
        # The title in every language (languages/translation.py): a word finds an item whatever the page's language.
        from languages.names import column

        titles = [column("title", code) for code, _ in settings.LANGUAGES]
        ids = matching(Recommendation.objects.all(), text, contains=[*titles, "citations__text"], exact=["code"])
        return self.filter(pk__in=ids.values("pk"))


class Recommendation(models.Model):
    """A trackable call to action, quoted verbatim from the source."""

    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[recommendation_code_validator],
        help_text=_("Permanent identifier used in URLs, exports and imports. Never reused."),
    )
    title = models.CharField(
        max_length=120, help_text=_("Short imperative title, written by the editors in the words of the quotations.")
    )
    # The editorial layer: what the tracker's editors add to the verbatim quotations.
    title_is_editorial = models.BooleanField(
        _("title goes beyond the quotations"),
        default=False,
        help_text=_(
            "The title names or claims something its quotations do not say (e.g. an instrument the "
            "source does not name). Explain it in the editorial note."
        ),
    )
    editorial_split = models.BooleanField(
        default=False,
        help_text=_(
            "The source makes one call about a group (“all the core human rights instruments”) and the "
            "editors made this item for one member of it. Give the reason in the editorial note."
        ),
    )
    editorial_note = models.TextField(
        blank=True, help_text=_("What the editors added or split, and why. Shown on the item page and in exports.")
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
        help_text=_("For ratification items only: the instrument to ratify."),
    )
    themes = models.ManyToManyField(Theme, related_name="recommendations", blank=True)
    addressees = models.ManyToManyField(Addressee, related_name="recommendations")
    instruments = models.ManyToManyField(
        Instrument, related_name="recommendations", blank=True, help_text=_("Instruments the item concerns.")
    )
    sdg_targets = models.ManyToManyField(
        SDGTarget,
        related_name="recommendations",
        blank=True,
        verbose_name=_("related SDG targets"),
        help_text=_("Editorial mapping added by the tracker's editors; the 2006 source predates the SDGs."),
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
        help_text=_("Worst acceptable value (e.g. no remittance corridor above 5 %)."),
    )
    target_note = models.TextField(blank=True)
    thresholds_source = models.CharField(
        max_length=200,
        blank=True,
        help_text=_(
            "Where the target and ceiling come from when the source does not give them (e.g. “SDG target "
            "10.c (2015)”). Shown wherever the automatic statuses appear."
        ),
    )
    value_min = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True, help_text=_("Lowest plausible measured value.")
    )
    value_max = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True, help_text=_("Highest plausible measured value.")
    )
    position = models.PositiveIntegerField(default=0, help_text=_("Order in lists (document order)."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = History(m2m_fields=[themes, addressees, instruments, sdg_targets])
    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=Kind.RATIFICATION, ratifies__isnull=False)
                | (~Q(kind=Kind.RATIFICATION) & Q(ratifies__isnull=True)),
                name="ratification_names_one_instrument",
                violation_error_message=_(
                    "A ratification item names the instrument it ratifies in “Ratifies”; leave “Ratifies” "
                    "empty for any other kind."
                ),
            ),
            # The English columns (languages/translation.py): what editors edit, and what every language falls
            # back to. NULL is spelled out: a CHECK lets NULL through.
            models.CheckConstraint(
                condition=~Q(kind=Kind.QUANTITATIVE)
                | (Q(target__isnull=False, unit_en__isnull=False) & ~Q(unit_en="")),
                name="quantitative_has_target_and_unit",
                violation_error_message=_("A quantitative item needs a target and a unit (in English)."),
            ),
            models.CheckConstraint(
                condition=Q(title_is_editorial=False, editorial_split=False)
                | (Q(editorial_note_en__isnull=False) & ~Q(editorial_note_en="")),
                name="editorial_flag_has_note",
                violation_error_message=_(
                    "An editorial title or an editorial split needs an editorial note (in English) saying why."
                ),
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

    def clean(self):
        errors = threshold_errors(
            lower_is_better=self.lower_is_better,
            baseline=self.baseline,
            target=self.target,
            ceiling=self.ceiling,
            value_min=self.value_min,
            value_max=self.value_max,
        )
        if errors:
            raise ValidationError(errors)

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
        from languages.names import shown  # the editors' wording in the active language (else English)
        from languages.sentences import clauses, sentence, sentences  # the language's own punctuation

        unit = f" {shown(self, 'unit').text}" if self.unit_en else ""
        if self.lower_is_better:
            better, worse = gettext("%(status)s: at or below %(value)s"), gettext("%(status)s: above %(value)s")
        else:
            better, worse = gettext("%(status)s: at or above %(value)s"), gettext("%(status)s: below %(value)s")
        from languages.numbers import measured  # the language's decimal sign ("2,5" in French)

        parts = [better % {"status": Status.TARGET_MET.label, "value": measured(plain_number(self.target)) + unit}]
        if self.ceiling is not None:
            ceiling = measured(plain_number(self.ceiling)) + unit  # every threshold with its unit, not "above 5"
            parts += [
                better % {"status": Status.PROGRESSING.label, "value": ceiling},
                worse % {"status": Status.OFF_TRACK.label, "value": ceiling},
            ]
        else:
            parts.append(
                gettext("%(status)s: better than the baseline; otherwise %(other)s")
                % {"status": Status.PROGRESSING.label, "other": Status.OFF_TRACK.label}
            )
        said = [gettext("%(code)s: status from the measured value.") % {"code": self.code}, sentence(clauses(parts))]
        if self.thresholds_source_en:
            said.append(
                gettext("These thresholds come from %(source)s, not from the 2006 source.")
                % {"source": shown(self, "thresholds_source").text}
            )
        return sentences(said)

    def natural_key(self):
        return (self.code,)


def threshold_errors(*, lower_is_better, baseline, target, ceiling, value_min, value_max) -> dict:
    """The thresholds that are out of order, by field, with what is wrong: the one rule of their order.

    status_for_value reads them in order, best first: a target worse than its ceiling, or a baseline better than
    its target, would give statuses that contradict thresholds_explained(). Lower is better: target ≤ ceiling and
    target ≤ baseline; higher is better: the reverse. And value_min ≤ value_max, with the target and the ceiling
    between them. Values not given are not compared.
    """
    from languages.numbers import measured  # the language's decimal sign, as the item's other messages write it

    def number(value):
        return measured(plain_number(value))

    errors = {}
    if lower_is_better:
        ceiling_wrong = target is not None and ceiling is not None and target > ceiling
        baseline_wrong = target is not None and baseline is not None and baseline < target
        ceiling_message = gettext(
            "Lower is better here, so the ceiling (the worst acceptable value) cannot be below the target (%(target)s)."
        )
        baseline_message = gettext(
            "Lower is better here, so the baseline cannot be below the target (%(target)s): it would already meet it."
        )
    else:
        ceiling_wrong = target is not None and ceiling is not None and target < ceiling
        baseline_wrong = target is not None and baseline is not None and baseline > target
        ceiling_message = gettext(
            "Higher is better here, so the ceiling (the worst acceptable value) cannot be above the target "
            "(%(target)s)."
        )
        baseline_message = gettext(
            "Higher is better here, so the baseline cannot be above the target (%(target)s): it would already meet it."
        )
    if ceiling_wrong:
        errors["ceiling"] = [ceiling_message % {"target": number(target)}]
    if baseline_wrong:
        errors["baseline"] = [baseline_message % {"target": number(target)}]
    if value_min is not None and value_max is not None and value_min > value_max:
        errors["value_max"] = [
            gettext("The highest plausible value cannot be below the lowest (%(low)s).") % {"low": number(value_min)}
        ]
    else:
        for field, value in (("target", target), ("ceiling", ceiling)):
            if value is None:
                continue
            if (value_min is not None and value < value_min) or (value_max is not None and value > value_max):
                low = number(value_min) if value_min is not None else "…"
                high = number(value_max) if value_max is not None else "…"
                errors.setdefault(field, []).append(
                    gettext("This must be within the plausible values, %(low)s to %(high)s.")
                    % {"low": low, "high": high}
                )
    return errors


class CitationQuerySet(models.QuerySet):
    def for_display(self):
        return self.select_related("paragraph").defer("paragraph__text").order_by("position")


class CitationRole(models.TextChoices):
    CALL = "call", _("The call")
    CONTEXT = "context", _("Context (not itself a call)")


class Citation(models.Model):
    """A verbatim quotation of a call, or of the context it needs, from one paragraph of the source."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="citations")
    paragraph = models.ForeignKey(Paragraph, on_delete=models.PROTECT, related_name="citations")
    text = models.TextField(help_text=_("Exact words of the source, from this paragraph."))
    role = models.CharField(
        max_length=10,
        choices=CitationRole.choices,
        default=CitationRole.CALL,
        help_text=_(
            "“Context” for a quotation that explains the call without making it (e.g. a participant's "
            "question, or the sentence that counts the core instruments)."
        ),
    )
    position = models.PositiveSmallIntegerField(default=0)

    history = History()
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
