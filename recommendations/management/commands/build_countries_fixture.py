"""Rebuild fixtures/countries.json from UN OCHA's country data.

The tracker never types country codes or regions by hand: this command reads
them from hdx-python-country (offline data shipped with the package) and
writes the fixture that ``seed`` loads. It is a maintenance tool, so
hdx-python-country is a development dependency (requirements-dev.txt).

    python manage.py build_countries_fixture
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# The two non-member observer States of the United Nations. The OCHA data
# marks the 193 Member States (its "DGACM list"); UN membership itself is a
# political fact, not something the data source models for observers.
OBSERVER_STATES = {"PSE": "observer", "VAT": "observer"}
OTHER_LANGUAGES = {"fr": "French", "es": "Spanish", "ru": "Russian", "zh": "Chinese", "ar": "Arabic"}
# Where the data source's short names are not the UN's (UNTERM, the M49 standard), the UN's, by ISO3 and language
# ("en" is the English name). Nauru: the source has its local name, "Naoero", in the English, French, Spanish,
# Russian and Arabic columns. The Netherlands: the source's Arabic name keeps a placeholder, "_", where the UN
# writes a dash, as in the other "(… of the)" names of this file ("إيران (جمهورية - الإسلامية)").
# Migration 0034 makes the same corrections in databases seeded before.
UN_NAMES = {
    "NRU": {"en": "Nauru", "fr": "Nauru", "es": "Nauru", "ru": "Науру", "ar": "ناورو"},
    "NLD": {"ar": "هولندا (مملكة -)"},
}


class Command(BaseCommand):
    help = "Rebuild fixtures/countries.json (UN Member and observer States) from hdx-python-country."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.FIXTURES_DIR / "countries.json"))

    def handle(self, *args, output, **options):
        try:
            from hdx.location.country import Country
        except ImportError as exc:
            raise CommandError(
                "hdx-python-country is not installed; run `pip install -r requirements-dev.txt`."
            ) from exc

        data = Country.countriesdata(use_live=False)["countries"]
        countries = []
        for iso3, row in sorted(data.items()):
            if row.get("Appears in DGACM list") == "Y":
                un_status = "member"
            elif iso3 in OBSERVER_STATES:
                un_status = OBSERVER_STATES[iso3]
            else:
                continue
            names = {"en": row["English Short"] or row["Preferred Term"]}
            names.update(
                {
                    code: row[f"{language} Short"]
                    for code, language in OTHER_LANGUAGES.items()
                    if row.get(f"{language} Short")
                }
            )
            names.update(UN_NAMES.get(iso3, {}))
            countries.append(
                {
                    "iso3": iso3,
                    "iso2": row["ISO 3166-1 Alpha 2-Codes"] or "",
                    "m49": int(row["m49 numerical code"]),
                    "name": names.pop("en"),
                    "region": row["Region Name"] or "",
                    "subregion": row["Sub-region Name"] or "",
                    "intermediate_region": row["Intermediate Region Name"] or "",
                    "un_status": un_status,
                    "other_names": names,
                }
            )
        leftovers = [c["iso3"] for c in countries if not _names_complete(c)]
        if leftovers:
            raise CommandError(f"empty names or placeholders ('_') left in the names of {', '.join(leftovers)}")
        members = sum(1 for c in countries if c["un_status"] == "member")
        if members != 193 or len(countries) != 195:
            raise CommandError(
                f"expected 193 Member States and 2 observers, got {members} and {len(countries) - members}"
            )
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(countries, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        self.stdout.write(f"Wrote {len(countries)} countries ({members} Member States) to {output}")


def _names_complete(country: dict) -> bool:
    """Every name is present and none keeps the data source's placeholder, "_" (a rebuild must not bring one)."""
    names = [country["name"], *(country["other_names"].get(code) for code in OTHER_LANGUAGES)]
    return all(name and name.strip() and "_" not in name for name in names)
