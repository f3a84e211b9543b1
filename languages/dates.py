"""Dates written by code (not by a template) in the reader's language: month names and order from the language's
named formats, as ``{{ day|date:"DATE_FORMAT" }}`` writes them in templates (``tracker/formats``, Django's locale
formats). ``f"{day:%-d %B %Y}"`` writes the C library's English month names whatever the page's language ("26
September 2023" on a French page); English is unchanged ("5 March 2024", "March 2024", "2017").
"""

from django.utils import translation
from django.utils.formats import date_format

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


def year_only(day) -> str:
    """ "2017", "2017 год", "2017年": every date shown to the year goes through here (``format_as_of``)."""
    return YEAR_WORDS.get(translation.get_language(), "{year}").format(year=f"{day:%Y}")


def long_date(day) -> str:
    """ "5 March 2024", "5 mars 2024", "5 de marzo de 2024", "5 марта 2024 года", "2024年3月5日", "5 مارس، 2024"."""
    return date_format(day, "DATE_FORMAT")


def month_and_year(day) -> str:
    """ "March 2024", "mars 2024", "marzo de 2024", "март 2024 года", "2024年3月" (the language's
    YEAR_MONTH_FORMAT, its month name in lower case where the language writes it so in running text)."""
    text = date_format(day, "YEAR_MONTH_FORMAT")
    if translation.get_language() in MONTHS_IN_LOWER_CASE:
        month = date_format(day, "F")
        text = text.replace(month, month.lower(), 1)
    return text


def long_date_and_time(moment) -> str:
    """ "5 Mar 2024, 14:07", "5 mars 2024 14:07" (the language's DATETIME_FORMAT)."""
    return date_format(moment, "DATETIME_FORMAT")
