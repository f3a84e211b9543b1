"""Who says so: the default perspective of an update (``default_perspective``), the one rule; and each
perspective's maintained track (``write_tracks``, called by ``refresh_current_status(es)``).

The form's initial choice, an imported row without a ``perspective`` column, an API write without one and
migration 0015's fill of the existing updates all follow it (the migration holds a copy, as migrations
must not import code that may change).
"""

from django.db.models import BooleanField, Q, Value
from django.utils.translation import gettext as _

from ..models import (
    Actor,
    CurrentStatus,
    OrganizationType,
    Perspective,
    PerspectiveInterval,
    PerspectiveStatus,
    StatusInterval,
    english,
)
from .year_ends import Changes, add_interval_changes

# The UN Treaty Collection (``load_icrmw_baseline`` files the ratification baseline under this code) is the
# treaty depositary's record.
TREATY_DEPOSITARY_CODES = frozenset({"un-treaty-collection"})

# An organization reports from its own point of view: a UN entity's reports are a UN mechanism's, a research
# institution's or a financial institution's figures are independent data; every other organization
# (NGOs, migrant associations, trade unions, companies) gives a civil-society assessment. A government's
# self-report is never a default: a reporter transcribing one says so.
BY_ORGANIZATION_TYPE = {
    OrganizationType.INTERNATIONAL: Perspective.UN_MECHANISM,
    OrganizationType.ACADEMIC: Perspective.INDEPENDENT_DATA,
    OrganizationType.FINANCIAL_INSTITUTION: Perspective.INDEPENDENT_DATA,
}


def default_perspective(organization: Actor | None) -> str:
    """The perspective of an update filed for ``organization`` when its reporter does not state one."""
    if organization is None:
        return Perspective.CIVIL_SOCIETY
    if organization.code.lower() in TREATY_DEPOSITARY_CODES:
        return Perspective.UN_TREATY_DEPOSITARY
    return BY_ORGANIZATION_TYPE.get(organization.organization_type, Perspective.CIVIL_SOCIETY)


def parse_perspective(text: str | None, organization: Actor | None) -> str:
    """A perspective as a file or an API gives it (its code or its label, any case; empty: the default),
    or a ValueError with the message to show."""
    text = (text or "").strip()
    if not text:
        return default_perspective(organization)
    for perspective in Perspective:
        # The English label: files and API calls are a contract that does not change with the interface language.
        if text.lower() in (perspective.value, english(perspective.label).lower()):
            return perspective.value
    raise ValueError(
        _("Unknown perspective “%(text)s”. Use one of: %(codes)s (or leave it empty for the organization's usual one).")
        % {"text": text, "codes": ", ".join(p.value for p in Perspective)}
    )


def tracks_from_history(history: list) -> tuple[list, list]:
    """A pair's per-perspective current statuses and intervals from its counted updates, oldest first.

    Each perspective's track follows the consolidated rule on its own updates: the last one is its current
    status, and its intervals are ``intervals_from_history`` of its updates. Every interval carries whether the
    pair has two or more tracks (``several_perspectives``: only then can its perspectives disagree).
    """
    from .current_status import intervals_from_history

    by_perspective: dict[str, list] = {}
    for update in history:
        by_perspective.setdefault(update.perspective, []).append(update)
    statuses, intervals = [], []
    several = len(by_perspective) > 1
    for perspective, updates in by_perspective.items():
        latest = updates[-1]
        statuses.append(
            PerspectiveStatus(
                actor_id=latest.actor_id,
                recommendation_id=latest.recommendation_id,
                update_id=latest.pk,
                **{field: getattr(latest, source) for field, source in PerspectiveStatus.COPIED_FROM_UPDATE.items()},
            )
        )
        intervals += [
            PerspectiveInterval(
                perspective=perspective,
                several_perspectives=several,
                **{
                    f.attname: getattr(interval, f.attname)
                    for f in StatusInterval._meta.concrete_fields
                    if f.attname not in ("id", "perspective")
                },
            )
            for interval in intervals_from_history(updates)
        ]
    return statuses, intervals


def statuses_disagree(statuses) -> bool:
    """The rule: a pair's perspectives disagree when their current statuses are not all the same.

    The one definition of "assessments disagree": ``write_tracks`` keeps it as ``CurrentStatus.perspectives_disagree``,
    ``disagreement_fill_sql`` writes it in bulk, and ``reports.scope.disagreement_sql`` applies it on a past date.
    """
    return len(set(statuses)) > 1


