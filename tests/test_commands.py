"""The commands behind `make run`: seed (idempotent, strict) and ensure_admin (generated password)."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from recommendations.models import Actor, Addressee, Citation, Paragraph, Recommendation, Section, Theme

pytestmark = pytest.mark.django_db


def run(*args, **kwargs):
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def counts():
    return [m.objects.count() for m in (Recommendation, Citation, Theme, Addressee, Actor, Section, Paragraph)]


def test_seed_loaded_everything_once_and_a_second_run_loads_nothing():
    before = counts()
    assert Actor.objects.countries().count() == 195
    assert Actor.objects.filter(un_status="member").count() == 193
    assert 60 <= Recommendation.objects.count() <= 100
    assert "everything was already loaded" in run("seed")
    assert counts() == before


def test_seeded_countries_carry_m49_regions_from_the_data_source():
    kenya = Actor.objects.get(iso3="KEN")
    assert (kenya.region, kenya.subregion, kenya.intermediate_region, kenya.m49) == (
        "Africa",
        "Sub-Saharan Africa",
        "Eastern Africa",
        404,
    )
    assert kenya.other_names["fr"] == "Kenya"
    assert Actor.objects.get(iso3="PSE").un_status == "observer"


def test_seed_keeps_editors_changes():
    Recommendation.objects.filter(code="R02").update(title="Edited by an editor")
    run("seed")
    assert Recommendation.objects.get(code="R02").title == "Edited by an editor"


def test_every_item_is_complete():
    for item in Recommendation.objects.for_list():
        assert item.citations.all(), item.code
        assert item.addressees.all(), item.code
        assert item.section.first_paragraph <= max(item.cited_paragraphs()), item.code
        if item.kind == "ratification":
            assert item.ratifies is not None
            assert {a.applies_to for a in item.addressees.all()} == {"country"}, item.code


def test_seed_rejects_a_quotation_that_is_not_verbatim(tmp_path: Path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(settings.FIXTURES_DIR, fixtures)
    items = json.loads((fixtures / "recommendations.json").read_text())
    items.append({**items[0], "code": "R999", "citations": [{"paragraph": 35, "text": "Countries must do more."}]})
    (fixtures / "recommendations.json").write_text(json.dumps(items))
    before = counts()
    with pytest.raises(CommandError, match="R999: the quotation is not verbatim from paragraph 35"):
        run("seed", fixtures=str(fixtures))
    assert counts() == before  # nothing half-written


def test_seed_reports_a_broken_fixture_file(tmp_path: Path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(settings.FIXTURES_DIR, fixtures)
    (fixtures / "themes.json").write_text("{not json")
    with pytest.raises(CommandError, match="themes.json is not valid JSON"):
        run("seed", fixtures=str(fixtures))


def test_ensure_admin_creates_one_admin_with_a_generated_password():
    first = run("ensure_admin")
    password = first.split("Password:")[1].split()[0]
    assert len(password) >= 16
    user = User.objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    second = run("ensure_admin")
    assert "already exists" in second
    assert password not in second
    assert User.objects.filter(is_superuser=True).count() == 1
    # A second machine would get a different password: nothing is hard-coded.
    User.objects.all().delete()
    assert run("ensure_admin").split("Password:")[1].split()[0] != password


def test_seed_rejects_thresholds_out_of_order(tmp_path: Path):
    """The admin's rule (threshold_errors): a ceiling better than the target on a lower-is-better item."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(settings.FIXTURES_DIR, fixtures)
    items = json.loads((fixtures / "recommendations.json").read_text())
    r17 = next(item for item in items if item["code"] == "R17")
    items.append({**r17, "code": "R998", "quantitative": {**r17["quantitative"], "ceiling": "2"}})
    (fixtures / "recommendations.json").write_text(json.dumps(items))
    before = counts()
    with pytest.raises(CommandError, match="R998: thresholds out of order: ceiling: Lower is better here"):
        run("seed", fixtures=str(fixtures))
    assert counts() == before
