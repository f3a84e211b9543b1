"""Reporting cycles and what is due: the one rule, used by every page, digest and (later) report filter.

A pair (actor, item) is **due** when its latest verified update (its
current status) is dated ``months`` or more before today, where ``months``
is the shortest reporting cycle that applies: the item's, or the
organization's (the one that filed the latest update, or the actor itself
when it is an organization). Pairs with no cycle are never due; pairs with
no verified update are not "due" either (they have nothing to bring up to
date: reports show them as "No information").
"""

import calendar
import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from recommendations.models import CurrentStatus

from .models import ReportingCycle


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` (negative: back), on the last day of a shorter month if need be."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def with_cycle(queryset: QuerySet | None = None) -> QuerySet:
    """Current statuses annotated with ``cycle_months``: the shortest cycle that applies (None: no cycle)."""
    queryset = CurrentStatus.objects.all() if queryset is None else queryset
    item_cycle = Subquery(
        ReportingCycle.objects.filter(recommendation_id=OuterRef("recommendation_id")).values("months")[:1]
    )
    organization_cycle = Subquery(
        ReportingCycle.objects.filter(
            Q(organization_id=OuterRef("reported_by_organization_id")) | Q(organization_id=OuterRef("actor_id"))
        )
        .order_by("months")
        .values("months")[:1]
    )
    # LEAST ignores NULLs on PostgreSQL but not on SQLite: give each side the other as a fallback.
    return queryset.annotate(
        cycle_months=Least(Coalesce(item_cycle, organization_cycle), Coalesce(organization_cycle, item_cycle))
    )


def overdue(queryset: QuerySet | None = None, *, today: datetime.date | None = None) -> QuerySet:
    """The current statuses in ``queryset`` that are due for a new update today.

    Annotated with ``cycle_months``; ``due_on(row)`` gives the date each became due.
    One cutoff per distinct cycle length (a handful), so the test runs in SQL on the as-of date.
    """
    today = today or timezone.localdate()
    condition = Q(pk__in=[])
    for months in ReportingCycle.objects.order_by().values_list("months", flat=True).distinct():
        condition |= Q(cycle_months=months, as_of__lte=add_months(today, -months))
    return with_cycle(queryset).filter(condition)


def due_on(row) -> datetime.date:
    """When a row of ``overdue()`` became due: its as-of date plus its cycle."""
    return add_months(row.as_of, row.cycle_months)


def due_for_organizations(organization_ids, *, limit: int | None = 20):
    """(rows, total): the due pairs organizations answer for (filed by them, or about them), oldest first.

    ``organization_ids`` is a list of ids (resolved first, so the database can use its indexes on both
    columns). At most three queries (the cycle lengths, the rows, their number), none without organizations.
    """
    organization_ids = list(organization_ids)
    if not organization_ids:
        return [], 0
    queryset = overdue(
        CurrentStatus.objects.filter(
            Q(reported_by_organization_id__in=organization_ids) | Q(actor_id__in=organization_ids)
        )
    )
    rows = list(
        queryset.select_related("actor", "recommendation").order_by("as_of", "actor__name", "recommendation__position")[
            :limit
        ]
    )
    total = len(rows) if limit is None or len(rows) < limit else queryset.count()
    for row in rows:
        row.due_on = due_on(row)
    return rows, total


def due_for_people(organizations_of: dict[int, list[int]], *, limit: int | None = 20) -> dict[int, tuple[list, int]]:
    """``due_for_organizations`` for many people at once: {person: (rows, total)}.

    ``organizations_of`` maps each person to their organizations' ids. Two queries whatever the number
    of people (the cycle lengths, then every due pair of all their organizations), so a batch of digests
    costs the same as one; each person's rows are then picked, ordered and cut in Python.
    """
    every = sorted({org for orgs in organizations_of.values() for org in orgs})
    if not every:
        return {person: ([], 0) for person in organizations_of}
    rows = list(
        overdue(CurrentStatus.objects.filter(Q(reported_by_organization_id__in=every) | Q(actor_id__in=every)))
        .select_related("actor", "recommendation")
        .order_by("as_of", "actor__name", "recommendation__position", "pk")
    )
    by_organization: dict[int, list] = {}
    for row in rows:
        row.due_on = due_on(row)
        for org in {row.reported_by_organization_id, row.actor_id}:
            by_organization.setdefault(org, []).append(row)
    result = {}
    for person, orgs in organizations_of.items():
        if len(orgs) == 1:
            mine = by_organization.get(orgs[0], [])
        else:  # several organizations: each pair once, in the shared order
            seen = {row.pk for org in orgs for row in by_organization.get(org, [])}
            mine = [row for row in rows if row.pk in seen]
        result[person] = (mine if limit is None else mine[:limit], len(mine))
    return result
