"""Search, one rule for every search box: a row matches when it contains ANY of the words typed, whatever the
accents and the case ("senegal" finds Sénégal; "brasil migrantes" finds Brazil and Rede Migrantes). Words in
double quotes are one phrase ("exceeded 20 per cent").

Both sides are folded the same way: ``fold`` in Python for the words, and in the database ``Folded`` —
PostgreSQL's ``unaccent(lower(…))`` (the unaccent extension, created by a migration), or on SQLite the same
Python ``fold`` registered as a function on every connection (``register_sqlite_fold``).
"""

import re
import unicodedata

from django.db.models import Func, Q, TextField

MAX_WORDS = 12  # more words than this are ignored (each adds a condition)


def fold(text: str | None) -> str | None:
    """Lower case without accents: 'Sénégal' → 'senegal', 'ÇA' → 'ca'. None stays None (SQL NULL)."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The distinct folded words (and "quoted phrases") of a search, in the order typed."""
    seen: list[str] = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', fold(text or "").replace("“", '"').replace("”", '"')):
        term = " ".join(phrase.split()) if phrase else word.strip(",;:.!?\"'()")
        if term and term not in seen:
            seen.append(term)
    return seen[:MAX_WORDS]


class Folded(Func):
    """``fold`` in the database."""

    function = "TRACKER_FOLD"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="unaccent(lower(%(expressions)s))", **extra)


def register_sqlite_fold(sender, connection, **kwargs):
    """Give every SQLite connection TRACKER_FOLD (connection_created); other databases are left alone."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("TRACKER_FOLD", 1, fold, deterministic=True)


def matching(queryset, text: str, *, contains: list, exact: list = ()):
    """Rows of ``queryset`` where any word is inside one of the ``contains`` fields (or expressions), or
    equals one of the ``exact`` fields (codes), accents and case aside. No words: the queryset unchanged."""
    terms = words(text)
    if not terms:
        return queryset
    folded = {f"_search_{n}": Folded(field) for n, field in enumerate(contains)}
    condition = Q()
    for term in terms:
        for alias in folded:
            condition |= Q(**{f"{alias}__contains": term})
        for field in exact:
            condition |= Q(**{f"{field}__iexact": term})
    return queryset.alias(**folded).filter(condition)
