"""The matrix (actors x items) and a page's pairs on another date."""

from dataclasses import dataclass

from languages.collation import in_database_order, sorted_actors, sorted_by_region

from ..models import NO_INFORMATION, Actor, Recommendation
from ..models.places import place_expression
from .scope import REGION_SQL, SCORE_SQL, SUBREGION_SQL, Scope

MATRIX_SORTS = {
    "actor": "a.name, p.actor_id",
    "region": f"{REGION_SQL}, {SUBREGION_SQL}, a.name, p.actor_id",
    "progress": f"AVG({SCORE_SQL}) DESC, a.name, p.actor_id",
    "-progress": f"AVG({SCORE_SQL}), a.name, p.actor_id",
}


@dataclass
class Matrix:
    actors: list[tuple[Actor, int | None]]  # with their progress score; None where nothing is known
    items: list[Recommendation]
    cells: dict[tuple[int, int], str]


def matrix(scope: Scope, *, sort: str, offset: int, limit: int) -> tuple[Matrix, int]:
    """One page of actors (rows) with their cells, and how many actors there are in all."""
    if sort in ("actor", "region") and not in_database_order():
        ranked = _by_name(scope, sort=sort, offset=offset, limit=limit)
    else:
        ranked = scope.run(
            f"p.actor_id, AVG({SCORE_SQL}), COUNT(*) OVER ()",
            f"GROUP BY p.actor_id, a.name, {REGION_SQL}, {SUBREGION_SQL} "
            f"ORDER BY {MATRIX_SORTS[sort]} LIMIT %s OFFSET %s",
            [limit, offset],
        )
    total = ranked[0][2] if ranked else (count_actors(scope) if offset else 0)
    actor_ids = [actor_id for actor_id, _, _ in ranked]
    cells = {}
    if actor_ids:
        placeholders = ", ".join(["%s"] * len(actor_ids))
        for actor_id, item_id, status in scope.run(
            "p.actor_id, p.recommendation_id, p.status", f"WHERE p.actor_id IN ({placeholders})", actor_ids
        ):
            cells[(actor_id, item_id)] = status
    actors = Actor.objects.in_bulk(actor_ids)
    items = list(
        Recommendation.objects.filter(scope.filterset.items()).only("code", "title", "kind").order_by("position")
    )
    known = {actor_id for (actor_id, _), status in cells.items() if status != NO_INFORMATION}
    grid = Matrix(
        actors=[(actors[a], round(float(score or 0)) if a in known else None) for a, score, _ in ranked],
        items=items,
        cells=cells,
    )
    return grid, total


def _by_name(scope: Scope, *, sort: str, offset: int, limit: int) -> list[tuple[int, float, int]]:
    """The page's (actor id, score, number of actors) in the alphabetical order of the reader's language
    (languages/collation.py), by name or by region, sub-region and name as the page shows them: every actor in
    scope is read (a few thousand at most) and sorted here."""
    scores = dict(scope.run(f"p.actor_id, AVG({SCORE_SQL})", "GROUP BY p.actor_id"))
    in_scope = Actor.objects.filter(pk__in=list(scores)).only("pk", "name", "kind", "other_names")
    if sort == "region":
        placed = in_scope.annotate(
            place_region=place_expression("region"), place_subregion=place_expression("intermediate")
        )
        actors = sorted_by_region(placed, places=lambda a: (a.place_region, a.place_subregion))
    else:
        actors = sorted_actors(in_scope)
    return [(actor.pk, scores[actor.pk], len(actors)) for actor in actors[offset : offset + limit]]


def pair_statuses(scope: Scope, pairs) -> dict[tuple[int, int], tuple[str, str | None]]:
    """{(actor id, item id): (status, value as text)} for the given pairs in ``scope``, in one query.

    For a comparison: ``scope`` is the other date's (``StatusFilter.at``); a pair missing from it had no
    information then.
    """
    pairs = list(pairs)
    if not pairs:
        return {}
    actor_ids, item_ids = sorted({a for a, _ in pairs}), sorted({i for _, i in pairs})
    rows = scope.run(
        "p.actor_id, p.recommendation_id, p.status, p.value_text",
        f"WHERE p.actor_id IN ({', '.join(['%s'] * len(actor_ids))}) "
        f"AND p.recommendation_id IN ({', '.join(['%s'] * len(item_ids))})",
        [*actor_ids, *item_ids],
    )
    return {(a, i): (status, value) for a, i, status, value in rows}


def count_actors(scope: Scope) -> int:
    return scope.run("COUNT(DISTINCT p.actor_id)")[0][0]
