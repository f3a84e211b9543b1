"""The built world map (atlas/world.json), read once per process.

Everything geographic the app knows comes from here: each country's outline
(an SVG path on the map's grid), its centre, whether it is too small to see
(it then also gets a dot and a box in the small-states inset), which
countries share a land border, and which of the tracker's countries the
source map lacks (they appear in the inset only).
"""

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

WORLD_FILE = Path(__file__).resolve().parent / "world.json"
CREDIT = _("Natural Earth (public domain), via world-atlas 2.0.2 (ISC licence); Equal Earth projection")
BOUNDARIES_NOTE = _("Boundaries are Natural Earth's and imply no position on the legal status of any territory.")


@dataclass(frozen=True)
class Shape:
    d: str
    centre: tuple[float, float]
    area: float
    small: bool


@dataclass(frozen=True)
class World:
    width: int
    height: int
    shapes: dict[str, Shape]  # by ISO3
    others: str  # land the tracker does not track, one path
    neighbours: dict[str, tuple[str, ...]]
    missing: tuple[str, ...]  # tracked countries the source map does not draw

    def is_small(self, iso3: str) -> bool:
        """Too small to see or click on the map, or not drawn at all: listed in the inset."""
        shape = self.shapes.get(iso3)
        return shape is None or shape.small

    def distance(self, a: str, b: str) -> float:
        """Distance between two countries' centres on the map (infinite when one is not drawn)."""
        if a not in self.shapes or b not in self.shapes:
            return math.inf
        (ax, ay), (bx, by) = self.shapes[a].centre, self.shapes[b].centre
        return math.hypot(ax - bx, ay - by)


@functools.cache
def world() -> World:
    data = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    return World(
        width=data["width"],
        height=data["height"],
        shapes={
            code: Shape(d=s["d"], centre=tuple(s["centre"]), area=s["area"], small=s["small"])
            for code, s in data["countries"].items()
        },
        others=data["others"],
        neighbours={code: tuple(codes) for code, codes in data["neighbours"].items()},
        missing=tuple(data["missing"]),
    )


def nearest(iso3: str, candidates, limit: int) -> list[str]:
    """Up to ``limit`` of ``candidates`` (ISO3 codes) nearest to ``iso3``: land neighbours first, then by distance."""
    atlas = world()
    borders = set(atlas.neighbours.get(iso3, ()))
    others = [c for c in dict.fromkeys(candidates) if c != iso3]
    others.sort(key=lambda c: (c not in borders, atlas.distance(iso3, c), c))
    return others[:limit]
