"""Arabic date-times in the same day-month-year order as Arabic dates. Django's Arabic locale defines the dates
("5 مارس، 2024", "05/03/2024") but not the date-times, which then fall back to the American "مارس 5, 2024, 2:07 م"
and "03/05/2024". The rest comes from Django's Arabic formats."""

DATETIME_FORMAT = "j F، Y، H:i"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y H:i"