def disagreement_fill_sql() -> str:
    """One UPDATE flagging every current status whose pair has a perspective holding another status.

    ``statuses_disagree`` in SQL: the consolidated status is one of the pair's perspective statuses (the latest
    perspective's), so they are not all the same exactly when one differs from it. Rows start unflagged.
    """
    current, tracks = CurrentStatus._meta.db_table, PerspectiveStatus._meta.db_table
    # Only model table names go into it, no values.
    return (
        f"UPDATE {current} SET perspectives_disagree = TRUE WHERE EXISTS (SELECT 1 FROM {tracks} d "  # noqa: S608  # nosec B608
        f"WHERE d.actor_id = {current}.actor_id AND d.recommendation_id = {current}.recommendation_id "
        f"AND d.status <> {current}.status)"
    )


def several_perspectives_fill_sql() -> str:
    """One UPDATE marking every per-perspective interval whose pair has another perspective's track
    (``tracks_from_history``'s ``several_perspectives`` in bulk; a track has a status exactly when it has
    intervals). Intervals start unmarked."""
    intervals, tracks = PerspectiveInterval._meta.db_table, PerspectiveStatus._meta.db_table
    # Only model table names go into it, no values.
    return (
        f"UPDATE {intervals} SET several_perspectives = TRUE WHERE EXISTS (SELECT 1 FROM {tracks} d "  # noqa: S608  # nosec B608
        f"WHERE d.actor_id = {intervals}.actor_id AND d.recommendation_id = {intervals}.recommendation_id "
        f"AND d.perspective <> {intervals}.perspective)"
    )


# A track's interval is keyed by its start; the rest of its columns are compared to find what changed.
# INTERVAL_REST: the columns StatusInterval shares; TRACK_REST adds the per-perspective table's own marker.
INTERVAL_KEY = ("actor_id", "recommendation_id", "perspective", "valid_from")
TRACK_ONLY = ("several_perspectives",)
INTERVAL_REST = tuple(
    f.attname for f in PerspectiveInterval._meta.concrete_fields if f.attname not in ("id", *INTERVAL_KEY, *TRACK_ONLY)
)
TRACK_REST = INTERVAL_REST + TRACK_ONLY
STATUS_FIELDS = tuple(f for f in PerspectiveStatus.COPIED_FROM_UPDATE if f != "perspective") + ("update_id",)


def stored_intervals(pairs: Q) -> tuple[list, list]:
    """The stored intervals of the pairs ``pairs`` selects, consolidated and per perspective, in one read:
    rows (pk, *INTERVAL_KEY, *INTERVAL_REST) of StatusInterval, which has the same columns, and
    (pk, *INTERVAL_KEY, *TRACK_REST) of PerspectiveInterval."""
    columns = ("pk", *INTERVAL_KEY, *INTERVAL_REST)
    rows = (
        StatusInterval.objects.filter(pairs)
        .annotate(track=Value(False, output_field=BooleanField()), marker=Value(False, output_field=BooleanField()))
        .values_list("track", *columns, "marker")
        .union(
            PerspectiveInterval.objects.filter(pairs)
            .annotate(track=Value(True, output_field=BooleanField()))
            .values_list("track", *columns, *TRACK_ONLY),
            all=True,
        )
    )
    consolidated, tracks = [], []
    for track, *row in rows:
        if track:
            tracks.append(tuple(row))
        else:
            consolidated.append(tuple(row[: -len(TRACK_ONLY)]))
    return consolidated, tracks


