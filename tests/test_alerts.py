"""Follows, notifications, digests, unsubscribe and reminders (issue 15, items 4–6)."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts import content, reminders, services, tasks
from alerts.models import (
    Follow,
    Frequency,
    Notification,
    NotificationKind,
    Preference,
    ReportingCycle,
    Watermark,
)
from recommendations import services as tracker
from recommendations.models import Actor, CurrentStatus, Recommendation, Theme

from .factories import filed, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_queue_snapshot():
    cache.clear()


def start_clock(minutes: int = 60):
    """Notifications are collected from here on (the first run of the collector would start the clock at now)."""
    Watermark.objects.update_or_create(
        name="notifications", defaults={"at": timezone.now() - datetime.timedelta(minutes=minutes)}
    )


def verify(update, reviewer):
    return tracker.verify_update(update=update, reviewer=reviewer, expected_version=update.version)


def give_back(update, reviewer, reason="The evidence link does not open; attach the gazette page."):
    return tracker.return_update(update=update, reviewer=reviewer, expected_version=update.version, reason=reason)


def reader(username="reader", **extra):
    return User.objects.create_user(username, email=f"{username}@example.org", password="pw", **extra)


def kinds(user):
    return sorted((n.kind, n.update_id) for n in Notification.objects.filter(user=user))


# ---------------------------------------------------------------------------
# Follow buttons and the Following page, without JavaScript
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "kind", "key"),
    [
        ("/recommendations/R02/", "item", "R02"),
        ("/actors/KEN/", "actor", "KEN"),
        ("/recommendations/?theme=remittances", "theme", "remittances"),
    ],
)
def test_follow_button_on_each_page_posts_a_plain_form_and_following_lists_it(client, page, kind, key):
    person = reader()
    client.force_login(person)
    html = client.get(page).content.decode()
    assert f'name="kind" value="{kind}"' in html and f'name="key" value="{key}"' in html
    assert 'type="application/atom+xml"' in html  # the page's feed sits next to the button
    response = client.post(reverse("alerts:follow"), {"kind": kind, "key": key, "action": "follow", "next": page})
    assert response.status_code == 302 and response.url == page
    assert Follow.objects.filter(user=person).count() == 1
    assert "Following ✓" in client.get(page).content.decode()
    listing = client.get(reverse("alerts:following")).content.decode()
    target = Follow.objects.get(user=person).target
    assert (getattr(target, "title", None) or target.name) in listing
    client.post(reverse("alerts:follow"), {"kind": kind, "key": key, "action": "unfollow", "next": page})
    assert not Follow.objects.filter(user=person).exists()


def test_follow_refuses_unknown_targets_and_foreign_redirects(client):
    client.force_login(reader())
    response = client.post(
        reverse("alerts:follow"), {"kind": "item", "key": "ZZ99", "action": "follow", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == reverse("alerts:following")
    assert not Follow.objects.exists()


def test_anonymous_visitors_are_asked_to_log_in_to_follow(client):
    html = client.get("/recommendations/R02/").content.decode()
    assert "Log in to follow" in html
    assert client.post(reverse("alerts:follow"), {"kind": "item", "key": "R02", "action": "follow"}).status_code == 302
    assert not Follow.objects.exists()


# ---------------------------------------------------------------------------
# From reviews to notifications
# ---------------------------------------------------------------------------


def test_followers_of_item_actor_and_theme_hear_of_a_verified_update_with_its_status_change(people, country):
    item, kenya = Recommendation.objects.get(code="R56"), country("KEN")
    theme = item.themes.first()
    by_item, by_actor, by_theme, bystander = reader("by_item"), reader("by_actor"), reader("by_theme"), reader("other")
    services.follow(user=by_item, target=item)
    services.follow(user=by_actor, target=kenya)
    services.follow(user=by_theme, target=theme)
    services.follow(user=bystander, target=Recommendation.objects.get(code="R02"))
    earlier = timezone.now() - datetime.timedelta(days=2)  # verified before the collector's window
    record(actor=kenya, recommendation=item, status="limited", as_of=datetime.date(2015, 1, 1), created_at=earlier)
    start_clock()
    update = filed(user=people.reporter_a, organization=people.org_a, iso3="KEN", code="R56", status="substantial")
    verify(update, people.reviewer2)
    services.collect_notifications()
    for follower, why in ((by_item, "R56"), (by_actor, "Kenya"), (by_theme, theme.name)):
        notification = Notification.objects.get(user=follower)
        assert notification.kind == NotificationKind.FOLLOWED and notification.update == update
        assert why in notification.reason
        assert content.describe(notification) == "R56 · Kenya: Limited → Substantial (as of 1 January 2020)"
    assert kinds(people.reporter_a) == [(NotificationKind.VERIFIED, update.pk)]
    assert not Notification.objects.filter(user__in=[bystander, people.reviewer2]).exists()


def test_collecting_twice_or_after_an_overlap_tells_nobody_twice(people):
    follower = reader()
    services.follow(user=follower, target=Recommendation.objects.get(code="R56"))
    start_clock()
    verify(filed(user=people.reporter_a, organization=people.org_a), people.reviewer2)
    first = services.collect_notifications()
    again = services.collect_notifications()  # the window overlaps the first one
    # The follower, the author, and people.reviewer (a member of the author's organization).
    assert first == 3 and again == 3  # offered again…
    assert Notification.objects.filter(user=follower).count() == 1  # …and dropped by the unique key
    assert Notification.objects.count() == 3


def test_the_first_run_starts_the_clock_without_announcing_history(people):
    follower = reader()
    services.follow(user=follower, target=Recommendation.objects.get(code="R56"))
    verify(filed(user=people.reporter_a, organization=people.org_a), people.reviewer2)
    assert services.collect_notifications() == 0
    assert Watermark.objects.get(name="notifications").at <= timezone.now()
    assert not Notification.objects.exists()


def test_reporters_follow_what_their_organization_reports_on_unless_they_opt_out(people, make_org):
    from recommendations.models import Membership

    colleague = reader("colleague")
    Membership.objects.create(user=colleague, organization=people.org_a)
    start_clock()
    old = filed(user=people.reporter_a, organization=people.org_a)  # forum-a reports on MEX R56
    verify(old, people.reviewer2)
    # Someone from another organization reports on the same pair later.
    newer = filed(
        user=people.reporter_b, organization=people.org_b, status="substantial", as_of=datetime.date(2021, 1, 1)
    )
    verify(newer, people.reviewer)
    services.collect_notifications()
    followed = Notification.objects.filter(kind=NotificationKind.FOLLOWED, update=newer)
    # reporter_b filed it (told as its author), people.reviewer verified it; reviewer2 belongs to watch-b.
    assert set(followed.values_list("user__username", flat=True)) == {"colleague", "reporter_a", "reviewer2"}
    assert "Migrant Forum A reports on this" in followed.get(user=colleague).reason
    Notification.objects.all().delete()
    services.set_preferences(user=colleague, frequency=Frequency.DAILY, follow_own_reports=False)
    services.collect_notifications()
    assert not Notification.objects.filter(user=colleague, update=newer).exists()


def test_a_returned_update_tells_only_its_author_with_the_reason(people):
    follower = reader()
    services.follow(user=follower, target=Recommendation.objects.get(code="R56"))
    start_clock()
    update = filed(user=people.reporter_a, organization=people.org_a)
    give_back(update, people.reviewer2)
    services.collect_notifications()
    assert kinds(people.reporter_a) == [(NotificationKind.RETURNED, update.pk)]
    assert "the gazette page" in content.describe(Notification.objects.get(user=people.reporter_a))
    assert not Notification.objects.filter(user=follower).exists()
    assert not Notification.objects.filter(user=people.reporter_b).exists()  # reporter_b's org never reported here


def test_nobody_is_told_about_an_update_they_cannot_see(people, client):
    """A follower notified of a verified update that is then withdrawn no longer sees it anywhere."""
    follower = reader()
    services.follow(user=follower, target=Recommendation.objects.get(code="R56"))
    start_clock()
    update = verify(filed(user=people.reporter_a, organization=people.org_a), people.reviewer2)
    services.collect_notifications()
    assert content.unread_count(follower) == 1
    tracker.withdraw_update(update=update, user=people.reviewer, expected_version=update.version, reason="Duplicate.")
    assert content.unread_count(follower) == 0
    client.force_login(follower)
    page = client.get(reverse("alerts:notifications")).content.decode()
    assert update.get_absolute_url() not in page and "R56 · Mexico" not in page
    assert services.send_digest(user_id=follower.pk, period="D2030-01-01") is False
    assert mail.outbox == []
    # The author still sees their own (withdrawn) update, and reviewers see everything.
    assert content.unread_count(people.reporter_a) == 1


# ---------------------------------------------------------------------------
# The bell and its page
# ---------------------------------------------------------------------------


def test_bell_counts_unread_and_the_page_works_without_javascript(people, client):
    follower = reader()
    services.follow(user=follower, target=Recommendation.objects.get(code="R56"))
    start_clock()
    verify(filed(user=people.reporter_a, organization=people.org_a), people.reviewer2)
    services.collect_notifications()
    client.force_login(follower)
    home = client.get("/").content.decode()
    assert '1<span class="visually-hidden"> unread</span>' in home
    page = client.get(reverse("alerts:notifications")).content.decode()
    assert "R56 · Mexico: first status: Limited" in page
    assert client.post(reverse("alerts:mark_read")).status_code == 302
    assert " unread</span>" not in client.get("/").content.decode()
    assert client.get(reverse("alerts:notifications")).status_code == 200


# ---------------------------------------------------------------------------
# Digests
# ---------------------------------------------------------------------------


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Tasks sent inside the test's transaction run when it "commits" (eagerly, as without a broker)."""

    def run(task, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return task(*args)

    return run


def _prepare_digest(people):
    follower = reader("follower")
    services.follow(user=follower, target=Recommendation.objects.get(code="R56"))
    start_clock()
    verify(filed(user=people.reporter_a, organization=people.org_a), people.reviewer2)
    return follower


def test_digest_is_text_and_html_with_rfc8058_unsubscribe_headers(people, run_tasks):
    follower = _prepare_digest(people)
    assert run_tasks(tasks.send_digests) >= 1
    message = next(m for m in mail.outbox if m.to == ["follower@example.org"])
    assert "R56 · Mexico: first status: Limited" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and "R56 · Mexico: first status: Limited" in html
    token = content.unsubscribe_token(follower)
    url = content.absolute(reverse("alerts:unsubscribe", args=[token]))
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body and url in html
    assert message.subject == "Tracker: 1 verified update"


def test_the_digest_task_run_twice_sends_each_digest_once(people, run_tasks):
    _prepare_digest(people)
    run_tasks(tasks.send_digests)
    sent = len(mail.outbox)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "follower@example.org",
        "reporter_a@example.org",
        "reviewer@example.org",
    ]
    run_tasks(tasks.send_digests)
    services.send_digest(
        user_id=User.objects.get(username="follower").pk, period=services.period_keys(timezone.now())["daily"]
    )
    assert len(mail.outbox) == sent
    assert Notification.objects.filter(digest__isnull=True).count() == 0


