"""Bulk review of the queue: each update through the single action's service, outcomes listed, nothing twice."""

import datetime
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bulk import compare
from bulk import services as bulk
from bulk.models import BulkReview, BulkReviewItem, JobState, Outcome
from recommendations import services
from recommendations.models import AuditEvent, CurrentStatus, ProgressUpdate, ReviewState

from .factories import filed, record

pytestmark = pytest.mark.django_db
QUEUE = reverse("recommendations:review_queue")
BULK = reverse("bulk:review")


def selection(*updates):
    return [f"{u.pk}:{u.version}" for u in updates]


def confirm(client, updates=(), *, decision="verify", reason="", token=None, scope="selected", query="", **extra):
    data = {
        "step": "confirm",
        "submission_token": str(token or uuid.uuid4()),
        "decision": decision,
        "reason": reason,
        "scope": scope,
        "query": query,
        "update": selection(*updates),
        **extra,
    }
    return client.post(BULK, data)


def test_bulk_verify_does_the_permitted_and_lists_each_refusal_with_its_reason(client, people):
    mine = filed(user=people.reviewer, organization=people.org_a, iso3="KEN")  # the reviewer's own
    ok = [filed(user=people.reporter_a, organization=people.org_a, iso3=iso3) for iso3 in ("MEX", "PER", "CHL")]
    stale = filed(user=people.reporter_b, organization=people.org_b, iso3="BRA")
    seen_version = stale.version
    services.edit_update(  # the reporter edits it after the reviewer loaded the queue
        update=stale,
        user=people.reporter_b,
        expected_version=stale.version,
        status="substantial",
        as_of=datetime.date(2020, 1, 1),
        narrative="The ministry published the new rules in the gazette.",
        evidence_urls=["https://example.org/rules"],
    )
    client.login(username="reviewer", password="pw-reviewer")
    updates = [*ok, mine]
    data = selection(*updates) + [f"{stale.pk}:{seen_version}"]
    response = client.post(
        BULK,
        {
            "step": "confirm",
            "submission_token": str(uuid.uuid4()),
            "decision": "verify",
            "scope": "selected",
            "update": data,
        },
    )
    job = BulkReview.objects.get()
    assert response.status_code == 302 and response.url == reverse("bulk:review_job", args=[job.token])
    assert job.state == JobState.DONE and job.total == 5
    outcomes = dict(BulkReviewItem.objects.values_list("update_id", "outcome"))
    assert {pk for pk, o in outcomes.items() if o == Outcome.DONE} == {u.pk for u in ok}
    assert outcomes[mine.pk] == outcomes[stale.pk] == Outcome.REFUSED
    assert set(ProgressUpdate.objects.filter(pk__in=[u.pk for u in ok]).values_list("state", flat=True)) == {"verified"}
    assert ProgressUpdate.objects.get(pk=mine.pk).state == ReviewState.PENDING
    assert ProgressUpdate.objects.get(pk=stale.pk).state == ReviewState.PENDING
    # Same audit trail, history and current status as one at a time.
    assert AuditEvent.objects.filter(action="verified", user=people.reviewer).count() == 3
    for update in ok:
        assert update.history.latest().history_user == people.reviewer
        assert (
            CurrentStatus.objects.get(actor=update.actor, recommendation=update.recommendation).update_id == update.pk
        )

    page = client.get(response.url).content.decode()
    assert "<strong>3</strong> verified, <strong>2</strong> refused" in page
    assert "A second reviewer must verify your own updates." in page
    assert "Someone else changed this update after you opened it" in page


def test_bulk_return_gives_every_update_the_one_reason_and_needs_one(client, people):
    updates = [filed(user=people.reporter_a, organization=people.org_a, iso3=iso3) for iso3 in ("MEX", "PER")]
    client.login(username="reviewer", password="pw-reviewer")
    refused = confirm(client, updates, decision="return", reason="  ")
    assert refused.status_code == 400
    assert "Say why the updates are returned" in refused.content.decode()
    assert not BulkReview.objects.exists()
    assert set(ProgressUpdate.objects.values_list("state", flat=True)) == {ReviewState.PENDING}

    confirm(client, updates, decision="return", reason="The evidence link is broken.")
    returned = ProgressUpdate.objects.filter(pk__in=[u.pk for u in updates])
    assert set(returned.values_list("state", "review_note")) == {("returned", "The evidence link is broken.")}
    assert AuditEvent.objects.filter(action="returned").count() == 2


