"""Every write of the alerts app. Keyword-only arguments, one transaction each.

What changed is read from the tracker's own data (review times and states
of progress updates), never from signals: ``collect_notifications`` turns
the reviews since its last run into notifications, ``send_digest`` claims
a person's unsent notifications for one period and emails them once.
"""

import datetime
import logging
import random
import time
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, Subquery
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from recommendations.middleware import is_connection_failure
from recommendations.models import CurrentStatus, Membership, ProgressUpdate, Recommendation, ReviewState

from . import content
from .models import (
    ConsistencyCheck,
    Digest,
    Follow,
    Frequency,
    Notification,
    NotificationKind,
    Preference,
    Watermark,
)

log = logging.getLogger(__name__)

# Reviews are read again this far back on every run: a review committed a
# little after its timestamp is still caught (the unique key drops repeats).
OVERLAP = datetime.timedelta(minutes=10)


def _lease() -> datetime.timedelta:
    """A digest being sent is left alone this long (DIGEST_LEASE_SECONDS); after that another run may take it over.

    Longer than the send's hard time limit, so the sender is surely gone by then.
    """
    return datetime.timedelta(seconds=settings.DIGEST_LEASE_SECONDS)


# ---------------------------------------------------------------------------
# Follows and preferences
# ---------------------------------------------------------------------------


@transaction.atomic
def follow(*, user, target, language: str | None = None) -> Follow:
    """Follow an item, a country or organization, or a theme (again: no change).

    ``language``: the language of the page it was followed from, which the person's digests then use."""
    if language is not None:
        record_language(user=user, language=language)
    field = Follow.field_for(target)
    existing = Follow.objects.filter(user=user, **{field: target}).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Follow.objects.create(user=user, **{field: target})
    except IntegrityError:  # the same click twice at once
        return Follow.objects.get(user=user, **{field: target})


@transaction.atomic
def unfollow(*, user, target) -> bool:
    deleted, _ = Follow.objects.filter(user=user).of_target(target).delete()
    return bool(deleted)


EMAIL_LANGUAGES = dict(settings.LANGUAGES)


def _check_language(language: str) -> None:
    if language not in EMAIL_LANGUAGES:
        raise ValidationError({"language": f"“{language}” is not one of: {', '.join(EMAIL_LANGUAGES)}."})


def record_language(*, user, language: str) -> None:
    """Remember ``language`` as the one the person's emails (digests, invitations) are written in."""
    _check_language(language)
    Preference.objects.update_or_create(user=user, defaults={"language": language})


@transaction.atomic
def set_preferences(
    *, user, frequency: str, follow_own_reports: bool, language: str = settings.LANGUAGE_CODE
) -> Preference:
    """Save a person's email settings; ``language`` is the one their digests are written in."""
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": f"“{frequency}” is not one of: {', '.join(Frequency.labels)}."})
    _check_language(language)
    preference, _ = Preference.objects.update_or_create(
        user=user,
        defaults={
            "frequency": frequency,
            "follow_own_reports": follow_own_reports,
            "language": language,
            "unsubscribed_at": timezone.now() if frequency == Frequency.NEVER else None,
        },
    )
    return preference


@transaction.atomic
def unsubscribe(*, token: str):
    """Stop every email to the person the signed token names (one click, no login). Returns the user."""
    user_id = content.user_id_from_token(token)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        raise ValidationError(_("This unsubscribe link is not valid. Log in and change your email settings instead."))
    Preference.objects.update_or_create(
        user=user, defaults={"frequency": Frequency.NEVER, "unsubscribed_at": timezone.now()}
    )
    return user


@transaction.atomic
def mark_read(*, user, ids=None) -> int:
    notifications = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        notifications = notifications.filter(pk__in=ids)
    return notifications.update(read_at=timezone.now())


# ---------------------------------------------------------------------------
# From reviews to notifications
# ---------------------------------------------------------------------------