def test_a_new_event_after_the_daily_digest_waits_for_the_next_period(people, run_tasks):
    follower = _prepare_digest(people)
    run_tasks(tasks.send_digests)
    mail.outbox.clear()
    verify(filed(user=people.reporter_b, organization=people.org_b, status="complete"), people.reviewer)
    run_tasks(tasks.send_digests)
    assert not [m for m in mail.outbox if m.to == [follower.email]]
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    for user_id, period in services.due_digests(now=tomorrow):
        services.send_digest(user_id=user_id, period=period, now=tomorrow)
    (message,) = [m for m in mail.outbox if m.to == [follower.email]]
    assert "Limited → Complete" in message.body and "first status" not in message.body


def test_immediate_weekly_and_never(people):
    follower = _prepare_digest(people)
    services.set_preferences(user=follower, frequency=Frequency.IMMEDIATELY, follow_own_reports=True)
    services.set_preferences(user=people.reporter_a, frequency=Frequency.NEVER, follow_own_reports=True)
    services.collect_notifications()
    due = dict(services.due_digests())
    assert due[follower.pk] and people.reporter_a.pk not in due
    monday = datetime.datetime(2030, 1, 7, 12, tzinfo=datetime.UTC)
    assert services.period_keys(monday)["weekly"] == services.period_keys(monday + datetime.timedelta(days=6))["weekly"]
    assert services.period_keys(monday)["daily"] != services.period_keys(monday + datetime.timedelta(days=1))["daily"]
    immediate = [p for u, p in services.due_digests() if u == follower.pk and p.startswith("N")]
    assert len(immediate) == 1
    assert services.send_digest(user_id=follower.pk, period=immediate[0]) is True
    assert services.send_digest(user_id=people.reporter_a.pk, period="D2030-01-01") is False
    assert [m.to for m in mail.outbox] == [[follower.email]]


