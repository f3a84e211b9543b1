"""What is tracked: ProgressUpdate, the append-only history, and who may see which update."""

import datetime

from django.conf import settings
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from languages.dates import long_date, month_and_year, year_only

from .actors import Actor
from .base import History
from .items import Recommendation
from .vocabulary import ActorKind, DatePrecision, Kind, Perspective, ReviewState, Status, _status_matches_kind


def sees_every_update(user) -> bool:
    """Reviewers and editors see every update, whatever its state (the rule of ``visible_to``)."""
    return user.has_perm("recommendations.review_progress") or user.is_staff


def visible_to_author_q(user, prefix: str = "") -> Q:
    """What anyone else may see: verified updates, and their own. ``user`` may be an expression
    (``F("user_id")``) so that many people's rights are checked in one query; ``prefix`` reaches the
    update through a relation (``"update__"``)."""
    return Q(**{f"{prefix}state": ReviewState.VERIFIED}) | Q(**{f"{prefix}created_by": user})


# Which update is "the latest" of a pair: the latest as-of date, then the latest entry, then the highest id (two
# entries in the same instant). The one rule; ``oldest_first``/``latest_first``, the model's ordering, the pair
# index and ``latest_first_sql`` are all written from it. Oldest first: the last one wins.
LATEST_ORDER = ("as_of", "created_at", "pk")


def latest_first_sql(alias: str, *, same_day: bool = False) -> str:
    """``ORDER BY`` terms putting an alias's latest update first (``same_day``: among one as-of date's)."""
    fields = LATEST_ORDER[1:] if same_day else LATEST_ORDER
    return ", ".join(f"{alias}.{'id' if field == 'pk' else field} DESC" for field in fields)


class ProgressUpdateQuerySet(models.QuerySet):
    def counted(self):
        """Updates that count towards the current status and public reports: verified ones."""
        return self.filter(state=ReviewState.VERIFIED)

    def pending(self):
        """Updates waiting for a reviewer."""
        return self.filter(state=ReviewState.PENDING)

    def visible_to(self, user):
        """Verified updates for everyone; a user also sees their own, reviewers and editors see all."""
        if user.is_authenticated and sees_every_update(user):
            return self
        if user.is_authenticated:
            return self.filter(visible_to_author_q(user))
        return self.counted()

    def latest_first(self, *leading: str):
        """Latest update first (after the ``leading`` orderings, such as a pair's columns)."""
        return self.order_by(*leading, *(f"-{field}" for field in LATEST_ORDER))

    def oldest_first(self, *leading: str):
        """A history in the order it builds up: the last of each pair is its latest update."""
        return self.order_by(*leading, *LATEST_ORDER)

    def estimated_count(self) -> tuple[int, bool]:
        """(count, is_estimate): the planner's estimate on PostgreSQL when it is large, else COUNT(*).

        Counting a million history rows exactly takes a tenth of a second on
        every request; a headline or an admin page does not need the last digit.
        """
        if connection.vendor == "postgresql":
            sql, params = self.order_by().query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)  # noqa: S608 - ORM-compiled SQL
                estimate = int(cursor.fetchone()[0][0]["Plan"]["Plan Rows"])
            if estimate >= settings.EXACT_COUNT_BELOW:
                return estimate, True
        return self.count(), False

    def latest_per_pair(self) -> dict[tuple[int, int], int]:
        """Recompute, from the whole history, the winning update id of every pair.

        The slow, obviously-correct definition of the current status: the
        counted update with the latest as-of date, then the latest entry.
        Used to rebuild the current-status table and by tests to check it.
        """
        rows = (
            self.counted()
            .latest_first("actor_id", "recommendation_id")
            .values_list("actor_id", "recommendation_id", "pk")
        )
        latest: dict[tuple[int, int], int] = {}
        for actor_id, recommendation_id, pk in rows.iterator(chunk_size=5000):
            latest.setdefault((actor_id, recommendation_id), pk)
        return latest