def test_select_all_matching_takes_exactly_what_the_filtered_queue_lists(client, people, settings):
    settings.BULK_REVIEW_IN_BACKGROUND_ABOVE = 10_000
    codes = ["MEX", "PER", "CHL", "BRA", "ARG", "COL", "ECU", "BOL", "URY", "PRY", "VEN", "GTM", "HND", "SLV"]
    for iso3 in codes:  # 28 in org A on two items (two pages of the queue), 14 in org B
        filed(user=people.reporter_a, organization=people.org_a, iso3=iso3)
        filed(user=people.reporter_a, organization=people.org_a, iso3=iso3, code="R57")
        filed(user=people.reporter_b, organization=people.org_b, iso3=iso3)
    client.login(username="reviewer2", password="pw-reviewer2")
    query = "organization=forum-a&older_than="
    listed = []
    for number in (1, 2):
        listed += [u.pk for u in client.get(f"{QUEUE}?{query}&page={number}").context["page"].object_list]
    assert len(listed) == 28 == len(set(listed))

    preview = client.post(BULK, {"decision": "verify", "scope": "all", "query": query})
    assert preview.status_code == 200 and "Verify 28 updates?" in preview.content.decode()
    confirm(client, scope="all", query=query)
    job = BulkReview.objects.get()
    assert job.all_matching and job.query == query
    assert list(job.items.order_by("pk").values_list("update_id", flat=True)) == listed
    verified = set(ProgressUpdate.objects.filter(state="verified").values_list("pk", flat=True))
    assert verified == set(listed)

    bad = client.post(BULK, {"decision": "verify", "scope": "all", "query": "item=NOPE"})
    assert bad.status_code == 302
    assert BulkReview.objects.count() == 1


def test_a_double_submit_writes_nothing_twice(client, people):
    updates = [filed(user=people.reporter_a, organization=people.org_a, iso3=iso3) for iso3 in ("MEX", "PER")]
    client.login(username="reviewer", password="pw-reviewer")
    token = uuid.uuid4()
    first = confirm(client, updates, token=token)
    second = confirm(client, updates, token=token)
    assert first.url == second.url
    assert BulkReview.objects.count() == 1 and BulkReviewItem.objects.count() == 2
    assert AuditEvent.objects.filter(action="verified").count() == 2
    for update in updates:
        assert update.history.filter(history_change_reason="verified").count() == 1
    assert "already submitted" in client.get(second.url).content.decode()
    # Another person's token is theirs alone: it does not reach this person's job.
    client.login(username="reviewer2", password="pw-reviewer2")
    assert confirm(client, updates, token=token).status_code == 302
    assert BulkReview.objects.count() == 2


def test_running_a_job_again_resumes_it_and_does_nothing_twice(people):
    updates = [filed(user=people.reporter_a, organization=people.org_a, iso3=iso3) for iso3 in ("MEX", "PER", "CHL")]
    job, _ = bulk.start_bulk_review(
        user=people.reviewer,
        submission_token=uuid.uuid4(),
        decision="verify",
        selection=[(u.pk, u.version) for u in updates],
    )
    bulk._process(job, job.items.order_by("pk").first().pk)  # a worker stopped after the first update
    assert bulk.progress(job)["processed"] == 1
    bulk.run_bulk_review(job_id=job.pk)
    bulk.run_bulk_review(job_id=job.pk)
    assert bulk.progress(BulkReview.objects.get())["done"] == 3
    assert AuditEvent.objects.filter(action="verified").count() == 3


def test_no_javascript_path_from_the_queue_to_the_result(client, people):
    own = filed(user=people.reviewer, organization=people.org_a, iso3="KEN")
    updates = [filed(user=people.reporter_a, organization=people.org_a, iso3=iso3) for iso3 in ("MEX", "PER")]
    client.login(username="reviewer", password="pw-reviewer")
    queue = client.get(QUEUE).content.decode()
    assert f'name="update" value="{updates[0].pk}:{updates[0].version}"' in queue
    assert 'action="/review/bulk/"' in queue
    assert "Review all 3 matching updates" in queue

    preview = client.post(BULK, {"decision": "verify", "scope": "selected", "update": selection(*updates, own)})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Verify 3 updates?" in page and "1</strong> of them is yours" in page
    token = preview.context["submission_token"]
    assert f'name="submission_token" value="{token}"' in page
    assert ProgressUpdate.objects.filter(state="verified").count() == 0  # the preview writes nothing

    done = client.post(
        BULK,
        {
            "step": "confirm",
            "submission_token": token,
            "decision": "verify",
            "scope": "selected",
            "update": selection(*updates, own),
        },
        follow=True,
    )
    text = done.content.decode()
    assert "<strong>2</strong> verified, <strong>1</strong> refused" in text
    assert 'http-equiv="refresh"' not in text  # done: no refresh

    nothing = client.post(BULK, {"decision": "verify", "scope": "selected"}, follow=True)
    assert "Select at least one update" in nothing.content.decode()