def test_reviewers_get_the_queue_by_age(people):
    old = filed(user=people.reporter_a, organization=people.org_a)
    old.created_at = timezone.now() - datetime.timedelta(days=40)
    old.save()
    filed(user=people.reporter_b, organization=people.org_b, iso3="KEN")
    services.send_digest(user_id=people.reviewer2.pk, period="D2030-01-01")
    (message,) = mail.outbox
    assert "AWAITING YOUR REVIEW: 2" in message.body
    assert "- 1 waiting over a month" in message.body and "- 1 waiting over a week" in message.body
    assert message.body.index("R56 · Mexico") < message.body.index("R56 · Kenya")  # oldest first
    # A reviewer's own update is not in their queue. (The queue is a snapshot at most a minute old.)
    filed(user=people.reviewer2, organization=people.org_b, iso3="GHA")
    cache.clear()
    services.send_digest(user_id=people.reviewer2.pk, period="D2030-01-02")
    assert "AWAITING YOUR REVIEW: 2" in mail.outbox[1].body
    services.send_digest(user_id=people.reviewer.pk, period="D2030-01-01")
    assert "AWAITING YOUR REVIEW: 3" in mail.outbox[2].body


def test_queries_per_digest_do_not_grow_with_its_length(people, country):
    def digest_queries(user, period):
        with CaptureQueriesContext(connection) as captured:
            assert services.send_digest(user_id=user.pk, period=period)
        return len(captured.captured_queries)

    start_clock()
    small, large = reader("small"), reader("large")
    services.follow(user=small, target=Recommendation.objects.get(code="R56"))
    services.follow(user=large, target=Theme.objects.get(slug="remittances"))
    services.follow(user=large, target=Recommendation.objects.get(code="R56"))
    verify(filed(user=people.reporter_a, organization=people.org_a), people.reviewer2)
    items = Recommendation.objects.filter(themes__slug="remittances", kind="policy")[:4]
    for n, iso3 in enumerate(["KEN", "GHA", "PHL", "IND", "BRA"]):
        for item in items:
            verify(filed(user=people.reporter_b, organization=people.org_b, iso3=iso3, code=item.code), people.reviewer)
        assert n < 5
    services.collect_notifications()
    assert Notification.objects.filter(user=large).count() > 10 * Notification.objects.filter(user=small).count()
    assert digest_queries(small, "D2030-01-01") == digest_queries(large, "D2030-01-01")