class ProgressUpdate(models.Model):
    """One report of where an actor stands on an item, as of a date.

    Append-only: a correction is a new update or a tracked edit, never a
    silent overwrite (``history`` keeps every version).
    """

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="updates")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="updates")
    # Copies of the item's kind and the actor's kind, so the database itself
    # can refuse a status from the wrong scale or a ratification by an NGO.
    kind = models.CharField(max_length=20, choices=Kind.choices, editable=False)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices)
    as_of = models.DateField("as of")
    as_of_precision = models.CharField(max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY)
    historical = models.BooleanField(
        default=False, help_text=_("Records a fact dated before the source document (e.g. a 1993 accession).")
    )
    narrative = models.TextField(blank=True)
    evidence_urls = models.JSONField(default=list, blank=True)
    has_evidence = models.BooleanField(default=False, editable=False, help_text=_("Has a link or a file."))
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    reported_by_organization = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filed_updates",
        limit_choices_to={"kind": ActorKind.ORGANIZATION},
    )
    # Who says so (government, civil society, a UN mechanism, independent data, the treaty depositary):
    # chosen by the reporter, ``services.default_perspective`` when not stated; a reviewer may correct it.
    perspective = models.CharField(max_length=30, choices=Perspective.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()  # indexed with the id (Meta.indexes: update_newest_entry)
    # Review.
    state = models.CharField(max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, help_text=_("Why it was returned, or a reviewer's remark."))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    # Evidence file: stored under a generated name, served only as a download.
    evidence_file = models.FileField(upload_to="evidence/%Y/%m/", blank=True, max_length=200)
    evidence_file_type = models.CharField(max_length=100, blank=True)
    # Guards: one update per form submission of one person; refuse a stale edit.
    submission_token = models.UUIDField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = History()
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = [f"-{field}" for field in LATEST_ORDER]
        permissions = [
            ("log_progress", "Can log progress on behalf of own organizations"),
            ("review_progress", "Can verify, return and withdraw progress updates"),
        ]
        constraints = [
            models.CheckConstraint(condition=_status_matches_kind(), name="update_status_on_kind_scale"),
            models.CheckConstraint(
                condition=~Q(kind=Kind.RATIFICATION, actor_kind=ActorKind.ORGANIZATION),
                name="update_ratification_by_country_only",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.QUANTITATIVE) | Q(value__isnull=False),
                name="update_quantitative_has_value",
            ),
            # A submission token is one person's: another person's copy of it is not a repeat.
            models.UniqueConstraint(
                fields=["created_by", "submission_token"],
                condition=Q(submission_token__isnull=False),
                name="update_one_per_submission",
            ),
        ]
        indexes = [
            # The order that decides a pair's latest verified update: refresh_current_status
            # reads its first entry, and as-of snapshots (a window over it) read it in order.
            models.Index(
                "actor",
                "recommendation",
                *(F("id" if field == "pk" else field).desc() for field in LATEST_ORDER),
                condition=Q(state="verified"),
                name="update_pair_latest_verified",
            ),
            # Latest verified first, ties broken by id (the home page's recent updates, the feeds): the id makes
            # the order total, so a page of them reads the first entries instead of sorting every update that
            # shares the latest reviewed_at (32,205 of them at 10M benchmark updates: 87 ms → 0.05 ms).
            models.Index(
                F("reviewed_at").desc(), F("id").desc(), condition=Q(state="verified"), name="update_verified_latest"
            ),
            # The API's update list (newest entry first, by id on ties), for the same reason (130 ms → 0.04 ms).
            models.Index(F("created_at").desc(), F("id").desc(), name="update_newest_entry"),
            # The same list for one item (the API's ``item=``), read in order instead of filtered from the above.
            models.Index("recommendation", F("created_at").desc(), F("id").desc(), name="update_item_newest_entry"),
            models.Index(fields=["recommendation", "as_of"], name="update_item_as_of"),
            models.Index(fields=["state", "created_at"], name="update_state_age"),
            models.Index(fields=["created_by", "state"], name="update_author_state"),
        ]

    def __str__(self):
        # The status's label found by its value, as get_status_display() shows it: that one translates every
        # label of the field's choices to hash them, on each call, and every logged update's audit line calls
        # this (3 % of a post's Python, issue 21).
        try:
            status = Status(self.status).label
        except ValueError:  # not a status (an unsaved, invalid update): shown as it is, as Django does
            status = self.status
        return f"{self.actor} · {self.recommendation.code} · {status} ({self.as_of})"

    def get_absolute_url(self):
        return reverse("recommendations:update", args=[self.pk])

    @property
    def is_counted(self) -> bool:
        return self.state == ReviewState.VERIFIED

    def as_of_display(self) -> str:
        """The as-of date at its recorded precision: 2017, March 2017 or 31 March 2017."""
        return format_as_of(self.as_of, self.as_of_precision)

    def as_of_phrase(self) -> str:
        """ "as of 31 March 2017", "en mars 2017", "по состоянию на 2017 год" (``as_of_phrase``)."""
        return as_of_phrase(self.as_of, self.as_of_precision)

    def as_of_iso(self) -> str:
        """The as-of date as exports write it: YYYY, YYYY-MM or YYYY-MM-DD."""
        return iso_as_of(self.as_of, self.as_of_precision)


