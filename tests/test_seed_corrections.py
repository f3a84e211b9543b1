"""Databases seeded with the earlier fixtures get issue 13's corrections from `manage.py seed`.

The earlier state is rebuilt with the seed command and fixtures of commit
``OLD_COMMIT`` (the last before the corrections), read from git, on top of
the session's database; then today's seed must bring it to exactly what a
fresh seed gives, keep every progress update and every editor's change, and
do nothing the second time.
"""

import copy
import datetime
import importlib.util
import io
import json
import shutil
import subprocess
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from recommendations.models import (
    Citation,
    CurrentStatus,
    DataCorrection,
    Instrument,
    ProgressUpdate,
    Recommendation,
    Status,
)

from .factories import record

pytestmark = pytest.mark.django_db

# main before issue 13: its seed command and its fixtures built every database that exists so far.
OLD_COMMIT = "65c1babc357a0c680fc697a28de4ca6aa67e879d"
ROOT = Path(settings.BASE_DIR)


def run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def snapshot() -> dict:
    """Everything the seed decides about items and instruments, by natural key."""
    items = {}
    for item in Recommendation.objects.select_related("section", "ratifies").prefetch_related(
        "citations__paragraph", "themes", "addressees", "instruments", "sdg_targets"
    ):
        items[item.code] = {
            "title": item.title,
            "flags": (item.title_is_editorial, item.editorial_split, item.editorial_note),
            "kind": item.kind,
            "section": item.section.code,
            "ratifies": item.ratifies.short_name if item.ratifies else None,
            "quantitative": (item.target, item.ceiling, item.thresholds_source, item.target_note),
            "position": item.position,
            "citations": [(c.paragraph.number, c.role, c.text) for c in item.citations.all()],
            "themes": sorted(t.slug for t in item.themes.all()),
            "addressees": sorted(a.slug for a in item.addressees.all()),
            "instruments": sorted(i.short_name for i in item.instruments.all()),
            "sdg_targets": sorted(t.code for t in item.sdg_targets.all()),
        }
    instruments = sorted(Instrument.objects.values_list("short_name", "name", "adopting_body", "year", "url"))
    return {"items": items, "instruments": instruments}


