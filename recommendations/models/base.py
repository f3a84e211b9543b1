"""What several models share: finding a row by its natural key."""

from django.db import models


class NaturalKeyManager(models.Manager):
    """Finds a row by its natural key (a code or slug), so exports and imports never depend on database ids."""

    def __init__(self, *lookups: str):
        super().__init__()
        self.lookups = lookups

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.lookups, values, strict=True)))
