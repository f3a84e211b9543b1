"""The table report: one row per pair, sorted and paged."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import F

from languages.collation import in_database_order, sorted_actors, sorted_by_region

from ..models import NO_INFORMATION, Actor, ActorKind, ProgressUpdate, Recommendation, plain_number, status_label
from ..models.places import place_expression
from .scope import REGION_SQL, STATUS_RANK_SQL, SUBREGION_SQL, Scope, _fetch, _reported_sql, _universe
from .summary import status_counts

# Every order ends with unique keys (actor id, item position), so pages never overlap or skip.
ACTOR_ORDERS = {
    "actor": "a.name, a.id",
    "-actor": "a.name DESC, a.id",
    "region": f"{REGION_SQL}, {SUBREGION_SQL}, a.name, a.id",
}
TABLE_SORTS = {
    **{key: f"{order}, r.position" for key, order in ACTOR_ORDERS.items()},
    "item": "r.position, a.name, a.id",
    "status": f"{STATUS_RANK_SQL}, a.name, a.id, r.position",
    "-status": f"{STATUS_RANK_SQL} DESC, a.name, a.id, r.position",
    "as_of": "CASE WHEN p.as_of IS NULL THEN 1 ELSE 0 END, p.as_of, a.name, a.id, r.position",
    "-as_of": "CASE WHEN p.as_of IS NULL THEN 1 ELSE 0 END, p.as_of DESC, a.name, a.id, r.position",
}


@dataclass
class PairRow:
    actor: Actor
    item: Recommendation
    status: str
    update: ProgressUpdate | None
    # The other side of a comparison (``compare=`` date): the status and value then.
    then_status: str | None = None
    then_value: str | None = None

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def then_label(self) -> str:
        return status_label(self.then_status) if self.then_status else ""

    @property
    def changed(self) -> bool:
        return self.then_status is not None and self.then_status != self.status

    @property
    def value_change(self) -> str:
        """For a quantitative item with a value on both dates: "8.5 → 5.4 (−3.1)"."""
        if self.update is None or self.update.value is None or not self.then_value:
            return ""
        from decimal import Decimal

        from languages.numbers import measured

        def shown(value) -> str:  # the page's decimal sign: "8,5 → 5,4 (−3,1)" in French
            return measured(plain_number(value))

        then, now = Decimal(self.then_value), self.update.value
        return f"{shown(then)} → {shown(now)} ({'+' if now >= then else '−'}{shown(abs(now - then))})"

    def compare_with(self, statuses: dict) -> None:
        """Set the other date's status and value from ``pair_statuses`` (a missing pair had no information)."""
        self.then_status, self.then_value = statuses.get((self.actor.pk, self.item.pk), (NO_INFORMATION, None))


def count_pairs(scope: Scope) -> int:
    return sum(status_counts(scope, by_region=False).values())


def _hydrate(raw: list[tuple]) -> list[PairRow]:
    """Turn (actor_id, item_id, status, as_of, update_id) tuples into rows with their objects: 3 queries at most."""
    actors = Actor.objects.select_related("base_country").in_bulk({r[0] for r in raw})
    items = Recommendation.objects.in_bulk({r[1] for r in raw})
    # Always one query, even for a page of "No information" rows only, so that a page costs the same
    # number of queries whatever the data (pk 0 never exists).
    update_ids = [r[4] for r in raw if r[4]] or [0]
    updates = ProgressUpdate.objects.select_related("reported_by_organization").in_bulk(update_ids)
    return [PairRow(actors[a], items[i], status, updates.get(u)) for a, i, status, _, u in raw]