def format_as_of(day, precision: str) -> str:
    """The as-of date at its precision in the active language (``languages.dates``): "2017" / "2017 год" /
    "2017年", "March 2017" / "mars 2017", "31 March 2017" / "31 mars 2017" / "2017年3月31日"."""
    if precision == DatePrecision.YEAR:
        return year_only(day)
    if precision == DatePrecision.MONTH:
        return month_and_year(day)
    return long_date(day)


def as_of_phrase(day, precision: str) -> str:
    """ "as of" and the as-of date at its precision, worded by the language for each precision: French writes "au 15
    septembre 2000" but "en mars 2017" and "en 2017" ("au mars 2017" is not French), Spanish "a fecha de 15 de
    marzo de 2017", "a marzo de 2017", "en 2017". Every sentence that says "as of" a status's date takes the whole
    phrase (its msgid has "%(when)s" where English reads "as of …"), never "as of" and the date apart."""
    shown = format_as_of(day, precision)
    if precision == DatePrecision.YEAR:
        # Translators: "as of" and a date known to the year: "as of 2017" (French "en 2017", Russian "по состоянию
        # на 2017 год").
        return pgettext("as of a year", "as of %(year)s") % {"year": shown}
    if precision == DatePrecision.MONTH:
        # Translators: "as of" and a date known to the month: "as of March 2017" (French "en mars 2017").
        return pgettext("as of a month", "as of %(month)s") % {"month": shown}
    # Translators: "as of" and a date known to the day: "as of 15 March 2017" (French "au 15 mars 2017").
    return pgettext("as of a day", "as of %(day)s") % {"day": shown}


def as_of_heading(precisions=()) -> str:
    """The heading of a column (or a label) over as-of dates shown at ``precisions`` (``format_as_of``), worded
    for them as ``as_of_phrase`` words the dates: French "Au" over days ("au 15 mars 2017") but "En" over months
    and years ("en mars 2017", "en 2017": "Au 2017" is not French). Over dates of several precisions, or none, a
    word that heads any date ("Date" in French)."""
    found = set(precisions)
    if found == {DatePrecision.YEAR}:
        # Translators: heading a column of dates known to the year ("2017"), as "as of %(year)s" words them
        # (French "En", as in "en 2017").
        return pgettext("heading over years", "As of")
    if found == {DatePrecision.MONTH}:
        # Translators: heading a column of dates known to the month ("March 2017"), as "as of %(month)s" words them
        # (French "En", as in "en mars 2017").
        return pgettext("heading over months", "As of")
    if found == {DatePrecision.DAY}:
        # Translators: heading a column of dates known to the day ("15 March 2017"), as "as of %(day)s" words them
        # (French "Au", as in "au 15 mars 2017").
        return pgettext("heading over days", "As of")
    # Translators: heading a column of dates known to the day, the month or the year alike ("15 March 2017",
    # "2017"): a word that heads any of them (French "Date": neither "Au 2017" nor "En 15 mars 2017" is French).
    return pgettext("heading over dates of any precision", "As of")


def iso_as_of_heading(texts) -> str:
    """``as_of_heading`` over as-of dates as the exports write them ("2017", "2017-03", "2017-03-31")."""
    return as_of_heading(_parsed_iso_as_of(text)[1] for text in texts if text)


def format_iso_as_of(text: str) -> str:
    """An as-of date as the exports write it (``iso_as_of``: "2017", "2017-03" or "2017-03-31") as pages show it,
    in the active language (``format_as_of``): for pages built from the export's rows (the atlas)."""
    return format_as_of(*_parsed_iso_as_of(text)) if text else ""


def iso_as_of_phrase(text: str) -> str:
    """``as_of_phrase`` for an as-of date as the exports write it ("2017", "2017-03", "2017-03-31")."""
    return as_of_phrase(*_parsed_iso_as_of(text)) if text else ""


def _parsed_iso_as_of(text: str) -> tuple[datetime.date, str]:
    precision = {4: DatePrecision.YEAR, 7: DatePrecision.MONTH}.get(len(text), DatePrecision.DAY)
    return datetime.date.fromisoformat((text + "-01-01")[:10]), precision


def iso_as_of(day, precision: str) -> str:
    if precision == DatePrecision.YEAR:
        return f"{day:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{day:%Y-%m}"
    return day.isoformat()
