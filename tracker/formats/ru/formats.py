"""Russian dates written in full, as the UN's Russian documents write them inside a sentence ("по состоянию на
5 марта 2024 года"). Django's Russian formats end a date with the abbreviation "г." ("5 марта 2024 г."), so a
sentence ending after a date read "…2024 г.." (the abbreviation's dot and the full stop). The month name of a
month-precision date is lower-cased by ``languages.dates.month_and_year`` ("март 2017 года": Django's format "F"
is the capitalised standalone name of a calendar's heading, "Март"), and a year-precision date reads "2017 год"
(``languages.dates.year_only``: "по состоянию на 2017 год"). The rest comes from Django's Russian formats."""

DATE_FORMAT = "j E Y года"
DATETIME_FORMAT = "j E Y года, G:i"
YEAR_MONTH_FORMAT = "F Y года"
