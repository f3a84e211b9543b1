"""Dates written by code (not by a template) in the reader's language: month names and order from the language's
named formats, as ``{{ day|date:"DATE_FORMAT" }}`` writes them in templates (``tracker/formats``, Django's locale
formats). ``f"{day:%-d %B %Y}"`` writes the C library's English month names whatever the page's language ("26
September 2023" on a French page); English is unchanged ("5 March 2024", "March 2024", "2017").
"""

from django.utils import translation
from django.utils.dateformat import format as formatted
from django.utils.formats import date_format, get_format

# Languages whose month names are lower case inside a sentence while Django's format "F" (the standalone name, a
# calendar's heading) is capitalised: Russian "Март 2017" → "март 2017 года". French and Spanish month names are
# already lower case ("mars 2017", "marzo de 2017"); Chinese and Arabic have no case.
MONTHS_IN_LOWER_CASE = frozenset({"ru"})

# A year on its own (an as-of date known only to the year), where the language does not write the bare number.
# Django has no named format for a year alone. Russian reads "по состоянию на 2017 год" (the accusative of "год",
# the same as the nominative a table cell shows), as its other dates end in "года"; "по состоянию на 2017" reads as
# a missing word. Chinese writes every year with 年, as its month and day dates do ("2017年3月", "截至2017年").
# English, French, Spanish and Arabic write the number ("as of 2017", "a fecha de 2017", "حتى 2017").
YEAR_WORDS = {"ru": "{year} год", "zh-hans": "{year}年"}

# The first day of a month as the language writes it where Django's format has the bare number ("j"): French writes
# "1er janvier 2018" (premier), "2 janvier 2018" for the other days. Added to the format's "j" as escaped letters.
FIRST_OF_THE_MONTH = {"fr": "er"}


def year_only(day) -> str:
    """ "2017", "2017 год", "2017年": every date shown to the year goes through here (``format_as_of``)."""
    return YEAR_WORDS.get(translation.get_language(), "{year}").format(year=f"{day:%Y}")


def long_date(day) -> str:
    """ "5 March 2024", "5 mars 2024", "5 de marzo de 2024", "5 марта 2024 года", "2024年3月5日", "5 مارس، 2024";
    "1er mars 2024" (``FIRST_OF_THE_MONTH``). Templates write it with ``{{ day|long_date }}``."""
    return _with_first_of_the_month(day, "DATE_FORMAT")


def month_and_year(day) -> str:
    """ "March 2024", "mars 2024", "marzo de 2024", "март 2024 года", "2024年3月" (the language's
    YEAR_MONTH_FORMAT, its month name in lower case where the language writes it so in running text)."""
    text = date_format(day, "YEAR_MONTH_FORMAT")
    if translation.get_language() in MONTHS_IN_LOWER_CASE:
        month = date_format(day, "F")
        text = text.replace(month, month.lower(), 1)
    return text


def long_date_and_time(moment) -> str:
    """ "5 Mar 2024, 14:07", "5 mars 2024 14:07", "1er mars 2024 14:07" (the language's DATETIME_FORMAT)."""
    return _with_first_of_the_month(moment, "DATETIME_FORMAT")


def _with_first_of_the_month(day, format_name: str) -> str:
    suffix = FIRST_OF_THE_MONTH.get(translation.get_language())
    if not suffix or day.day != 1:
        return date_format(day, format_name)
    escaped = "".join(f"\\{letter}" for letter in suffix)
    return formatted(day, get_format(format_name).replace("j", "j" + escaped, 1))