def table_page(scope: Scope, *, sort: str, offset: int, limit: int) -> tuple[list[PairRow], int]:
    """One page of the table and the total number of rows.

    Sorting the whole set of pairs to show 50 of them costs as much as the
    set is large. When the order starts with the actor (the default), the
    page is found from per-actor row counts instead: only the few actors on
    the page have their rows listed and sorted.
    """
    select = "p.actor_id, p.recommendation_id, p.status, p.as_of, p.update_id"
    if sort not in ACTOR_ORDERS:
        total = count_pairs(scope)
        raw = scope.run(select, f"ORDER BY {TABLE_SORTS[sort]} LIMIT %s OFFSET %s", [limit, offset])
        return _hydrate(raw), total

    per_actor = _rows_per_actor(scope)
    total = sum(per_actor.values())
    order = Actor.objects.filter(pk__in=list(per_actor)) if len(per_actor) < 900 else Actor.objects.all()
    order = order.alias(region_key=place_expression("region"), subregion_key=place_expression("intermediate"))
    fields = {
        "actor": ["name", "pk"],
        "-actor": ["-name", "pk"],
        "region": ["region_key", "subregion_key", "name", "pk"],
    }
    if in_database_order():
        actor_ids = order.order_by(*fields[sort]).values_list("pk", flat=True).iterator(chunk_size=5000)
    elif sort == "region":  # by the region, sub-region and name the page shows (languages/collation.py)
        placed = order.annotate(place_region=F("region_key"), place_subregion=F("subregion_key"))
        actor_ids = [
            actor.pk
            for actor in sorted_by_region(
                placed.only("pk", "name", "kind", "other_names"), places=lambda a: (a.place_region, a.place_subregion)
            )
        ]
    else:  # by name, in the alphabetical order of the reader's language (languages/collation.py)
        by_name = sorted_actors(order.only("pk", "name", "kind", "other_names"))
        actor_ids = [actor.pk for actor in (reversed(by_name) if sort == "-actor" else by_name)]
    seen, page_actors, skip = 0, [], 0
    for actor_id in actor_ids:
        n = per_actor.get(actor_id, 0)
        if not n:
            continue
        if seen + n > offset and seen < offset + limit:
            if not page_actors:
                skip = offset - seen
            page_actors.append(actor_id)
        seen += n
        if seen >= offset + limit:
            break
    if not page_actors:
        return [], total
    placeholders = ", ".join(["%s"] * len(page_actors))
    raw = scope.run(select, f"WHERE p.actor_id IN ({placeholders}) ORDER BY {TABLE_SORTS[sort]}", page_actors)
    place = {actor_id: n for n, actor_id in enumerate(page_actors)}
    raw = sorted(raw, key=lambda row: place[row[0]])  # the actors' order above; each actor's rows stay in item order
    return _hydrate(raw[skip : skip + limit]), total


def _rows_per_actor(scope: Scope) -> Counter:
    """How many rows each actor has in scope, counting "No information" without listing it."""
    filterset, snapshot = scope.filterset, scope.snapshot
    counts: Counter = Counter()
    statuses = filterset.statuses
    if statuses is None or statuses - {NO_INFORMATION}:
        sql, params = _reported_sql(filterset, snapshot)
        for actor_id, n in _fetch(f"SELECT p.actor_id, COUNT(*) FROM ({sql}) p GROUP BY p.actor_id", params):  # noqa: S608  # nosec B608 - the scope's SQL; values are params
            counts[actor_id] += n
    if not filterset.includes_no_information:
        return counts
    countries, country_items, organizations, organization_items = _universe(filterset, snapshot)
    addressed = {
        ActorKind.COUNTRY: list(country_items.values_list("pk", flat=True)),
        ActorKind.ORGANIZATION: list(organization_items.values_list("pk", flat=True)),
    }
    sql, params = _reported_sql(filterset, snapshot, row_filters=False)
    cases, case_params = [], []
    for kind, ids in addressed.items():
        if ids:
            cases.append(f"WHEN p.actor_kind = %s AND p.recommendation_id IN ({', '.join(['%s'] * len(ids))}) THEN 1")
            case_params += [kind.value, *ids]
    in_universe = dict(
        _fetch(
            f"SELECT p.actor_id, SUM(CASE {' '.join(cases)} ELSE 0 END) FROM ({sql}) p GROUP BY p.actor_id",  # noqa: S608  # nosec B608 - the scope's SQL; ids are params
            [*case_params, *params],
        )
        if cases
        else []
    )
    for kind, universe in ((ActorKind.COUNTRY, countries), (ActorKind.ORGANIZATION, organizations)):
        if not addressed[kind]:
            continue
        for actor_id in universe.values_list("pk", flat=True).iterator(chunk_size=5000):
            missing = len(addressed[kind]) - (in_universe.get(actor_id) or 0)
            if missing:
                counts[actor_id] += missing
    return counts