@transaction.atomic
def collect_notifications(*, now: datetime.datetime | None = None) -> int:
    """Turn the reviews since the last run into notifications; returns how many were created.

    Idempotent: the window overlaps the previous one and the unique key
    (user, kind, update, review time) drops what was already collected, so
    running it twice, or twice at once, tells nobody twice. The first run
    starts the clock: past history is not announced.
    """
    now = now or timezone.now()
    mark, created = Watermark.objects.select_for_update().get_or_create(name="notifications", defaults={"at": now})
    if created:
        return 0
    since = mark.at - OVERLAP
    events = list(
        ProgressUpdate.objects.filter(
            state__in=[ReviewState.VERIFIED, ReviewState.RETURNED], reviewed_at__gt=since, reviewed_at__lte=now
        ).values(
            "pk",
            "actor_id",
            "recommendation_id",
            "reported_by_organization_id",
            "created_by_id",
            "reviewed_by_id",
            "state",
            "status",
            "reviewed_at",
        )
    )
    notifications = []
    verified = [e for e in events if e["state"] == ReviewState.VERIFIED]
    previous = _previous_statuses(verified)
    recipients = _recipients(verified)
    for event in events:
        author = event["created_by_id"]
        if author is not None and author != event["reviewed_by_id"]:
            kind = NotificationKind.VERIFIED if event["state"] == ReviewState.VERIFIED else NotificationKind.RETURNED
            notifications.append(
                Notification(user_id=author, kind=kind, update_id=event["pk"], event_at=event["reviewed_at"])
            )
        if event["state"] != ReviewState.VERIFIED:
            continue  # a returned update is only its author's business
        for user_id, reason in recipients.get(event["pk"], {}).items():
            if user_id in (author, event["reviewed_by_id"]):
                continue
            notifications.append(
                Notification(
                    user_id=user_id,
                    kind=NotificationKind.FOLLOWED,
                    update_id=event["pk"],
                    event_at=event["reviewed_at"],
                    previous_status=previous.get(event["pk"], ""),
                    reason=reason[:200],
                )
            )
    Notification.objects.bulk_create(notifications, batch_size=2000, ignore_conflicts=True)
    mark.at = now
    mark.save(update_fields=["at"])
    return len(notifications)


def _pairs_q(events) -> Q:
    condition = Q(pk__in=[])
    for actor_id, item_id in {(e["actor_id"], e["recommendation_id"]) for e in events}:
        condition |= Q(actor_id=actor_id, recommendation_id=item_id)
    return condition


def _chunks(items, size=300):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _previous_statuses(events) -> dict[int, str]:
    """For each verified update: the status of the verified update before it on its pair (in the deciding order)."""
    wanted = {e["pk"] for e in events}
    previous = {}
    for chunk in _chunks(events):
        rows = (
            ProgressUpdate.objects.counted()
            .filter(_pairs_q(chunk))
            .order_by("actor_id", "recommendation_id", "as_of", "created_at", "pk")
            .values_list("actor_id", "recommendation_id", "pk", "status")
        )
        last = {}
        for actor_id, item_id, pk, status in rows:
            if pk in wanted and (actor_id, item_id) in last:
                previous[pk] = last[(actor_id, item_id)]
            last[(actor_id, item_id)] = status
    return previous