def test_queries_per_batch_of_digests_do_not_grow_with_people_or_lines(people, country):
    """A batch of digests costs a fixed number of queries: 3 people with a line each, or 10 people with
    dozens of lines, reviewers' queues and reporters' due pairs (reminders) alike."""
    start_clock()
    few = [reader(f"few{n}") for n in range(2)]
    many = [reader(f"many{n}") for n in range(7)]
    for user in few:
        services.follow(user=user, target=Recommendation.objects.get(code="R56"))
    for n, user in enumerate(many):
        services.follow(user=user, target=Theme.objects.get(slug="remittances"))
        services.follow(user=user, target=Actor.objects.get(code=["KEN", "GHA", "PHL"][n % 3]))
    ReportingCycle.objects.create(organization=people.org_a, months=1)
    ReportingCycle.objects.create(organization=people.org_b, months=1)
    old = filed(user=people.reporter_b, organization=people.org_b, iso3="UGA", as_of=datetime.date(2020, 1, 1))
    verify(old, people.reviewer)
    verify(filed(user=people.reporter_a, organization=people.org_a), people.reviewer2)
    items = Recommendation.objects.filter(themes__slug="remittances", kind="policy")[:4]
    for iso3 in ["KEN", "GHA", "PHL", "IND"]:
        for item in items:
            verify(filed(user=people.reporter_b, organization=people.org_b, iso3=iso3, code=item.code), people.reviewer)
    filed(user=people.reporter_a, organization=people.org_a, iso3="IND")  # pending: in the reviewers' queue
    services.collect_notifications()
    assert Notification.objects.filter(user=many[0]).count() > 5 * Notification.objects.filter(user=few[0]).count()

    def batch_queries(users):
        cache.clear()  # each batch takes its own snapshot of the review queue
        with CaptureQueriesContext(connection) as captured:
            sent = services.send_digests(pairs=[(u.pk, "D2030-01-01") for u in users])
        assert sent == len(users)
        return len([q for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))])

    small = batch_queries([*few[:1], people.reporter_a, people.reviewer])
    large = batch_queries([*few[1:], *many, people.reporter_b, people.reviewer2])
    assert small == large <= 16, (small, large)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "DUE FOR AN UPDATE:" in by_address["reporter_b@example.org"].body  # the batch still says what is due
    assert "DUE FOR AN UPDATE:" in by_address["reporter_a@example.org"].body
    assert "AWAITING YOUR REVIEW: 1" in by_address["reviewer2@example.org"].body
    assert by_address["many0@example.org"].body.count("- R") > 10