def test_a_large_selection_runs_in_the_background_with_a_progress_page(
    client, people, settings, django_capture_on_commit_callbacks
):
    settings.BULK_REVIEW_IN_BACKGROUND_ABOVE = 2
    updates = [filed(user=people.reporter_a, organization=people.org_a, iso3=iso3) for iso3 in ("MEX", "PER", "CHL")]
    client.login(username="reviewer", password="pw-reviewer")
    preview = client.post(BULK, {"decision": "verify", "scope": "selected", "update": selection(*updates)})
    assert "reviewed in the background" in preview.content.decode()
    # Queued but not yet run (no worker has taken it): the page refreshes itself, JSON gives the progress.
    job, _ = bulk.start_bulk_review(
        user=people.reviewer,
        submission_token=uuid.uuid4(),
        decision="verify",
        selection=[(u.pk, u.version) for u in updates],
    )
    url = reverse("bulk:review_job", args=[job.token])
    waiting = client.get(url).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in waiting
    assert '<progress class="w-100" max="3" value="0"' in waiting
    assert client.get(url, {"format": "json"}).json() == {
        "state": "queued",
        "total": 3,
        "processed": 0,
        "done": 0,
        "refused": 0,
        "percent": 0,
        "shown": {"processed": "0", "total": "3", "done": "0", "refused": "0"},
    }
    # The task (eager without a broker) does the work.
    from bulk import tasks

    with django_capture_on_commit_callbacks(execute=True):  # the task is sent once the transaction commits
        tasks.run_bulk_review.delay(job.pk)
    assert client.get(url, {"format": "json"}).json()["done"] == 3


def test_only_reviewers_bulk_review_and_only_the_owner_sees_a_job(client, people):
    update = filed(user=people.reporter_a, organization=people.org_a)
    client.login(username="reporter_a", password="pw-reporter_a")
    assert confirm(client, [update]).status_code == 403
    client.login(username="reviewer", password="pw-reviewer")
    url = confirm(client, [update]).url
    client.login(username="reviewer2", password="pw-reviewer2")
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------------------
# Compare before verifying
# ---------------------------------------------------------------------------


def test_the_queue_shows_from_to_and_flags_backwards_older_and_conflicting_updates(client, people, country, item):
    ratification = item("ratification")
    record(actor=country("MEX"), recommendation=ratification, status="ratified", as_of=datetime.date(2019, 1, 1))
    back = filed(
        user=people.reporter_a,
        organization=people.org_a,
        code=ratification.code,
        status="signed",
        as_of=datetime.date(2020, 1, 1),
    )
    older = filed(
        user=people.reporter_a,
        organization=people.org_a,
        code=ratification.code,
        status="signed",
        as_of=datetime.date(2010, 1, 1),
    )
    fresh = filed(
        user=people.reporter_a,
        organization=people.org_a,
        iso3="PER",
        code=ratification.code,
        status="signed",
        as_of=datetime.date(2020, 1, 1),
    )
    found = compare.changes(ProgressUpdate.objects.filter(pk__in=[back.pk, older.pk, fresh.pk]))
    assert (found[back.pk].current_label, found[back.pk].proposed_label) == ("Party (ratified)", "Signed")
    assert found[back.pk].backwards and not found[back.pk].older
    assert found[older.pk].older and not found[older.pk].backwards
    assert found[back.pk].others == [(older.pk, "Signed")] and found[older.pk].others == [(back.pk, "Signed")]
    assert found[fresh.pk].current_label == "No information" and not found[fresh.pk].backwards
    assert not found[fresh.pk].conflict

    client.login(username="reviewer", password="pw-reviewer")
    page = client.get(QUEUE).content.decode()
    assert 'Party (ratified)</span> → <strong class="text-nowrap">Signed</strong>' in page
    assert page.count(">Backwards</span>") == 1 and page.count(">Conflict</span>") == 2
    assert page.count(">Older</span>") == 1