def _recipients(events) -> dict[int, dict[int, str]]:
    """{update id: {user id: why they hear about it}} from follows and their organizations' reports."""
    if not events:
        return {}
    items = {e["recommendation_id"] for e in events}
    actors = {e["actor_id"] for e in events} | {e["reported_by_organization_id"] for e in events} - {None}
    themes_of = defaultdict(set)
    for item_id, theme_id in Recommendation.themes.through.objects.filter(recommendation_id__in=items).values_list(
        "recommendation_id", "theme_id"
    ):
        themes_of[item_id].add(theme_id)
    themes = set().union(*themes_of.values()) if themes_of else set()
    by_item, by_actor, by_theme = defaultdict(list), defaultdict(list), defaultdict(list)
    follows = Follow.objects.filter(
        Q(recommendation_id__in=items) | Q(actor_id__in=actors) | Q(theme_id__in=themes)
    ).select_related("recommendation", "actor", "theme")
    for f in follows:
        if f.recommendation_id:
            by_item[f.recommendation_id].append((f.user_id, f"you follow {f.recommendation.code}"))
        elif f.actor_id:
            by_actor[f.actor_id].append((f.user_id, f"you follow {f.actor.name}"))
        else:
            by_theme[f.theme_id].append((f.user_id, f"you follow the theme {f.theme.name}"))
    # Reporters follow what their organizations report on (unless they turned it off).
    reporters_of_pair = defaultdict(set)
    for chunk in _chunks(events):
        for actor_id, item_id, org_id in (
            ProgressUpdate.objects.filter(_pairs_q(chunk), reported_by_organization__isnull=False)
            .values_list("actor_id", "recommendation_id", "reported_by_organization_id")
            .distinct()
        ):
            reporters_of_pair[(actor_id, item_id)].add(org_id)
    organizations = set().union(*reporters_of_pair.values()) if reporters_of_pair else set()
    opted_out = Preference.objects.filter(follow_own_reports=False).values("user_id")
    members = defaultdict(list)
    for org_id, user_id, name in (
        Membership.objects.filter(organization_id__in=organizations)
        .exclude(user_id__in=opted_out)
        .values_list("organization_id", "user_id", "organization__name")
    ):
        members[org_id].append((user_id, f"{name} reports on this"))
    recipients = {}
    for e in events:
        found = {}
        candidates = [
            *by_item[e["recommendation_id"]],
            *by_actor[e["actor_id"]],
            *by_actor.get(e["reported_by_organization_id"], []),
            *[pair for theme in themes_of[e["recommendation_id"]] for pair in by_theme[theme]],
            *[pair for org in reporters_of_pair[(e["actor_id"], e["recommendation_id"])] for pair in members[org]],
        ]
        for user_id, reason in candidates:
            found.setdefault(user_id, reason)
        recipients[e["pk"]] = found
    return recipients


# ---------------------------------------------------------------------------
# Digests
# ---------------------------------------------------------------------------


def period_keys(now: datetime.datetime) -> dict[str, str]:
    """The current daily and weekly periods; a period starts at DIGEST_HOUR (UTC), a week on Monday."""
    shifted = now.astimezone(datetime.UTC) - datetime.timedelta(hours=settings.DIGEST_HOUR)
    year, week, _ = shifted.isocalendar()
    return {Frequency.DAILY: f"D{shifted:%Y-%m-%d}", Frequency.WEEKLY: f"W{year}-{week:02d}"}


def _recipients_of_email():
    return get_user_model().objects.filter(is_active=True).exclude(email="")


def due_digests(*, now: datetime.datetime | None = None) -> list[tuple[int, str]]:
    """(user id, period) of every digest to send now. Reads only; sending claims each one."""
    now = now or timezone.now()
    keys = period_keys(now)
    users = _recipients_of_email()
    chosen = Preference.objects.filter(user_id=OuterRef("pk"))
    due = []
    # Daily digests (and the daily summary of those who get events immediately), then weekly ones.
    for frequencies, key in (
        ([Frequency.DAILY, Frequency.IMMEDIATELY], keys[Frequency.DAILY]),
        ([Frequency.WEEKLY], keys[Frequency.WEEKLY]),
    ):
        condition = Exists(chosen.filter(frequency__in=frequencies))
        if Frequency.DAILY in frequencies:  # no preference row: the default, daily
            condition |= ~Exists(chosen)
        pending = users.filter(condition).exclude(Exists(Digest.objects.filter(user_id=OuterRef("pk"), period=key)))
        due += [(pk, key) for pk in pending.order_by("pk").values_list("pk", flat=True)]
    # Immediately: whoever has events in no digest yet, up to the newest of them.
    immediate = (
        Notification.objects.filter(
            digest__isnull=True,
            user__in=users.filter(Exists(chosen.filter(frequency=Frequency.IMMEDIATELY))),
        )
        .values("user_id")
        .annotate(last=Max("pk"))
        .order_by("user_id")
    )
    due += [(row["user_id"], f"N{row['last']}") for row in immediate]
    # Digests claimed by a sender that died (a worker killed mid-send) or gave up: taken over once the lease ends.
    abandoned = Digest.objects.filter(user__in=users, sent_at__isnull=True, lease_until__lt=now).order_by("pk")
    listed = set(due)
    due += [pair for pair in abandoned.values_list("user_id", "period") if pair not in listed]
    return due


