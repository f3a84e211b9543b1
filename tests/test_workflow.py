"""A reporter files two updates, a reviewer verifies one and returns the other; the pages show only what is verified."""

import datetime

import pytest
from django.urls import reverse

from recommendations.models import CurrentStatus, ProgressUpdate, ReviewState, Status

pytestmark = pytest.mark.django_db
NEW = reverse("recommendations:progress_new")


def file_update(client, item, actor, **fields):
    """Go through both steps of the form as a person would; return the response to the POST."""
    step1 = client.get(NEW, {"item": item, "actor": actor})
    assert step1.status_code == 200
    form = step1.context["form"]
    data = {
        "organization": form.fields["organization"].queryset.first().pk if "organization" in form.fields else "",
        "as_of": "2019-03-14",
        "as_of_precision": "day",
        "narrative": "Parliament approved the ratification bill and the instrument was deposited.",
        "evidence_urls": "https://treaties.un.org/example\nhttps://example.org/gazette",
        "submission_token": form.initial["submission_token"],
    }
    data.update(fields)
    return client.post(f"{NEW}?item={item}&actor={actor}", data, follow=True)


def test_reporter_files_reviewer_verifies_and_returns_pages_show_only_verified(client, people):
    client.login(username="reporter_a", password="pw-reporter_a")
    ratification = file_update(client, "R02", "MEX", status=Status.RATIFIED)
    assert "awaits review" in ratification.content.decode()
    policy = file_update(client, "R56", "watch-b", status=Status.SUBSTANTIAL)
    assert policy.status_code == 200
    mexico_update = ProgressUpdate.objects.get(actor__code="MEX", recommendation__code="R02")
    ngo_update = ProgressUpdate.objects.get(actor__code="watch-b", recommendation__code="R56")
    assert {mexico_update.state, ngo_update.state} == {ReviewState.PENDING}
    assert mexico_update.reported_by_organization == people.org_a
    assert not CurrentStatus.objects.exists()  # nothing counts before review

    # Pending updates are invisible to the public.
    client.logout()
    assert client.get(mexico_update.get_absolute_url()).status_code == 404
    assert "No information" in client.get(reverse("recommendations:actor", args=["MEX"])).content.decode()

    client.login(username="reviewer", password="pw-reviewer")
    queue = client.get(reverse("recommendations:review_queue"))
    assert [u.pk for u in queue.context["page"].object_list] == [mexico_update.pk, ngo_update.pk]
    review = reverse("recommendations:update_review", args=[mexico_update.pk])
    client.post(review, {"decision": "verify", "version": mexico_update.version})
    review = reverse("recommendations:update_review", args=[ngo_update.pk])
    client.post(review, {"decision": "return", "reason": "The link does not mention the code.", "version": 1})
    mexico_update.refresh_from_db()
    ngo_update.refresh_from_db()
    assert mexico_update.state == ReviewState.VERIFIED
    assert ngo_update.state == ReviewState.RETURNED
    assert ngo_update.review_note == "The link does not mention the code."

    client.logout()
    # Actor page: Mexico's R02 is verified; the NGO's R56 is still no information.
    mexico = client.get(reverse("recommendations:actor", args=["MEX"]))
    rows = {item.code: current for item, current in mexico.context["rows"]}
    assert rows["R02"].status == Status.RATIFIED
    assert sum(1 for current in rows.values() if current) == 1
    ngo = client.get(reverse("recommendations:actor", args=["watch-b"]))
    assert all(current is None for _, current in ngo.context["rows"])
    # Item page: one party.
    item_page = client.get(reverse("recommendations:detail", args=["R02"]))
    assert ("ratified", "Party (ratified)", 1) in item_page.context["summary"].by_status
    r56 = client.get(reverse("recommendations:detail", args=["R56"])).context["summary"]
    assert {status for status, _, _ in r56.by_status} == {"no_information"}
    # Timeline: the verified update with what changed; the returned one is not public.
    timeline = client.get(reverse("recommendations:timeline", args=["MEX", "R02"]))
    (entry,) = timeline.context["entries"]
    assert entry["change"] == ("No information", "Party (ratified)")
    assert client.get(reverse("recommendations:timeline", args=["watch-b", "R56"])).context["entries"] == []

    # The reporter sees the returned one on "My updates", fixes it and resubmits.
    client.login(username="reporter_a", password="pw-reporter_a")
    mine = client.get(reverse("recommendations:my_updates"), {"state": "returned"})
    assert [u.pk for u in mine.context["page"].object_list] == [ngo_update.pk]
    assert "The link does not mention the code." in mine.content.decode()
    edit = reverse("recommendations:update_edit", args=[ngo_update.pk])
    response = client.post(
        edit,
        {
            "status": Status.SUBSTANTIAL,
            "as_of": "2019-03-14",
            "as_of_precision": "day",
            "narrative": "The NGO's code of conduct for recruitment agencies, adopted in 2019.",
            "evidence_urls": "https://example.org/code-of-conduct",
            "version": ngo_update.version,
            "submission_token": ngo_update.submission_token,
        },
    )
    assert response.status_code == 302
    ngo_update.refresh_from_db()
    assert ngo_update.state == ReviewState.PENDING
    assert ngo_update.history.first().history_change_reason == "edited and resubmitted"


def test_staff_see_withdrawn_and_returned_updates_on_the_timeline(client, people, item, country):
    from .factories import record

    kept = record(
        actor=country("KEN"), recommendation=item("ratification"), as_of=datetime.date(2015, 1, 1), status=Status.SIGNED
    )
    from recommendations import services

    dropped = record(
        actor=country("KEN"),
        recommendation=item("ratification"),
        as_of=datetime.date(2018, 1, 1),
        status=Status.RATIFIED,
    )
    services.withdraw_update(update=dropped, user=people.reviewer, expected_version=None, reason="Wrong country")
    url = reverse("recommendations:timeline", args=["KEN", item("ratification").code])
    public = client.get(url)
    assert [e["update"].pk for e in public.context["entries"]] == [kept.pk]
    client.force_login(people.reviewer)
    staff = client.get(url)
    assert [e["update"].pk for e in staff.context["entries"]] == [kept.pk, dropped.pk]
    assert "Withdrawn" in staff.content.decode()
