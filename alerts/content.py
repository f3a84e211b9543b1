"""Read side of alerts: what a person is told, as plain data (no writes).

Every function here runs a fixed number of queries whatever the number of
events, so a digest for one person costs the same for one line or fifty.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from languages.names import actor_name
from languages.numbers import count
from recommendations.models import (
    Membership,
    ProgressUpdate,
    ReviewState,
    as_of_phrase,
    status_label,
    visible_to_author_q,
)

from . import reminders
from .models import DEFAULT_FREQUENCY, Follow, Notification, NotificationKind, Preference

UNSUBSCRIBE_SALT = "alerts.unsubscribe"
# How a digest lists the review queue: the ages reviewers care about.
QUEUE_AGES = [
    (7, gettext_lazy("waiting over a week")),
    (30, gettext_lazy("waiting over a month")),
    (90, gettext_lazy("waiting over 3 months")),
]
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
    where = f"{update.recommendation.code} · {actor_name(update.actor)}"
    status = update.get_status_display()
    if notification.kind == NotificationKind.RETURNED:
        return _("Your update on %(where)s was returned: %(reason)s") % {
            "where": where,
            "reason": update.review_note or _("no reason given"),
        }
    if notification.kind == NotificationKind.VERIFIED:
        # Translators: %(when)s is "as of 15 March 2017", "as of March 2017" or "as of 2017" (contexts "as of a
        # day", "as of a month", "as of a year"), worded for its precision.
        return _("Your update on %(where)s was verified: %(status)s (%(when)s)") % {
            "where": where,
            "status": status,
            "when": update.as_of_phrase(),
        }
    if notification.previous_status and notification.previous_status != update.status:
        change = f"{status_label(notification.previous_status)} → {status}"
    elif notification.previous_status:
        change = _("still %(status)s") % {"status": status}
    else:
        change = _("first status: %(status)s") % {"status": status}
    # Translators: %(when)s is "as of 15 March 2017", "as of March 2017" or "as of 2017", worded for its precision.
    return _("%(where)s: %(change)s (%(when)s)") % {
        "where": where,
        "change": change,
        "when": update.as_of_phrase(),
    }


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
            n = len(self.followed)
            parts.append(ngettext("%(n)s verified update", "%(n)s verified updates", n) % {"n": count(n)})
        if self.own:
            n = len(self.own)
            reviewed = ngettext("%(n)s of your updates reviewed", "%(n)s of your updates reviewed", n)
            parts.append(reviewed % {"n": count(n)})
        if self.queue:
            n = self.queue["total"]
            parts.append(ngettext("%(n)s awaiting review", "%(n)s awaiting review", n) % {"n": count(n)})
        if self.due_total:
            n = self.due_total
            parts.append(ngettext("%(n)s due for an update", "%(n)s due for an update", n) % {"n": count(n)})
        # The list separator is translated too (Arabic and Chinese use their own commas).
        return _("Tracker: %(news)s") % {"news": _(", ").join(parts)} if parts else _("Tracker: nothing new")


def digest_content(user, digest, *, summary: bool) -> DigestContent:
    """What one digest says: its claimed events (``digest=None``: those not in any digest yet, as a preview),
    and with ``summary`` the review queue and what is due."""
    return digest_contents([user], {user.pk: digest.pk if digest else None}, summary={user.pk} if summary else set())[
        user.pk
    ]


def digest_contents(users, digests: dict[int, int | None], *, summary: set[int]) -> dict[int, DigestContent]:
    """What the digests of many people say, in a fixed number of queries whatever their number or length.

    ``digests`` maps each person to the digest whose claimed events it lists (None: the events in no
    digest yet, for the preview); the people in ``summary`` also get the review queue and what is due.
    Rights are read once for everyone (who sees every update, who reviews), the events in one query
    that keeps, per person, only the updates they may see and at most ``MAX_LINES * 2`` lines, and what
    is due in two queries for all their organizations.
    """
    users = list(users)
    ids = [u.pk for u in users]
    contents = {pk: DigestContent() for pk in ids}
    if not ids:
        return contents
    sees_all, reviewers = rights(users)
    claimed = [d for d in digests.values() if d is not None]
    previewed = [pk for pk, d in digests.items() if d is None]
    which = Q(digest_id__in=claimed) | Q(user_id__in=previewed, digest__isnull=True)
    may_see = Q(update__isnull=True) | Q(user_id__in=sees_all) | visible_to_author_q(F("user_id"), prefix="update__")
    events = (
        Notification.objects.filter(which, may_see)
        .annotate(
            line=Window(RowNumber(), partition_by=[F("user_id")], order_by=[F("event_at").desc(), F("pk").desc()])
        )
        .filter(line__lte=MAX_LINES * 2)
    )
    # Only what a line says (model instances of thousands of lines are the main cost otherwise), and links
    # built from one reversed URL rather than reversing each.
    events = (
        events.select_related("update__actor", "update__recommendation").only(*LINE_FIELDS).order_by("-event_at", "-pk")
    )
    head, tail = absolute(reverse("recommendations:update", args=[_MARKER])).split(str(_MARKER))
    for notification in events:
        url = f"{head}{notification.update_id}{tail}" if notification.update_id else ""
        line = Line(describe(notification), url, notification.reason)
        body = contents[notification.user_id]
        (body.followed if notification.kind == NotificationKind.FOLLOWED else body.own).append(line)
    summarised = [pk for pk in ids if pk in summary]
    if summarised:
        snapshot = queue_snapshot_cached() if reviewers & set(summarised) else None
        organizations_of = {pk: [] for pk in summarised}
        for user_id, org_id in Membership.objects.filter(user_id__in=summarised).values_list(
            "user_id", "organization_id"
        ):
            organizations_of[user_id].append(org_id)
        due = reminders.due_for_people(organizations_of, limit=MAX_LINES)
        for pk in summarised:
            body = contents[pk]
            body.queue = queue_for(pk, snapshot) if pk in reviewers else None
            rows, body.due_total = due[pk]
            body.due = [due_line(row) for row in rows]
    return contents


REVIEW_PERMISSION = ("recommendations", "review_progress")
_MARKER = 987654321
# The fields ``describe`` reads, for ``digest_contents``.
LINE_FIELDS = [
    "user_id",
    "kind",
    "update",
    "event_at",
    "previous_status",
    "reason",
    "text",
    "update__status",
    "update__as_of",
    "update__as_of_precision",
    "update__review_note",
    "update__actor",
    "update__actor__name",
    "update__actor__other_names",
    "update__recommendation",
    "update__recommendation__code",
]


def rights(users) -> tuple[set[int], set[int]]:
    """(who sees every update, who reviews) among ``users``, in one query: the rules of
    ``sees_every_update`` and ``has_perm("recommendations.review_progress")`` for many people at once
    (an active superuser has every permission; others through their own or their groups' permissions)."""
    app_label, codename = REVIEW_PERMISSION
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    through_user = get_user_model().user_permissions.through.objects.filter(
        user_id=OuterRef("pk"), permission__in=permission
    )
    through_group = get_user_model().groups.through.objects.filter(
        user_id=OuterRef("pk"), group__permissions__in=permission
    )
    reviewers = set(
        get_user_model()
        .objects.filter(pk__in=[u.pk for u in users], is_active=True)
        .filter(Q(is_superuser=True) | Exists(through_user) | Exists(through_group))
        .values_list("pk", flat=True)
    )
    return reviewers | {u.pk for u in users if u.is_staff}, reviewers


def _day(value) -> str:
    # "5 Mar 2024" in English; month names in the active language elsewhere.
    return date_format(value, "SHORT_DATE_FORMAT")


def due_line(row) -> Line:
    """A due pair as a line, with the link that opens the log form on that pair."""
    url = absolute(reverse("recommendations:progress_new")) + f"?item={row.recommendation.code}&actor={row.actor.code}"
    # Translators: %(when)s is "as of 15 March 2017", "as of March 2017" or "as of 2017", worded for its precision.
    text = ngettext(
        "%(code)s · %(name)s: last verified %(when)s, due since %(due_on)s (every %(months)s month)",
        "%(code)s · %(name)s: last verified %(when)s, due since %(due_on)s (every %(months)s months)",
        row.cycle_months,
    ) % {
        "code": row.recommendation.code,
        "name": row.actor.name,
        "when": as_of_phrase(row.as_of, row.as_of_precision),
        "due_on": _day(row.due_on),
        "months": row.cycle_months,
    }
    return Line(text, url)


def review_queue_by_age(user) -> dict | None:
    """For reviewers: how many updates await review, how many have waited long, and the oldest few."""
    if not user.has_perm("recommendations.review_progress"):
        return None
    return queue_for(user.pk, queue_snapshot_cached())


def queue_snapshot_cached() -> dict:
    """The queue snapshot (see ``queue_snapshot``), taken at most once a minute per cache: a digest run
    for hundreds of reviewers does not count the queue hundreds of times."""
    now = timezone.now()
    return cache.get_or_set(f"alerts:queue:{now:%Y%m%d%H%M}", lambda: queue_snapshot(now), 90)


def queue_for(user_id: int, snapshot: dict) -> dict | None:
    """One reviewer's view of the queue snapshot: a reviewer's own updates, which they may not verify, come
    off it."""
    keys = ["total", *(f"over_{days}" for days, _ in QUEUE_AGES)]
    counts = dict.fromkeys(keys, 0)
    own_excluded = not settings.SINGLE_REVIEWER_MODE
    for author_id, row in snapshot["by_author"].items():
        if own_excluded and author_id == user_id:
            continue
        for key in keys:
            counts[key] += row[key]
    if not counts["total"]:
        return None
    oldest = [
        Line(
            _("%(code)s · %(actor)s, filed %(day)s") % {"code": code, "actor": actor, "day": _day(created_at)},
            absolute(reverse("recommendations:update", args=[pk])),
        )
        for pk, code, actor, created_at, author_id in snapshot["oldest"]
        if not (own_excluded and author_id == user_id)
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