def send_digest(*, user_id: int, period: str, now: datetime.datetime | None = None) -> bool:
    """Send one person's digest for one period, at most once. Returns whether an email left."""
    return send_digests(pairs=[(user_id, period)], now=now) == 1


def batches(pairs, size: int | None = None):
    """The (person, period) pairs due, in batches of at most ``size`` (DIGEST_BATCH_SIZE) with each person
    at most once per batch (someone who gets events immediately may also have a daily summary due)."""
    size = size or settings.DIGEST_BATCH_SIZE
    rounds: list[list] = []
    placed: dict[int, int] = {}  # person -> how many of their pairs are placed (their next round)
    for user_id, period in pairs:
        n = placed.get(user_id, 0)
        placed[user_id] = n + 1
        while len(rounds) <= n:
            rounds.append([])
        rounds[n].append((user_id, period))
    for batch in rounds:
        for start in range(0, len(batch), size):
            yield batch[start : start + size]


def send_digests(*, pairs, now: datetime.datetime | None = None) -> int:
    """Send the digests of many people (``pairs`` of person and period), each at most once; returns how many
    emails left.

    A fixed number of queries whatever the number of people or the length of their digests: the people
    with their preferences, one claim for all (an insert that skips what exists, under the unique
    (person, period) key), their events attached in one update, everything they are told read at once
    (``content.digest_contents``), and every digest marked sent in one update. Claim first (committed),
    then send over one mail connection, then mark sent: a crash after the claim leaves unsent digests a
    retry takes over once their lease ends; a concurrent run finds the claims and skips them.
    """
    now = now or timezone.now()
    total = 0
    for batch in batches(pairs):
        total += _send_batch(batch, now)
    return total


def _send_batch(pairs, now) -> int:
    users = {
        u.pk: u
        for u in _recipients_of_email().select_related("alert_preference").filter(pk__in={pk for pk, _ in pairs})
    }
    pairs = [
        (pk, period)
        for pk, period in pairs
        if pk in users and content.preference(users[pk]).frequency != Frequency.NEVER
    ]
    claimed = _claim(pairs, now)  # {user id: (digest id, period)}
    if not claimed:
        return 0
    # Each person's digest is written in their language: the lines are built (and the emails rendered) once per
    # language present in the batch, so the queries grow with the languages (at most six), never with the people.
    by_language: dict[str, list] = {}
    for pk in claimed:
        by_language.setdefault(content.preference(users[pk]).language, []).append(users[pk])
    marks, messages = [], []
    for language, people in by_language.items():
        with translation.override(language):
            bodies = content.digest_contents(
                people,
                {u.pk: claimed[u.pk][0] for u in people},
                summary={u.pk for u in people if not claimed[u.pk][1].startswith("N")},
            )
            for user in people:
                digest_id, _ = claimed[user.pk]
                body = bodies[user.pk]
                if body.size:
                    messages.append((digest_id, _email(user, body), body.size))
                else:  # nothing to say: recorded, not sent
                    marks.append(Digest(pk=digest_id, sent_at=timezone.now(), subject="", items=0))
    sent = 0
    try:
        if messages:
            with get_connection() as mailer:  # one connection for the batch
                for digest_id, message, size in messages:
                    mailer.send_messages([message])
                    marks.append(
                        Digest(pk=digest_id, sent_at=timezone.now(), subject=message.subject[:200], items=size)
                    )
                    sent += 1
    except Exception:
        # What left is marked sent; the rest is free for a retry to take over at once.
        _mark_sent(marks)
        done = {d.pk for d in marks}
        Digest.objects.filter(pk__in=[d for d, _ in claimed.values() if d not in done], sent_at__isnull=True).update(
            lease_until=now
        )
        raise
    _mark_sent(marks)
    return sent