def git_old(tmp_path: Path) -> tuple[Path, object]:
    """The earlier fixtures folder and seed command, from git."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git history of this checkout")
    archive = subprocess.run(  # noqa: S603 - fixed arguments
        ["git", "archive", "--format=tar", OLD_COMMIT, "fixtures", "recommendations/management/commands/seed.py"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    assert archive.returncode == 0, f"commit {OLD_COMMIT} is not in this clone: {archive.stderr.decode()}"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp_path, filter="data")
    spec = importlib.util.spec_from_file_location("old_seed", tmp_path / "recommendations/management/commands/seed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tmp_path / "fixtures", module.Command()


def rebuild_old_database(tmp_path: Path):
    """Replace the seeded items and instruments with those the earlier seed created."""
    fixtures, old_seed = git_old(tmp_path)
    Citation.objects.all().delete()
    Recommendation.objects.all().delete()
    Instrument.objects.all().delete()
    DataCorrection.objects.all().delete()
    call_command(old_seed, fixtures=str(fixtures), stdout=StringIO())
    return fixtures


def test_seed_upgrades_an_old_database_keeps_progress_and_editors_work_and_is_idempotent(tmp_path, country):
    fresh = snapshot()
    rebuild_old_database(tmp_path)
    old = snapshot()
    assert len(old["items"]) == 92 and "Palermo Protocol" in {row[0] for row in old["instruments"]}
    assert old["items"]["R23"]["title"].startswith("Protect trafficking victims unconditionally")

    # Progress on items the corrections change, of every kind.
    day = datetime.date(2020, 1, 1)
    kenya, mexico = country("KEN"), country("MEX")
    updates = [
        record(actor=kenya, recommendation=Recommendation.objects.get(code="R56"), status=Status.LIMITED, as_of=day),
        record(actor=kenya, recommendation=Recommendation.objects.get(code="R41"), status=Status.COMPLETE, as_of=day),
        record(actor=mexico, recommendation=Recommendation.objects.get(code="R03"), status=Status.RATIFIED, as_of=day),
        record(actor=mexico, recommendation=Recommendation.objects.get(code="R91"), status=Status.SIGNED, as_of=day),
        record(actor=mexico, recommendation=Recommendation.objects.get(code="R17"), value=6, as_of=day),
        record(actor=kenya, recommendation=Recommendation.objects.get(code="R23"), status=Status.LIMITED, as_of=day),
    ]
    current_before = sorted(CurrentStatus.objects.values_list("actor__code", "recommendation__code", "status"))
    # Editors' changes: one to a field a correction also changes, the others unrelated to any correction.
    r60 = Recommendation.objects.get(code="R60")
    r60.title = "Unaccompanied children (editor's wording)"
    r60.save()
    Recommendation.objects.filter(code="R02").update(title="Ratify the ICRMW (editor)")
    Recommendation.objects.get(code="R23").themes.add(*Recommendation.objects.get(code="R60").themes.all())
    # An editor put the unused Smuggling Protocol to use, and reworded the ¶57 quotation the fixtures drop from R41.
    Recommendation.objects.get(code="R92").instruments.add(Instrument.objects.get(short_name="Smuggling Protocol"))
    r41 = Recommendation.objects.get(code="R41").citations.get(paragraph__number=57)
    r41.text = "It was suggested that financial institutions and banks should also participate"
    r41.save()

    output = run("seed")

    # The instruments' official titles in the other five languages are new to that database (14 × 5), and so
    # is R17's wording in them (3 fields × 5).
    assert (
        "Seed: created 4 instruments, 70 instrument names in other languages, 5 calls to action, "
        "15 item wordings in other languages." in output
    )
    assert "Data correction issue-13-core-instruments" in output
    assert "Kept: R60 title: kept the editors'" in output
    assert "Kept: instrument Smuggling Protocol: kept, because R92 use it" in output
    assert "Kept: R41 ¶57: kept the editors' quotation" in output
    # Every progress update is still there, on the same item, and the current statuses did not move.
    for update in updates:
        stored = ProgressUpdate.objects.get(pk=update.pk)
        assert (stored.recommendation.code, stored.status) == (update.recommendation.code, update.status)
    assert ProgressUpdate.objects.count() == len(updates)
    assert sorted(CurrentStatus.objects.values_list("actor__code", "recommendation__code", "status")) == current_before
    # The editors' changes survive.
    assert Recommendation.objects.get(code="R60").title == "Unaccompanied children (editor's wording)"
    assert Recommendation.objects.get(code="R02").title == "Ratify the ICRMW (editor)"
    r23_themes = set(Recommendation.objects.get(code="R23").themes.values_list("slug", flat=True))
    assert "children" in r23_themes
    assert Recommendation.objects.get(code="R92").instruments.filter(short_name="Smuggling Protocol").exists()
    assert Recommendation.objects.get(code="R41").citations.filter(paragraph__number=57).exists()
    # Everything else is exactly what a fresh seed gives.
    edited = {"R60": "title", "R02": "title", "R23": "themes", "R92": "instruments", "R41": "citations"}
    expected, upgraded = copy.deepcopy(fresh), snapshot()
    for code, field in edited.items():
        assert upgraded["items"][code].pop(field) != expected["items"][code].pop(field)
    kept_instrument, fresh_instruments = upgraded.pop("instruments"), expected.pop("instruments")
    smuggling = next(row for row in old["instruments"] if row[0] == "Smuggling Protocol")
    assert [row for row in kept_instrument if row not in fresh_instruments] == [smuggling]
    assert upgraded == expected
    # Recorded once, with what was kept; the history says why each row changed.
    assert DataCorrection.objects.count() == len(json.loads((ROOT / "fixtures/corrections.json").read_text()))
    kept = DataCorrection.objects.get(name="issue-13-titles-in-the-source-words").outcome
    assert "Kept: R60 title" in kept and "Changed: R24 title" in kept
    r23 = Recommendation.objects.get(code="R23")
    assert r23.history.filter(history_change_reason="Data correction issue-13-R23-title", title=r23.title).exists()
    assert Instrument.objects.get(short_name="Trafficking Protocol").history.filter(history_type="~").exists()

    # Idempotent: a second run changes nothing.
    assert run("seed").strip() == "Seed: everything was already loaded."
    again = snapshot()
    for code, field in edited.items():
        again["items"][code].pop(field)
    assert again.pop("instruments") == kept_instrument
    assert again == expected


def test_a_fresh_database_records_the_corrections_without_changing_anything():
    # The session database was seeded from today's fixtures: the corrections found nothing to do.
    names = [c["name"] for c in json.loads((ROOT / "fixtures/corrections.json").read_text())]
    assert list(DataCorrection.objects.values_list("name", flat=True)) == names
    assert all(o.startswith("Nothing to change") for o in DataCorrection.objects.values_list("outcome", flat=True))


def write_fixtures(tmp_path: Path, edit) -> Path:
    fixtures = tmp_path / "fixtures"
    shutil.copytree(settings.FIXTURES_DIR, fixtures)
    items = json.loads((fixtures / "recommendations.json").read_text())
    edit(items, fixtures)
    (fixtures / "recommendations.json").write_text(json.dumps(items))
    return fixtures


def test_seed_rejects_a_quotation_that_stops_mid_sentence(tmp_path):
    def cut(items, _):
        r06 = next(i for i in items if i["code"] == "R06")
        quote = next(c for c in r06["citations"] if c["paragraph"] == 26)
        quote["text"] = quote["text"].split(", recognizing")[0]  # "…was stressed", as the earlier fixture had it

    with pytest.raises(CommandError, match="R06: the quotation from paragraph 26 does not quote whole sentences"):
        run("seed", fixtures=str(write_fixtures(tmp_path, cut)))


def test_seed_rejects_an_editorial_flag_without_a_reason(tmp_path):
    def unexplained(items, _):
        next(i for i in items if i["code"] == "R05")["editorial"]["note"] = ""

    with pytest.raises(CommandError, match="R05: an editorial title or split needs an editorial note"):
        run("seed", fixtures=str(write_fixtures(tmp_path, unexplained)))


def test_seed_rejects_a_correction_of_an_unknown_field(tmp_path):
    def bad_correction(items, fixtures):
        corrections = json.loads((fixtures / "corrections.json").read_text())
        corrections.append({"name": "x", "reason": "y", "items": {"R02": {"kind": "policy"}}})
        (fixtures / "corrections.json").write_text(json.dumps(corrections))

    with pytest.raises(CommandError, match="correction 'x': R02 cannot correct kind"):
        run("seed", fixtures=str(write_fixtures(tmp_path, bad_correction)))
