"""Read side of alerts: what a person is told, as plain data (no writes).

Every function here runs a fixed number of queries whatever the number of
events, so a digest for one person costs the same for one line or fifty.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from recommendations.models import ProgressUpdate, ReviewState, status_label

from . import reminders
from .models import DEFAULT_FREQUENCY, Follow, Notification, NotificationKind, Preference

UNSUBSCRIBE_SALT = "alerts.unsubscribe"
# How a digest lists the review queue: the ages reviewers care about.
QUEUE_AGES = [(7, "waiting over a week"), (30, "waiting over a month"), (90, "waiting over 3 months")]
MAX_LINES = 50  # per section of an email; the page lists the rest


def preference(user) -> Preference:
    """The person's preferences, or the defaults (unsaved) when they never chose."""
    try:
        return user.alert_preference
    except Preference.DoesNotExist:
        return Preference(user=user, frequency=DEFAULT_FREQUENCY)


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_id_from_token(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT)["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def visible(user):
    """The user's notifications about updates they may see (never one about an update hidden from them).

    A correlated EXISTS on the update's primary key: the database checks the few notified updates,
    never the whole history that ``visible_to`` spans.
    """
    may_see = ProgressUpdate.objects.visible_to(user).filter(pk=OuterRef("update_id"))
    return Notification.objects.filter(user=user).filter(Q(update__isnull=True) | Exists(may_see))


def unread_count(user) -> int:
    return visible(user).filter(read_at__isnull=True).count()


def with_details(notifications):
    return notifications.select_related(
        "update__actor", "update__recommendation", "update__reported_by_organization"
    ).order_by("-event_at", "-pk")


def describe(notification: Notification) -> str:
    """One line, as the bell page and the email say it."""
    update = notification.update
    if update is None:
        return notification.text
    where = f"{update.recommendation.code} · {update.actor.name}"
    status = update.get_status_display()
    if notification.kind == NotificationKind.RETURNED:
        return f"Your update on {where} was returned: {update.review_note or 'no reason given'}"
    if notification.kind == NotificationKind.VERIFIED:
        return f"Your update on {where} was verified: {status} (as of {update.as_of_display()})"
    if notification.previous_status and notification.previous_status != update.status:
        change = f"{status_label(notification.previous_status)} → {status}"
    elif notification.previous_status:
        change = f"still {status}"
    else:
        change = f"first status: {status}"
    return f"{where}: {change} (as of {update.as_of_display()})"


@dataclass
class Line:
    text: str
    url: str
    reason: str = ""


@dataclass
class DigestContent:
    followed: list[Line] = field(default_factory=list)
    own: list[Line] = field(default_factory=list)
    queue: dict | None = None
    due: list[Line] = field(default_factory=list)
    due_total: int = 0

    @property
    def size(self) -> int:
        return len(self.followed) + len(self.own) + (self.queue["total"] if self.queue else 0) + len(self.due)

    def subject(self) -> str:
        parts = []
        if self.followed:
            parts.append(f"{len(self.followed)} verified update{'s' if len(self.followed) != 1 else ''}")
        if self.own:
            parts.append(f"{len(self.own)} of your updates reviewed")
        if self.queue:
            parts.append(f"{self.queue['total']} awaiting review")
        if self.due_total:
            parts.append(f"{self.due_total} due for an update")
        return "Tracker: " + ", ".join(parts) if parts else "Tracker: nothing new"


def digest_content(user, digest, *, summary: bool) -> DigestContent:
    """What one digest says: its claimed events (``digest=None``: those not in any digest yet, as a preview),
    and with ``summary`` the review queue and what is due."""
    content = DigestContent()
    events = visible(user).filter(digest=digest) if digest is not None else visible(user).filter(digest__isnull=True)
    for notification in with_details(events)[: MAX_LINES * 2]:
        url = absolute(notification.update.get_absolute_url()) if notification.update_id else ""
        line = Line(describe(notification), url, notification.reason)
        if notification.kind == NotificationKind.FOLLOWED:
            content.followed.append(line)
        else:
            content.own.append(line)
    if summary:
        content.queue = review_queue_by_age(user)
        organizations = [m.organization_id for m in user.memberships.all()]
        rows, content.due_total = reminders.due_for_organizations(organizations, limit=MAX_LINES)
        content.due = [due_line(row) for row in rows]
    return content


def _day(value) -> str:
    return f"{value.day} {value:%b %Y}"


def due_line(row) -> Line:
    """A due pair as a line, with the link that opens the log form on that pair."""
    url = absolute(reverse("recommendations:progress_new")) + f"?item={row.recommendation.code}&actor={row.actor.code}"
    text = (
        f"{row.recommendation.code} · {row.actor.name}: last verified as of {_day(row.as_of)}, "
        f"due since {_day(row.due_on)} (every {row.cycle_months} months)"
    )
    return Line(text, url)


def review_queue_by_age(user) -> dict | None:
    """For reviewers: how many updates await review, how many have waited long, and the oldest few.

    Read from a snapshot of the queue (counts by author and age, the oldest updates) taken at most once
    a minute per cache: a digest run for hundreds of reviewers does not count the queue hundreds of times,
    and a reviewer's own updates, which they may not verify, come off the same snapshot.
    """
    if not user.has_perm("recommendations.review_progress"):
        return None
    now = timezone.now()
    snapshot = cache.get_or_set(f"alerts:queue:{now:%Y%m%d%H%M}", lambda: queue_snapshot(now), 90)
    keys = ["total", *(f"over_{days}" for days, _ in QUEUE_AGES)]
    counts = dict.fromkeys(keys, 0)
    own_excluded = not settings.SINGLE_REVIEWER_MODE
    for author_id, row in snapshot["by_author"].items():
        if own_excluded and author_id == user.pk:
            continue
        for key in keys:
            counts[key] += row[key]
    if not counts["total"]:
        return None
    oldest = [
        Line(f"{code} · {actor}, filed {_day(created_at)}", absolute(reverse("recommendations:update", args=[pk])))
        for pk, code, actor, created_at, author_id in snapshot["oldest"]
        if not (own_excluded and author_id == user.pk)
    ][:5]
    return {
        "total": counts["total"],
        "ages": [(label, counts[f"over_{days}"]) for days, label in QUEUE_AGES if counts[f"over_{days}"]],
        "oldest": oldest,
        "url": absolute(reverse("recommendations:review_queue")),
    }


def queue_snapshot(now) -> dict:
    """The review queue in two queries: pending updates counted by author and age, and the oldest ones."""
    pending = ProgressUpdate.objects.filter(state=ReviewState.PENDING)
    ages = {
        f"over_{days}": Count("pk", filter=Q(created_at__lte=now - datetime.timedelta(days=days)))
        for days, _ in QUEUE_AGES
    }
    by_author = {
        row.pop("created_by_id"): row
        for row in pending.values("created_by_id").annotate(total=Count("pk"), **ages).order_by()
    }
    oldest = list(
        pending.order_by("created_at", "pk").values_list(
            "pk", "recommendation__code", "actor__name", "created_at", "created_by_id"
        )[:25]
    )
    return {"by_author": by_author, "oldest": oldest}


def following(user) -> list[tuple[str, list]]:
    """What a person follows, by kind, for the Following page."""
    follows = Follow.objects.filter(user=user).select_related("recommendation", "actor", "theme")
    grouped = {"item": [], "actor": [], "theme": []}
    for follow in follows.order_by("created_at"):
        key = "item" if follow.recommendation_id else "actor" if follow.actor_id else "theme"
        grouped[key].append(follow)
    grouped["item"].sort(key=lambda f: f.recommendation.position)
    grouped["actor"].sort(key=lambda f: f.actor.name)
    grouped["theme"].sort(key=lambda f: f.theme.name)
    return list(grouped.items())
