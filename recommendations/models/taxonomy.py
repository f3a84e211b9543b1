"""The taxonomies editors maintain: Theme, Addressee, Instrument, SDGTarget."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import History, NamedEntry, TaxonomyEntry
from .vocabulary import ActorKind


class Theme(NamedEntry):
    description = models.TextField(blank=True)

    history = History()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        # The English name (languages/translation.py), so that lists and exports keep one order in every
        # language; pages that sort by the reader's language do it with languages.collation.
        ordering = ["name_en"]


class Addressee(NamedEntry):
    """Whom a call to action names: all Member States, countries of origin, civil society …"""

    applies_to = models.CharField(
        max_length=20,
        choices=ActorKind.choices,
        help_text=_("Which kind of actor answers for this addressee in reports."),
    )
    description = models.TextField(blank=True)

    history = History()

    class Meta:
        verbose_name = _("addressee")
        verbose_name_plural = _("addressees")
        # The English name (languages/translation.py), so that lists and exports keep one order in every
        # language; pages that sort by the reader's language do it with languages.collation.
        ordering = ["name_en"]


class Instrument(TaxonomyEntry):
    NATURAL_KEY = LABEL = "short_name"

    short_name = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=300)
    adopting_body = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()
    url = models.URLField(blank=True, max_length=500)

    history = History()

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["year", "short_name"]


class SDGTarget(TaxonomyEntry):
    NATURAL_KEY = "code"

    code = models.CharField(max_length=10, unique=True)
    title = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")
        ordering = ["position", "code"]

    def __str__(self):
        return f"SDG {self.code}"