def write_tracks(
    histories: dict[tuple[int, int], list], pairs: Q, *, stored_rows: list | None = None, changes: Changes | None = None
) -> dict[tuple[int, int], bool]:
    """Make the per-perspective statuses and intervals of the pairs ``pairs`` selects those of their counted
    histories (oldest first; a pair missing from ``histories`` has none), writing only the rows that changed.
    Inside the writing transaction, after the actors are locked. Returns whether each pair of ``histories``
    has disagreeing perspectives (``statuses_disagree``), for its CurrentStatus row.

    One read: the stored intervals (``stored_rows``, if the caller read them with ``stored_intervals``),
    whose open ones are the stored statuses (a track's status is its open interval, as ``open_intervals_sql``
    writes it). A verification that extends a track then updates the
    closed interval, inserts the new one and updates the status: it used to delete and rewrite every row. A pair
    that gains or loses its second perspective rewrites its intervals' ``several_perspectives`` marker then.
    """
    flags, wanted, wanted_open = {}, {}, {}
    for pair, history in histories.items():
        pair_statuses, pair_intervals = tracks_from_history(history)
        flags[pair] = statuses_disagree(s.status for s in pair_statuses)
        for status in pair_statuses:
            wanted_open[(status.actor_id, status.recommendation_id, status.perspective)] = status
        for interval in pair_intervals:
            wanted[tuple(getattr(interval, c) for c in INTERVAL_KEY)] = interval
    if stored_rows is None:
        stored_rows = PerspectiveInterval.objects.filter(pairs).values_list("pk", *INTERVAL_KEY, *TRACK_REST)
    stored = {tuple(row[1:5]): (row[0], tuple(row[5:])) for row in stored_rows}
    rest = {key: tuple(getattr(interval, c) for c in TRACK_REST) for key, interval in wanted.items()}
    stale = [pk for key, (pk, _) in stored.items() if key not in wanted]
    changed = [key for key, interval in wanted.items() if key in stored and stored[key][1] != rest[key]]
    new = [interval for key, interval in wanted.items() if key not in stored]
    own = changes is None  # the caller's, added with its own in one statement (``year_ends``)
    changes = Changes() if own else changes
    _add_year_end_changes(
        changes, stored, wanted, stale=[k for k in stored if k not in wanted], changed=changed, new=new
    )
    if own:
        add_interval_changes(changes)
    if stale:
        PerspectiveInterval.objects.filter(pk__in=stale).delete()
    for key in changed:
        PerspectiveInterval.objects.filter(pk=stored[key][0]).update(**{c: getattr(wanted[key], c) for c in TRACK_REST})
    if new:
        PerspectiveInterval.objects.bulk_create(new, batch_size=2000)
    _write_statuses(stored, rest, wanted_open)
    return flags


def _add_year_end_changes(changes: Changes, stored: dict, wanted: dict, *, stale: list, changed: list, new: list):
    """The chart's kept year-end changes (``year_ends``) of ``write_tracks``' writes: the stored intervals it
    deletes or rewrites taken away, the ones it writes added."""
    for key in [*stale, *changed]:
        old = dict(zip(TRACK_REST, stored[key][1], strict=True))
        changes.add_interval({**old, "recommendation_id": key[1], "valid_from": key[3]}, track=key[2], sign=-1)
    for interval in [*(wanted[key] for key in changed), *new]:
        changes.add_interval(interval, track=interval.perspective)


def _write_statuses(stored: dict, rest: dict, wanted_open: dict) -> None:
    """The per-perspective statuses whose track's open interval changed (``write_tracks``'s stored and wanted)."""
    valid_to, update_id = INTERVAL_REST.index("valid_to"), INTERVAL_REST.index("update_id")
    held = {key[:3]: (key, values) for key, (_, values) in stored.items() if values[valid_to] is None}
    gone = [track for track in held if track not in wanted_open]
    changed, new = [], []
    for track, status in wanted_open.items():
        key = (*track, status.as_of)
        if track not in held:
            new.append(status)
        elif held[track] != (key, rest.get(key)):
            changed.append(status)
    # A status row's update is unique: if a changed row takes another stored row's update (the reviewer
    # moved an update to another perspective), rewrite those rows rather than update one onto the other.
    held_updates = {values[update_id] for _, values in held.values()}
    if any(s.update_id in held_updates for s in changed):
        gone += [(s.actor_id, s.recommendation_id, s.perspective) for s in changed]
        new += changed
        changed = []
    if gone:
        q = Q()
        for actor_id, recommendation_id, perspective in gone:
            q |= Q(actor_id=actor_id, recommendation_id=recommendation_id, perspective=perspective)
        PerspectiveStatus.objects.filter(q).delete()
    for status in changed:
        PerspectiveStatus.objects.filter(
            actor_id=status.actor_id, recommendation_id=status.recommendation_id, perspective=status.perspective
        ).update(**{f: getattr(status, f) for f in STATUS_FIELDS})
    if new:
        PerspectiveStatus.objects.bulk_create(new, batch_size=2000)
