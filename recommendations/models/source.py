"""The source document and its structure: SourceDocument, Section, Paragraph."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import NaturalKeyManager


class SourceDocument(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    symbol = models.CharField(max_length=40, blank=True, help_text=_("UN document symbol, if known (A/61/187)."))
    url = models.URLField(
        "official URL",
        max_length=500,
        blank=True,
        help_text=_("Where the official UN document can be read (e.g. https://undocs.org/A/61/187)."),
    )
    issuing_body = models.CharField(max_length=200)
    date = models.DateField(help_text=_("Date of the document."))
    event_date = models.DateField(null=True, blank=True, help_text=_("Date of the hearings it summarises."))

    objects = NaturalKeyManager("slug")

    class Meta:
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
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
    code = models.CharField(max_length=30, help_text=_("Full position, e.g. IV.B.2."))
    number = models.CharField(max_length=10, blank=True, help_text=_("The number as printed (blank if unnumbered)."))
    title = models.CharField(max_length=300)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    first_paragraph = models.PositiveSmallIntegerField()
    last_paragraph = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()

    objects = NaturalKeyManager("document__slug", "code")

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
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
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
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