def test_a_batch_tells_each_person_only_what_they_may_see(people):
    """In one batch, a follower no longer hears of a withdrawn update while its author and reviewers still do."""
    follower = reader()
    services.follow(user=follower, target=Recommendation.objects.get(code="R56"))
    services.follow(user=people.reviewer, target=Recommendation.objects.get(code="R56"))
    start_clock()
    update = verify(filed(user=people.reporter_a, organization=people.org_a), people.reviewer2)
    services.collect_notifications()
    tracker.withdraw_update(update=update, user=people.reviewer, expected_version=update.version, reason="Duplicate.")
    pairs = [(u.pk, "D2030-01-01") for u in (follower, people.reporter_a, people.reviewer)]
    assert services.send_digests(pairs=pairs) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["reporter_a@example.org", "reviewer@example.org"]
    # The follower's digest is recorded (empty), so nothing about that update reaches them later either.
    assert services.send_digests(pairs=pairs) == 0


def test_digest_batches_hold_each_person_once():
    pairs = [(1, "D1"), (2, "D1"), (1, "N9"), (3, "D1"), (1, "W2")]
    batches = list(services.batches(pairs, size=2))
    assert all(len({u for u, _ in batch}) == len(batch) <= 2 for batch in batches)
    assert sorted(p for batch in batches for p in batch) == sorted(pairs)


def test_the_rights_read_for_a_batch_agree_with_has_perm(people):
    from django.contrib.auth.models import Permission

    direct = reader("direct")
    direct.user_permissions.add(Permission.objects.get(codename="review_progress"))
    boss = reader("boss", is_superuser=True)
    users = [
        User.objects.get(pk=u.pk)
        for u in (people.reporter_a, people.reviewer, people.editor, direct, boss, reader("plain"))
    ]
    sees_all, reviewers = content.rights(users)
    assert reviewers == {u.pk for u in users if u.has_perm("recommendations.review_progress")}
    assert sees_all == {u.pk for u in users if u.has_perm("recommendations.review_progress") or u.is_staff}
    assert {direct.pk, boss.pk, people.reviewer.pk} <= reviewers and people.reporter_a.pk not in sees_all


# ---------------------------------------------------------------------------
# Unsubscribe
# ---------------------------------------------------------------------------


def test_one_click_unsubscribe_stops_every_email(people, run_tasks, client):
    follower = _prepare_digest(people)
    url = reverse("alerts:unsubscribe", args=[content.unsubscribe_token(follower)])
    assert "Unsubscribe" in client.get(url).content.decode()
    assert content.preference(follower).frequency == Frequency.DAILY  # a GET (link checker) changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})  # what a mail client sends (RFC 8058), no cookie
    assert response.status_code == 200 and "no more emails" in response.content.decode()
    assert Preference.objects.get(user=follower).frequency == Frequency.NEVER
    run_tasks(tasks.send_digests)
    assert follower.email not in [address for m in mail.outbox for address in m.to]


