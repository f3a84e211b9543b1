"""The open-data package: valid Frictionless Data Package, statuses equal to the export, /data/, nightly task."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from frictionless import Package

from opendata.package import RESOURCES, build_package
from recommendations.models import Recommendation

from .status_samples import csv_rows, read_csv, record_formula_named_organization, record_ratification_and_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(make_org, people):
    ghana = record_ratification_and_value(people, precision="year")
    record_formula_named_organization(make_org, people, base_country=ghana)


@pytest.fixture
def release(data, tmp_path):
    return build_package(tmp_path / "open-data")


def test_the_package_validates_with_frictionless(release):
    package = Package(str(release / "datapackage.json"))
    report = package.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    names = [resource.name for resource in package.resources]
    assert names == [name for name, *_ in RESOURCES]
    rows = {resource.name: resource.read_rows() for resource in package.resources}
    assert all(rows[name] for name in names), "no resource may be shipped empty"
    assert len(rows["verified_updates"]) == 3
    assert {r["code"] for r in rows["items"]} == set(Recommendation.objects.values_list("code", flat=True))


def test_every_field_is_typed_and_described_with_keys(release):
    descriptor = json.loads((release / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    from recommendations.models import SourceDocument

    assert SourceDocument.objects.get().title in descriptor["sources"][0]["title"]
    for resource in descriptor["resources"]:
        assert resource["schema"]["primaryKey"]
        for field in resource["schema"]["fields"]:
            assert field["type"] and len(field["description"]) > 10, field
    statuses = next(r for r in descriptor["resources"] if r["name"] == "statuses")
    status_field = next(f for f in statuses["schema"]["fields"] if f["name"] == "status")
    assert "no_information" in status_field["constraints"]["enum"]
    assert {fk["reference"]["resource"] for fk in statuses["schema"]["foreignKeys"]} == {"actors", "items"}


def test_items_carry_their_sdg_targets_and_baseline_like_the_api(client, release):
    """items.csv has every column the API's items give (sdg_targets, baseline), and no description sends the
    reader to a file the package lacks."""
    package = Package(str(release / "datapackage.json"))
    items = {row["code"]: row for row in next(r for r in package.resources if r.name == "items").read_rows()}
    linked = Recommendation.objects.filter(sdg_targets__isnull=False).distinct()
    assert linked.exists()
    for item in linked.prefetch_related("sdg_targets"):
        assert set(items[item.code]["sdg_targets"].split()) == {t.code for t in item.sdg_targets.all()}, item.code
    with_baseline = Recommendation.objects.filter(baseline__isnull=False)
    for item in with_baseline:
        assert items[item.code]["baseline"] == item.baseline, item.code
    api = client.get(reverse("api:item-detail", args=[linked[0].code])).json()
    assert set(api["sdg_targets"]) == set(items[linked[0].code]["sdg_targets"].split())
    files = {path for _, path, *_ in RESOURCES} | {"datapackage.json", "README.md"}
    descriptor = json.loads((release / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        for field in resource["schema"]["fields"]:
            named = {
                word.strip("().,;") for word in field["description"].split() if word.strip("().,;").endswith(".csv")
            }
            assert named <= files, (resource["name"], field["name"], named - files)


def test_the_readme_is_the_field_dictionary_of_the_same_schema(release):
    readme = (release / "README.md").read_text()
    descriptor = json.loads((release / "datapackage.json").read_text())
    assert "CC BY 4.0" in readme or "CC-BY-4.0" in readme
    for resource in descriptor["resources"]:
        assert f"## {resource['path']}" in readme
        for field in resource["schema"]["fields"]:
            assert f"| `{field['name']}` | {field['type']} | {field['description']} |" in readme


def test_statuses_csv_round_trips_to_the_export(client, release):
    header, rows = csv_rows(client)
    package = (release / "statuses.csv").read_bytes().decode("utf-8")
    # The same rows and cells; on PostgreSQL the export is written by COPY, whose lines end in LF, not CRLF.
    assert read_csv(package) == [header, *rows]
    assert len(rows) > 1


def test_pending_updates_stay_out(data, people, tmp_path):
    from .factories import filed

    pending = filed(user=people.reporter_a, organization=people.org_a, iso3="KEN")
    release = build_package(tmp_path)
    text = (release / "verified_updates.csv").read_bytes()
    assert text.count(b"\r\n") == 4  # header + the three verified updates
    assert not any(line.startswith(f"{pending.pk},".encode()) for line in text.split(b"\r\n"))


def test_command_writes_and_validates(data, tmp_path):
    from io import StringIO

    out = StringIO()
    call_command("export_open_data", str(tmp_path / "od"), "--validate", stdout=out)
    assert "Valid (frictionless)." in out.getvalue()
    assert (tmp_path / "od" / datetime.date.today().isoformat() / "package.zip").is_file()


def test_data_page_downloads_and_home_link(client, settings, release):
    settings.OPEN_DATA_DIR = release.parent
    day = release.name
    page = client.get(reverse("opendata:data"))
    assert page.status_code == 200 and f"Latest release: {day}" in page.content.decode()
    home = client.get(reverse("recommendations:home")).content.decode()
    assert reverse("opendata:download", args=[day, "package.zip"]) in home
    csv_file = client.get(reverse("opendata:download", args=[day, "statuses.csv"]))
    assert csv_file.status_code == 200 and csv_file["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(csv_file.streaming_content) == (release / "statuses.csv").read_bytes()
    latest = client.get(reverse("opendata:download", args=["latest", "README.md"]))
    assert latest.status_code == 302 and day in latest["Location"]
    for release_name, name in ((day, "../settings.py"), (day, "secret.txt"), ("2001-01-01", "README.md")):
        assert client.get(f"/data/{release_name}/{name}").status_code == 404


def test_data_page_without_a_release(client, settings, tmp_path):
    settings.OPEN_DATA_DIR = tmp_path / "none"
    page = client.get(reverse("opendata:data"))
    assert page.status_code == 200 and "No release has been built yet" in page.content.decode()


def test_nightly_task_is_scheduled_and_builds_a_release(data, settings, tmp_path):
    from django_celery_beat.models import PeriodicTask

    from opendata.tasks import build_open_data

    task = PeriodicTask.objects.get(task="opendata.build_package")
    assert task.enabled and task.crontab.hour == "4"
    settings.OPEN_DATA_DIR = tmp_path / "nightly"
    folder = build_open_data()
    assert folder.endswith(datetime.date.today().isoformat())
    assert (settings.OPEN_DATA_DIR / datetime.date.today().isoformat() / "datapackage.json").is_file()
