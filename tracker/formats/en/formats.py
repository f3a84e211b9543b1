"""English dates as the tracker has always written them (day month year, as UN documents do), not Django's
American defaults ("March 5, 2024", "03/05/2024"). Templates ask for the named formats (DATE_FORMAT,
SHORT_DATE_FORMAT, …), so every other language gets its own order from Django's locale formats
(Russian "5 марта 2024 г.", Chinese "2024年3月5日"). Settings not named here fall back to Django's English ones."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y H:i"
