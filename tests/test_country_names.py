"""Countries carry the UN's names: the fixture, a rebuild of it from the data source, and databases seeded before."""

import importlib
import io
import json

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from recommendations.management.commands.build_countries_fixture import _names_complete
from recommendations.models import OTHER_UN_LANGUAGES, Actor

pytestmark = pytest.mark.django_db

NAURU = {"fr": "Nauru", "es": "Nauru", "ru": "Науру", "zh": "瑙鲁", "ar": "ناورو"}
NETHERLANDS_AR = "هولندا (مملكة -)"


def fixture_rows() -> dict[str, dict]:
    with open(settings.FIXTURES_DIR / "countries.json", encoding="utf-8") as handle:
        return {row["iso3"]: row for row in json.load(handle)}


def test_the_fixture_has_the_un_names_and_no_placeholders():
    rows = fixture_rows()
    assert (rows["NRU"]["name"], rows["NRU"]["other_names"]) == ("Nauru", NAURU)
    assert rows["NLD"]["other_names"]["ar"] == NETHERLANDS_AR
    assert [iso3 for iso3, row in rows.items() if not _names_complete(row)] == []
    assert all(set(row["other_names"]) == set(OTHER_UN_LANGUAGES) for row in rows.values())


def test_a_seeded_database_has_them():
    nauru = Actor.objects.get(iso3="NRU")
    assert (nauru.name, nauru.other_names) == ("Nauru", NAURU)
    assert Actor.objects.get(iso3="NLD").other_names["ar"] == NETHERLANDS_AR


def test_a_rebuild_from_the_data_source_keeps_them(tmp_path):
    pytest.importorskip("hdx.location.country")
    output = tmp_path / "countries.json"
    call_command("build_countries_fixture", output=str(output), stdout=io.StringIO())
    assert output.read_text(encoding="utf-8") == (settings.FIXTURES_DIR / "countries.json").read_text(encoding="utf-8")


def test_the_migration_corrects_only_names_still_as_seeded():
    migration = importlib.import_module("recommendations.migrations.0034_un_names_of_nauru_and_the_netherlands")
    nauru, netherlands = Actor.objects.get(iso3="NRU"), Actor.objects.get(iso3="NLD")
    nauru.name = "Naoero"
    nauru.other_names = {"fr": "Naoero", "es": "République de Nauru", "ru": "Наоэро", "zh": "瑙鲁", "ar": "ناويرو"}
    nauru.save()
    netherlands.other_names = {**netherlands.other_names, "ar": "هولندا (مملكة _)"}
    netherlands.save()

    migration.forward(apps, None)

    nauru.refresh_from_db()
    netherlands.refresh_from_db()
    assert nauru.name == "Nauru"
    # The Spanish name had been changed by an editor: kept.
    assert nauru.other_names == {**NAURU, "es": "République de Nauru"}
    assert netherlands.other_names["ar"] == NETHERLANDS_AR

    migration.forward(apps, None)  # a second run changes nothing
    nauru.refresh_from_db()
    assert nauru.other_names["es"] == "République de Nauru"