def _claim(pairs, now) -> dict[int, tuple[int, str]]:
    """Create (or take over abandoned) digests for these pairs and attach each person's unsent events.

    {person: (digest id, period)} of the digests this run now holds. The insert skips, under the unique
    (person, period) key, every digest that exists: sent, being sent by someone else (a concurrent insert
    waits for the other's commit, then skips), or abandoned by a sender that died — those are taken over
    one by one once their lease has ended (rare).
    """
    if not pairs:
        return {}
    lease = now + _lease()
    ops = connection.ops
    claimed = {}
    with transaction.atomic():
        created_at = ops.adapt_datetimefield_value(timezone.now())
        lease_value = ops.adapt_datetimefield_value(lease)
        table = ops.quote_name(Digest._meta.db_table)
        # Only the table's name (quoted by the backend) and placeholders are put in; values are parameters.
        rows = ", ".join(["(%s, %s, %s, %s, '', 0)"] * len(pairs))
        sql = (
            f"INSERT INTO {table} (user_id, period, created_at, lease_until, subject, items) "  # noqa: S608  # nosec B608
            f"VALUES {rows} ON CONFLICT (user_id, period) DO NOTHING RETURNING id, user_id, period"
        )
        params = [value for pk, period in pairs for value in (pk, period, created_at, lease_value)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            claimed = {user_id: (pk, period) for pk, user_id, period in cursor.fetchall()}
        others = [(pk, period) for pk, period in pairs if pk not in claimed]
        if others:
            wanted = set(others)
            abandoned = Digest.objects.filter(
                user_id__in={pk for pk, _ in others}, sent_at__isnull=True, lease_until__lt=now
            ).values_list("pk", "user_id", "period")
            for digest_id, user_id, period in abandoned:
                if (user_id, period) in wanted and Digest.objects.filter(
                    pk=digest_id, sent_at__isnull=True, lease_until__lt=now
                ).update(lease_until=lease):
                    claimed[user_id] = (digest_id, period)
        if claimed:
            immediate = Q(pk__in=[])
            summaries = []
            for user_id, (_, period) in claimed.items():
                if period.startswith("N"):
                    immediate |= Q(user_id=user_id, pk__lte=int(period[1:]))
                else:
                    summaries.append(user_id)
            own_digest = Digest.objects.filter(
                pk__in=[d for d, _ in claimed.values()], user_id=OuterRef("user_id")
            ).values("pk")[:1]
            Notification.objects.filter(Q(user_id__in=summaries) | immediate, digest__isnull=True).update(
                digest_id=Subquery(own_digest)
            )
    return claimed


# How long marking a sent digest waits for a database that went away during the send (within the task's limits).
MARK_SENT_WAIT = 30


def _mark_sent(marks: list[Digest]) -> None:
    """Record that the emails left (one update for the batch), waiting out a database restart: a mark lost
    here would send them twice.

    Once the emails are out, a lost connection (PostgreSQL restarting under the send) must not fail the
    task: its digests would stay unsent and a later run would take them over and send them again. So the
    mark is tried again, on a new connection, for up to MARK_SENT_WAIT seconds.
    """
    if not marks:
        return
    deadline, pause = time.monotonic() + MARK_SENT_WAIT, 0.2
    while True:
        try:
            Digest.objects.bulk_update(marks, ["sent_at", "subject", "items"], batch_size=500)
            return
        except DatabaseError as error:
            if not is_connection_failure(error) or connection.in_atomic_block or time.monotonic() > deadline:
                raise
            log.warning("marking %s digest(s) sent: %s; trying again", len(marks), error)
            connection.close()
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _email(user, body: content.DigestContent) -> EmailMultiAlternatives:
    token = content.unsubscribe_token(user)
    unsubscribe_url = content.absolute(reverse("alerts:unsubscribe", args=[token]))
    context = {
        "user": user,
        "body": body,
        "unsubscribe_url": unsubscribe_url,
        "settings_url": content.absolute(reverse("alerts:settings")),
        "notifications_url": content.absolute(reverse("alerts:notifications")),
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    message = EmailMultiAlternatives(
        subject=body.subject(),
        body=get_template("alerts/email/digest.txt").render(context),
        to=[user.email],
        headers={
            # RFC 8058: mail clients offer "Unsubscribe" and POST to the URL without opening a page.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(get_template("alerts/email/digest.html").render(context), "text/html")
    return message


@transaction.atomic
def prune(*, now: datetime.datetime | None = None) -> int:
    """Forget notifications and digest records older than NOTIFICATIONS_KEEP_DAYS; returns how many rows went."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.NOTIFICATIONS_KEEP_DAYS)
    notifications, _ = Notification.objects.filter(event_at__lt=cutoff).delete()
    digests, _ = Digest.objects.filter(created_at__lt=cutoff).delete()
    return notifications + digests


# ---------------------------------------------------------------------------
# The current-status check
# ---------------------------------------------------------------------------


def check_current_statuses(*, sample: int = 500, rng: random.Random | None = None) -> ConsistencyCheck:
    """Recompute a random sample of pairs from history and compare them with the current-status table.

    The sample mixes pairs that have a current status and pairs that have a
    verified update (so a missing row is found as well as a wrong one). Any
    difference is recorded and every staff member is told (bell and email).
    """
    rng = rng or random.Random()
    pairs = set()
    for queryset in (CurrentStatus.objects.all(), ProgressUpdate.objects.counted()):
        bounds = queryset.order_by().aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["high"] is None:
            continue
        if bounds["high"] - bounds["low"] < sample // 2:  # small enough: every row
            chosen = queryset
        else:  # random ids in the range (a gap is a miss; the sample stays about this size)
            chosen = queryset.filter(pk__in={rng.randint(bounds["low"], bounds["high"]) for _ in range(sample // 2)})
        pairs |= set(chosen.values_list("actor_id", "recommendation_id"))
    events = [{"actor_id": a, "recommendation_id": i} for a, i in pairs]
    expected, actual = {}, {}
    for chunk in _chunks(events):
        winners = ProgressUpdate.objects.filter(_pairs_q(chunk)).latest_per_pair()
        expected.update(winners)
        actual.update(
            {
                (a, i): u
                for a, i, u in CurrentStatus.objects.filter(_pairs_q(chunk)).values_list(
                    "actor_id", "recommendation_id", "update_id"
                )
            }
        )
    differences = [
        {
            "actor_id": a,
            "recommendation_id": i,
            "expected_update": expected.get((a, i)),
            "table_update": actual.get((a, i)),
        }
        for a, i in sorted(pairs)
        if expected.get((a, i)) != actual.get((a, i))
    ]
    with transaction.atomic():
        check = ConsistencyCheck.objects.create(pairs=len(pairs), differences=differences)
        if differences:
            _alert_staff(check)
    return check


def _alert_staff(check: ConsistencyCheck):
    text = (
        f"The current-status check of {check.at:%d %b %Y %H:%M} found {len(check.differences)} pair(s) out of "
        f"{check.pairs} whose current status differs from their history. Run `python manage.py shell -c "
        '"from recommendations.services import rebuild_current_statuses; rebuild_current_statuses()"` '
        "to repair the table, and look for the write that bypassed the services."
    )
    staff = list(_recipients_of_email().filter(is_staff=True)) or list(
        get_user_model().objects.filter(is_active=True, is_staff=True)
    )
    Notification.objects.bulk_create(
        [Notification(user=u, kind=NotificationKind.CHECK, event_at=check.at, text=text) for u in staff],
        ignore_conflicts=True,
    )
    addresses = [u.email for u in staff if u.email]
    if addresses:
        transaction.on_commit(
            lambda: EmailMultiAlternatives(
                subject=f"Tracker: current-status check found {len(check.differences)} difference(s)",
                body=text
                + "\n\nDetails: "
                + content.absolute(reverse("admin:alerts_consistencycheck_change", args=[check.pk])),
                to=addresses,
            ).send()
        )
    log.error("current-status check: %s differences in %s pairs", len(check.differences), check.pairs)
