"""Sorting names the way readers of each language expect: ICU collation (PyICU), one place for every list.

"Égypte" sorts among the E in French (not after "Zimbabwe", as a plain comparison of code points puts it),
Arabic names in Arabic alphabetical order, Chinese names by pinyin (ICU's default for Chinese), Russian in
Cyrillic order. Why ICU in Python rather than PostgreSQL's ICU collations: the tracker runs on SQLite too
(``make run`` on a bare machine), which has none, and one rule must give one order on both (docs/languages.md).
The lists sorted this way are small (countries and organizations, items, taxonomy names), so sorting in Python
costs little; the database still orders what is paged in SQL by English name (the exports' keyset).
"""

import functools
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu
from django.utils import translation

from .names import SOURCE_LANGUAGE, actor_name, language_code
from .regions import region_name

T = TypeVar("T")

# ICU locales for Django's language codes; ICU's default collation for Chinese is pinyin.
_ICU_LOCALE = {"zh-hans": "zh"}


@functools.cache
def _collator(language: str) -> "icu.Collator":
    collator = icu.Collator.createInstance(icu.Locale(_ICU_LOCALE.get(language, language)))
    # Digits as numbers ("Item 2" before "Item 10").
    collator.setAttribute(icu.UCollAttribute.NUMERIC_COLLATION, icu.UCollAttributeValue.ON)
    return collator


def in_database_order(language: str | None = None) -> bool:
    """Whether a list paged in SQL keeps the database's order by name: in English it does, so that the table and
    the matrix list actors in the order of the exports (which give English names and are ordered in SQL, with
    a keyset the API's cursor walks); in the other languages the names shown are not the exported ones, and
    their own alphabetical order wins."""
    return language_code(language) == SOURCE_LANGUAGE


def sort_key(language: str | None = None) -> Callable[[str], bytes]:
    """A key function for ``sorted``: the text's ICU sort key in ``language`` (the active one by default)."""
    collator = _collator(language_code(language))
    return lambda text: collator.getSortKey(text or "")


def sorted_by_name(objects: Iterable[T], language: str | None = None, *, key: Callable[[T], str] = str) -> list[T]:
    """``objects`` sorted by ``key(obj)`` (their name) in ``language``'s alphabetical order."""
    collate = sort_key(language)
    return sorted(objects, key=lambda obj: collate(key(obj)))


def sorted_actors(actors: Iterable[T], language: str | None = None) -> list[T]:
    """Countries and organizations by their name in ``language`` (``names.actor_name``)."""
    language = language_code(language)
    return sorted_by_name(actors, language, key=lambda actor: actor_name(actor, language))


def countries_first(actors: Iterable[T], language: str | None = None) -> list[T]:
    """Countries, then organizations (``Actor.kind``), each by name in ``language`` (``sorted_actors``): how the
    lists of countries and organizations that are not paged by region or progress put them."""
    return sorted(sorted_actors(actors, language), key=lambda actor: actor.kind)


def sorted_by_region(
    actors: Iterable[T], language: str | None = None, *, places: Callable[[T], Iterable[str]]
) -> list[T]:
    """Countries and organizations by their UN M49 region, then sub-region (``places(actor)``: the English names
    as stored, widest first), then name, each in ``language``'s alphabetical order *of the name the page shows*
    (``regions.region_name``, ``names.actor_name``): in French « Afrique » comes before « Amériques », whatever
    the English order."""
    language = language_code(language)
    collate = sort_key(language)
    with translation.override(language):  # region_name translates in the active language

        def key(actor):
            return (
                *(collate(region_name(place)) for place in places(actor)),
                collate(actor_name(actor, language)),
                actor.pk,
            )

        return sorted(actors, key=key)
