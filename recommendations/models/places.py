"""Where an actor counts: the one rule of region membership, for filters (Q), ORM expressions and report SQL.

A country counts in its own UN M49 areas; an organization counts in its base country's (an organization's own
area fields are never read; without a base country it counts in none, "").
"""

from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce, NullIf

from .vocabulary import ActorKind

# The levels of place, each the actor fields read in turn (the first non-empty one wins). A "sub-region" as
# reports break it down is the intermediate region where there is one (Western Africa), else the M49 sub-region.
PLACES = {
    "region": ("region",),
    "subregion": ("subregion",),
    "intermediate": ("intermediate_region", "subregion"),
    "country": ("name",),
    "iso3": ("iso3",),
}
# What a region or sub-region filter value matches: a "sub-region" value is an M49 sub-region or an
# intermediate region.
FILTER_FIELDS = {"region": ("region",), "subregion": ("subregion", "intermediate_region")}


def place_sql(level: str, actor: str = "a", base: str = "b") -> str:
    """The actor's place at ``level`` in SQL, over ``actor`` (the actor's row) and ``base`` (its base country,
    LEFT JOINed); never NULL. Only column names from ``PLACES`` go into it."""

    def first(alias: str) -> str:
        return "COALESCE(" + ", ".join(f"NULLIF({alias}.{field}, '')" for field in PLACES[level]) + ", '')"

    return f"CASE WHEN {actor}.kind = '{ActorKind.COUNTRY}' THEN {first(actor)} ELSE {first(base)} END"


def place_expression(level: str, prefix: str = ""):
    """The same as ``place_sql`` as an ORM expression on Actor (``prefix`` reaches the actor through a relation)."""

    def first(path: str):
        return Coalesce(*(NullIf(f"{path}{field}", Value("")) for field in PLACES[level]), Value(""))

    return Case(
        When(**{f"{prefix}kind": ActorKind.COUNTRY}, then=first(prefix)), default=first(f"{prefix}base_country__")
    )


def in_region(level: str, value: str, prefix: str = "") -> Q:
    """Actors counting in region (``level="region"``) or sub-region (``"subregion"``) ``value``."""
    own, based = Q(), Q()
    for field in FILTER_FIELDS[level]:
        own |= Q(**{f"{prefix}{field}": value})
        based |= Q(**{f"{prefix}base_country__{field}": value})
    return (Q(**{f"{prefix}kind": ActorKind.COUNTRY}) & own) | (Q(**{f"{prefix}kind": ActorKind.ORGANIZATION}) & based)