def test_a_forged_unsubscribe_token_is_refused(client, people):
    token = content.unsubscribe_token(people.reporter_a)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.post(reverse("alerts:unsubscribe", args=[forged])).status_code == 400
    assert not Preference.objects.exists()


def test_email_settings_page_saves_the_choice(client, people):
    client.force_login(people.reporter_a)
    response = client.post(reverse("alerts:settings"), {"frequency": "weekly", "follow_own_reports": ""})
    assert response.status_code == 302
    preference = Preference.objects.get(user=people.reporter_a)
    assert (preference.frequency, preference.follow_own_reports) == ("weekly", False)
    assert client.post(reverse("alerts:settings"), {"frequency": "hourly"}).status_code == 200
    assert Preference.objects.get(user=people.reporter_a).frequency == "weekly"


# ---------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert reminders.add_months(datetime.date(2020, 1, 31), 1) == datetime.date(2020, 2, 29)
    assert reminders.add_months(datetime.date(2020, 3, 15), -15) == datetime.date(2018, 12, 15)
    assert reminders.add_months(datetime.date(2019, 12, 1), 1) == datetime.date(2020, 1, 1)


def test_due_rule_uses_the_shortest_cycle_that_applies(people, country):
    today = datetime.date(2024, 6, 30)
    r56, r57 = Recommendation.objects.get(code="R56"), Recommendation.objects.get(code="R57")
    kenya = country("KEN")
    verify(
        filed(user=people.reporter_a, organization=people.org_a, iso3="KEN", as_of=datetime.date(2023, 1, 1)),
        people.reviewer2,
    )
    verify(
        filed(
            user=people.reporter_a, organization=people.org_a, iso3="KEN", code="R57", as_of=datetime.date(2023, 12, 1)
        ),
        people.reviewer2,
    )
    assert not reminders.overdue(today=today).exists()  # no cycle: never due
    ReportingCycle.objects.create(organization=people.org_a, months=24)
    assert not reminders.overdue(today=today).exists()
    ReportingCycle.objects.create(recommendation=r56, months=12)  # shorter than the organization's
    (row,) = reminders.overdue(today=today)
    assert (row.actor, row.recommendation, row.cycle_months) == (kenya, r56, 12)
    assert reminders.due_on(row) == datetime.date(2024, 1, 1)
    assert reminders.overdue(today=datetime.date(2023, 12, 31)).count() == 0  # due on the day, not before
    assert reminders.overdue(today=datetime.date(2024, 1, 1)).count() == 1
    assert {r.recommendation for r in reminders.overdue(today=datetime.date(2025, 12, 1))} == {r56, r57}
    assert CurrentStatus.objects.count() == 2


def test_due_pairs_show_on_the_organization_page_my_updates_and_the_digest_with_a_prefilled_link(people, client):
    verify(filed(user=people.reporter_a, organization=people.org_a, as_of=datetime.date(2018, 5, 1)), people.reviewer2)
    ReportingCycle.objects.create(organization=people.org_a, months=12)
    link = f"{reverse('recommendations:progress_new')}?item=R56&amp;actor=MEX"
    client.force_login(people.reporter_a)
    for page in (reverse("recommendations:actor", args=["forum-a"]), reverse("recommendations:my_updates")):
        html = client.get(page).content.decode()
        assert "Due for an update" in html and link in html and "1 May 2019" in html
    assert "Due for an update" not in client.get(reverse("recommendations:actor", args=["watch-b"])).content.decode()
    form = client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200 and form.context["item"].code == "R56" and form.context["actor"].code == "MEX"
    services.send_digest(user_id=people.reporter_a.pk, period="D2030-01-01")
    (message,) = mail.outbox
    assert "DUE FOR AN UPDATE: 1" in message.body
    assert "/progress/new/?item=R56&actor=MEX" in message.body


def test_reporting_cycle_needs_exactly_one_target(people):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingCycle.objects.create(months=12)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingCycle.objects.create(
            organization=people.org_a, recommendation=Recommendation.objects.first(), months=12
        )
    assert Actor.objects.filter(reporting_cycle__isnull=False).count() == 0
