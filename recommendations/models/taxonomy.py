"""The taxonomies editors maintain: Theme, Addressee, Instrument, SDGTarget."""

from django.db import models
from simple_history.models import HistoricalRecords

from .base import NaturalKeyManager
from .vocabulary import ActorKind


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
