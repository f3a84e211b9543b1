"""Dates written by code (not by a template) in the reader's language: month names and order from the language's
named formats, as ``{{ day|date:"DATE_FORMAT" }}`` writes them in templates (``tracker/formats``, Django's locale
formats). ``f"{day:%-d %B %Y}"`` writes the C library's English month names whatever the page's language ("26
September 2023" on a French page); English is unchanged ("5 March 2024", "March 2024").
"""

from django.utils.formats import date_format


def long_date(day) -> str:
    """ "5 March 2024", "5 mars 2024", "5 de marzo de 2024", "5 марта 2024 г.", "2024年3月5日", "5 مارس، 2024"."""
    return date_format(day, "DATE_FORMAT")


def month_and_year(day) -> str:
    """ "March 2024", "mars 2024", "marzo de 2024", "2024年3月" (the language's YEAR_MONTH_FORMAT)."""
    return date_format(day, "YEAR_MONTH_FORMAT")


def long_date_and_time(moment) -> str:
    """ "5 Mar 2024, 14:07", "5 mars 2024 14:07" (the language's DATETIME_FORMAT)."""
    return date_format(moment, "DATETIME_FORMAT")
