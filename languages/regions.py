"""The UN M49 region names in the page's language.

``Actor.region``, ``subregion`` and ``intermediate_region`` hold the English M49 names (from UN OCHA's country
data, ``fixtures/countries.json``): filters, URLs, exports and the API name regions by them, in every language,
as they do items by their codes. Pages show them translated: the catalogs carry the names the UN Statistics
Division publishes for M49 in each UN language (context "UN M49 region", so "Southern Africa" the region never
shares a translation with a country's name). A name the catalogs do not know is shown as it is stored.

The list below is every name the fixture holds; ``tests/test_search_and_regions.py`` checks that each one in the
fixture is here, so a rebuilt fixture with a new region fails a test instead of showing English.
"""

from django.utils.translation import pgettext_lazy

# English name (as stored) → its translation. pgettext_lazy is called by its name, with its context written
# out: that is what makemessages reads.
M49_NAMES = {
    "Africa": pgettext_lazy("UN M49 region", "Africa"),
    "Americas": pgettext_lazy("UN M49 region", "Americas"),
    "Asia": pgettext_lazy("UN M49 region", "Asia"),
    "Europe": pgettext_lazy("UN M49 region", "Europe"),
    "Oceania": pgettext_lazy("UN M49 region", "Oceania"),
    "Northern Africa": pgettext_lazy("UN M49 region", "Northern Africa"),
    "Sub-Saharan Africa": pgettext_lazy("UN M49 region", "Sub-Saharan Africa"),
    "Eastern Africa": pgettext_lazy("UN M49 region", "Eastern Africa"),
    "Middle Africa": pgettext_lazy("UN M49 region", "Middle Africa"),
    "Southern Africa": pgettext_lazy("UN M49 region", "Southern Africa"),
    "Western Africa": pgettext_lazy("UN M49 region", "Western Africa"),
    "Latin America and the Caribbean": pgettext_lazy("UN M49 region", "Latin America and the Caribbean"),
    "Caribbean": pgettext_lazy("UN M49 region", "Caribbean"),
    "Central America": pgettext_lazy("UN M49 region", "Central America"),
    "South America": pgettext_lazy("UN M49 region", "South America"),
    "Northern America": pgettext_lazy("UN M49 region", "Northern America"),
    "Central Asia": pgettext_lazy("UN M49 region", "Central Asia"),
    "Eastern Asia": pgettext_lazy("UN M49 region", "Eastern Asia"),
    "South-eastern Asia": pgettext_lazy("UN M49 region", "South-eastern Asia"),
    "Southern Asia": pgettext_lazy("UN M49 region", "Southern Asia"),
    "Western Asia": pgettext_lazy("UN M49 region", "Western Asia"),
    "Eastern Europe": pgettext_lazy("UN M49 region", "Eastern Europe"),
    "Northern Europe": pgettext_lazy("UN M49 region", "Northern Europe"),
    "Southern Europe": pgettext_lazy("UN M49 region", "Southern Europe"),
    "Western Europe": pgettext_lazy("UN M49 region", "Western Europe"),
    "Australia and New Zealand": pgettext_lazy("UN M49 region", "Australia and New Zealand"),
    "Melanesia": pgettext_lazy("UN M49 region", "Melanesia"),
    "Micronesia": pgettext_lazy("UN M49 region", "Micronesia"),
    "Polynesia": pgettext_lazy("UN M49 region", "Polynesia"),
}


def region_name(name: str) -> str:
    """The M49 region ``name`` (English, as stored) in the active language."""
    return str(M49_NAMES.get(name, name))
