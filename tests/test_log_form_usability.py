"""What a reporter tripped on in the log form (issue 14, item 10): the date, a kept file, the edit form,
the evidence rule, the history of an edit, and the country-or-organization chooser."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations import kept_uploads
from recommendations.models import ProgressUpdate, Status

from .factories import NARRATIVE, filed, log_form_data

pytestmark = pytest.mark.django_db
NEW = reverse("recommendations:progress_new")
PDF = b"%PDF-1.4\n%%EOF\n"


def data_for(client, item="R56", actor="MEX", **overrides):
    return log_form_data(client, item, actor, **overrides)


def test_as_of_is_empty_until_the_reporter_gives_a_date(reporter):
    page = reporter.get(NEW, {"item": "R56", "actor": "MEX"}).content.decode()
    (as_of,) = re.findall(r"<input[^>]*name=\"as_of\"[^>]*>", page)
    assert "value=" not in as_of
    response = reporter.post(f"{NEW}?item=R56&actor=MEX", data_for(reporter, as_of=""))
    assert "as_of" in response.context["form"].errors and not ProgressUpdate.objects.exists()


def test_an_evidence_file_chosen_before_an_error_is_kept_for_the_next_try(reporter, people, client):
    data = data_for(reporter, narrative="Too short.", evidence_urls="")
    data["evidence_file"] = SimpleUploadedFile("minister-letter.pdf", PDF)
    refused = reporter.post(f"{NEW}?item=R56&actor=MEX", data)
    page = refused.content.decode()
    assert refused.status_code == 200 and "Kept from this try: minister-letter.pdf" in page
    reference = refused.context["form"].data["kept_file"]
    assert reference and f'value="{reference}"' in page
    # Fixed and sent again, with no file chosen this time: the kept file is the evidence.
    data = data_for(reporter, evidence_urls="", kept_file=reference)
    assert reporter.post(f"{NEW}?item=R56&actor=MEX", data).status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.evidence_file and update.evidence_file.read() == PDF and update.has_evidence
    # A reference is only good for the person who got it.
    assert kept_uploads.restore(reference, user=people.reporter_b) is None
    assert kept_uploads.restore(reference + "x", user=people.reporter_a) is None


def test_the_edit_form_shows_the_attached_file(reporter, people):
    data = data_for(reporter)
    data["evidence_file"] = SimpleUploadedFile("letter.pdf", PDF)
    assert reporter.post(f"{NEW}?item=R56&actor=MEX", data).status_code == 302
    update = ProgressUpdate.objects.get()
    page = reporter.get(reverse("recommendations:update_edit", args=[update.pk])).content.decode()
    assert "Attached now: application/pdf" in page


def test_the_evidence_rule_is_marked_on_both_fields(reporter):
    page = reporter.get(NEW, {"item": "R56", "actor": "MEX"}).content.decode()
    assert "Evidence links (required: at least one link, or a file)" in page
    assert "(optional)" not in page
    assert 'aria-required="true"' in page


def test_the_history_says_what_an_edit_changed(reporter, people):
    update = filed(user=people.reporter_a, organization=people.org_a)
    edit = reverse("recommendations:update_edit", args=[update.pk])
    form = reporter.get(edit).context["form"]
    data = {**form.initial, "status": Status.SUBSTANTIAL, "as_of": "2021-03-01", "narrative": NARRATIVE + " More."}
    data = {k: v for k, v in data.items() if v is not None}
    assert reporter.post(edit, data).status_code == 302
    page = reporter.get(update.get_absolute_url()).content.decode()
    assert "Status: Limited → Substantial" in page
    assert "As of: 1 January 2020 → 1 March 2021" in page
    assert "What happened: changed" in page


def test_the_chooser_prefers_countries_for_a_ratification_item_and_shows_the_kind(reporter, make_org, people):
    from recommendations.models import Membership

    brasil = make_org("Rede Migrantes Brasil", code="rede-brasil")
    Membership.objects.create(user=people.reporter_a, organization=brasil)
    # A ratification item: the organization is never picked for "Brasil" (Brazil's Spanish name finds the country);
    # a word that names no country gets a message saying only countries ratify.
    assert reporter.get(NEW, {"item": "R02", "actor": "Brasil"}).context["actor"].code == "BRA"
    Membership.objects.create(user=people.reporter_a, organization=make_org("Rede Migrantes Zeta", code="rede-zeta"))
    response = reporter.get(NEW, {"item": "R02", "actor": "Rede"})
    errors = " ".join(response.context["form"].errors["actor"])
    assert "No single country matches" in errors and "only a country can ratify R02" in errors
    assert reporter.get(NEW, {"item": "R02", "actor": "Braz"}).context["actor"].code == "BRA"
    # A policy item: the organization is a fine answer.
    assert reporter.get(NEW, {"item": "R56", "actor": "Rede Migrantes Brasil"}).context["actor"] == brasil
    # The suggestions: what the item accepts, each with its kind.
    search = reverse("recommendations:actor_search")
    for_ratification = reporter.get(search, {"q": "bra", "item": "R02 Ratify the convention"}).json()["results"]
    assert for_ratification and {r["kind"] for r in for_ratification} == {"country"}
    anything = reporter.get(search, {"q": "bra"}).json()["results"]
    assert {"Country", "Organization"} <= {r["kind_label"] for r in anything}
    page = reporter.get(NEW).content.decode()
    assert 'label="Country"' in page and 'data-chooser-item="id_item"' in page


def test_kept_files_past_their_day_are_swept_with_the_other_uploads(people, settings, tmp_path):
    import datetime
    import os
    import time

    from django.core.files.storage import default_storage

    from recommendations import services

    settings.MEDIA_ROOT = str(tmp_path)
    reference = kept_uploads.keep(SimpleUploadedFile("a.pdf", PDF), user=people.reporter_a)
    assert kept_uploads.restore(reference, user=people.reporter_a) is not None
    (name,) = default_storage.listdir(kept_uploads.FOLDER)[1]
    two_days_ago = time.time() - 2 * 86400
    os.utime(tmp_path / kept_uploads.FOLDER / name, (two_days_ago, two_days_ago))
    assert services.sweep_imports(older_than=datetime.timedelta(hours=1))["uploads"] == 1
    assert default_storage.listdir(kept_uploads.FOLDER)[1] == []
