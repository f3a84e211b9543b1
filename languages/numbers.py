"""Counts written by code (not by a template) as the reader's language groups them: "17,355" in English, "17 355"
(no-break spaces) in French, Spanish and Russian; what ``{{ n|intcomma }}`` writes in templates (Django's locale
formats; Chinese and Arabic write no separator there). Exports, the API and the open data never use it: their
numbers are plain digits.
"""

from decimal import Decimal, InvalidOperation

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format


def count(n) -> str:
    """``n`` grouped in the active language. Below 1,000 nothing is grouped: the string itself, without the locale
    lookup (~14 µs), since the summary's bars write ~1,000 small counts."""
    if isinstance(n, int) and -1000 < n < 1000:
        return str(n)
    return intcomma(n)


def measured(value) -> str:
    """A measured value as text ("9.6", as the exports write it) with the language's decimal sign: "9,6" in French
    and Russian; its digits as they are (no rounding, no grouping, as ``{{ value }}`` localizes a Decimal)."""
    try:
        return number_format(Decimal(str(value)))
    except InvalidOperation:
        return str(value)