def test_the_queue_costs_the_same_queries_whatever_its_rows(client, people, country, item, make_org):
    """Few rows with little around them, then a full page of varied rows: the same number of queries."""
    from django.contrib.auth.models import Group, User

    from recommendations.models import Membership

    client.login(username="reviewer", password="pw-reviewer")
    filed(user=people.reporter_a, organization=people.org_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE)
        with CaptureQueriesContext(connection) as preview_queries:  # the confirmation of "all matching"
            preview = client.post(BULK, {"decision": "verify", "scope": "all", "query": ""})
        rows = (len(response.context["page"].object_list), len(preview.context["rows"]))
        return (len(queries), len(preview_queries)), rows

    small, rows = count()
    assert rows == (1, 1)
    reporters = Group.objects.get(name="Reporter")
    policy = [item("policy", n) for n in range(3)]
    for n, iso3 in enumerate(["KEN", "UGA", "PER", "CHL", "BRA", "ARG", "COL", "ECU", "BOL", "URY", "PRY", "VEN"]):
        org = make_org()
        user = User.objects.create_user(f"r{n}", password="x")
        user.groups.add(reporters)
        Membership.objects.create(user=user, organization=org)
        recommendation = policy[n % 3]
        if n % 2:  # some pairs have a current status, some conflict
            record(
                actor=country(iso3),
                recommendation=recommendation,
                status="substantial",
                as_of=datetime.date(2018, 1, 1),
            )
        for status in ("limited", "complete", "backsliding")[: 1 + n % 3]:
            filed(user=user, organization=org, iso3=iso3, code=recommendation.code, status=status)
    for iso3 in ("GTM", "HND", "SLV", "NIC", "CRI"):
        filed(user=people.reporter_b, organization=people.org_b, iso3=iso3, code="R57")
    large, rows = count()
    assert rows == (25, 30)  # the queue's page; the confirmation lists every matching one (up to 200)
    assert large == small


def test_the_result_page_costs_the_same_queries_whatever_its_rows(client, people, make_org):
    client.login(username="reviewer", password="pw-reviewer")

    def job_page(updates):
        url = confirm(client, updates).url
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return len(queries), len(response.context["page"].object_list)

    small = job_page([filed(user=people.reporter_a, organization=people.org_a)])
    updates = [filed(user=people.reviewer, organization=people.org_a, iso3="KEN", code="R57")]  # refused: own
    for n, iso3 in enumerate(("PER", "CHL", "BRA", "ARG")):
        updates.append(filed(user=people.reporter_b, organization=people.org_b, iso3=iso3, code=f"R5{6 + n % 2}"))
    large = job_page(updates)
    assert (small[1], large[1]) == (1, 5)
    assert small[0] == large[0]


def test_a_job_s_heading_groups_its_total(client, people):
    """Thousands of updates in one bulk review: "Examen par lots : vérifier 1 500 mises à jour" in French."""
    update = filed(user=people.reporter_a, organization=people.org_a, iso3="MEX")
    client.login(username="reviewer", password="pw-reviewer")
    confirm(client, [update])
    job = BulkReview.objects.get()
    BulkReview.objects.filter(pk=job.pk).update(total=1500)
    page = client.get("/fr" + reverse("bulk:review_job", args=[job.token])).content.decode()
    assert "1\u00a0500 mises à jour</h1>" in page


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "12,345"), ("fr", "12\u00a0345"), ("ru", "12\u00a0345"), ("zh-hans", "12345"), ("ar", "12345")],
)
def test_the_progress_line_s_counts_are_grouped_as_the_server_groups_them(language, expected):
    """bulk.js rewrote the status line with the JSON's plain numbers ("12345 sur 20000 traitées"): the JSON now
    carries the counts as the page writes them (``languages.numbers.count``), which the script uses."""
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    from bulk.views import counts_shown

    progress = {"state": "running", "total": 20000, "processed": 12345, "done": 12000, "refused": 345, "percent": 62}
    with translation.override(language):
        shown = counts_shown(progress)
        assert shown["processed"] == expected == intcomma(12345)
        assert shown["refused"] == "345"
    script = (Path(__file__).resolve().parent.parent / "bulk" / "static" / "bulk" / "bulk.js").read_text()
    assert "p.shown" in script
