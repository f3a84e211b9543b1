"""The world map's geometry: the build command, the projection, simplification, the date line, coverage."""

import json
import math
import re

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from atlas import geometry
from atlas.management.commands.build_world_map import SOURCE
from atlas.world import WORLD_FILE, nearest, world
from recommendations.models import Actor

FIXTURE_COUNTRIES = json.loads((WORLD_FILE.parents[1] / "fixtures" / "countries.json").read_text(encoding="utf-8"))


def absolute_points(d: str) -> list[list[tuple[int, int]]]:
    """The rings of a path written by geometry.path_data (M/m then l … z), in absolute coordinates."""
    rings, x, y, start = [], 0, 0, (0, 0)
    for command, numbers in re.findall(r"([Mmlz])([^Mmlz]*)", d):
        values = [int(v) for v in re.findall(r"-?\d+", numbers)]
        if command == "M":
            x, y = values
            start = (x, y)
            rings.append([(x, y)])
        elif command == "m":
            x, y = start[0] + values[0], start[1] + values[1]
            start = (x, y)
            rings.append([(x, y)])
        elif command == "l":
            for dx, dy in zip(values[::2], values[1::2], strict=True):
                x, y = x + dx, y + dy
                rings[-1].append((x, y))
        else:
            x, y = start
    return rings


def test_the_committed_map_is_what_the_build_command_makes(tmp_path):
    """world.json is reproducible from the vendored source and the options recorded in it."""
    committed = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    options = committed["options"]
    out = tmp_path / "world.json"
    call_command(
        "build_world_map",
        output=str(out),
        width=options["width"],
        tolerance=options["tolerance"],
        min_ring=options["min_ring"],
        small_area=options["small_area"],
        stdout=open(tmp_path / "log", "w"),  # noqa: SIM115 - closed with the tmp dir
    )
    assert json.loads(out.read_text(encoding="utf-8")) == committed


def test_the_build_refuses_a_changed_source(tmp_path, settings):
    from django.core.management.base import CommandError

    changed = tmp_path / "countries-50m.json"
    changed.write_bytes(SOURCE.read_bytes().replace(b'"Kenya"', b'"Kenia"'))
    import atlas.management.commands.build_world_map as command

    original = command.SOURCE
    command.SOURCE = changed
    try:
        with pytest.raises(CommandError, match="not the vendored"):
            call_command("build_world_map", source=str(changed), output=str(tmp_path / "out.json"))
    finally:
        command.SOURCE = original


def test_every_country_of_the_fixture_is_drawn_or_in_the_small_states_inset():
    atlas = world()
    codes = {c["iso3"] for c in FIXTURE_COUNTRIES}
    drawn = {code for code in codes if code in atlas.shapes}
    inset = {code for code in codes if atlas.is_small(code)}
    assert drawn | inset == codes
    # The source map lacks only Tuvalu; it is in the inset, and so is every state drawn too small to see.
    assert set(atlas.missing) == codes - drawn == {"TUV"}
    assert {"MCO", "VAT", "NRU", "SGP", "MLT", "KNA"} <= inset
    assert not {"KEN", "BRA", "RUS", "FRA"} & inset
    # Every drawn country has an outline with at least one ring of three points.
    for code in drawn:
        rings = absolute_points(atlas.shapes[code].d)
        assert rings and all(len(ring) >= 3 for ring in rings), code


def test_the_map_never_streaks_across_the_date_line():
    """Russia and Fiji cross 180°: their outlines are cut there, not joined by lines across the whole map."""
    atlas = world()
    for code, shape in atlas.shapes.items():
        for ring in absolute_points(shape.d):
            edges = zip(ring, ring[1:] + ring[:1], strict=True)
            longest = max(abs(x2 - x1) for (x1, _), (x2, _) in edges)
            assert longest < 0.1 * atlas.width, code
    # Both sides are drawn: Russia reaches the right-hand edge, and its lands east of 180° sit at the left one.
    xs = [x for ring in absolute_points(atlas.shapes["RUS"].d) for x, _ in ring]
    assert max(xs) > 0.85 * atlas.width and min(xs) < 0.15 * atlas.width  # the date line curves in the north
    fiji = [x for ring in absolute_points(atlas.shapes["FJI"].d) for x, _ in ring]
    assert max(fiji) > 0.97 * atlas.width


def test_antimeridian_split_keeps_both_sides():
    pieces = geometry.split_at_antimeridian([(170.0, 10.0), (179.0, 10.0), (-179.0, 12.0), (-170.0, 12.0)])
    assert pieces == [[(170.0, 10.0), (179.0, 10.0), (180.0, 11.0)], [(-180.0, 11.0), (-179.0, 12.0), (-170.0, 12.0)]]


def test_equal_earth_is_symmetric_and_bounded():
    x, y = geometry.equal_earth(180, 0)
    assert x == pytest.approx(2.7066, abs=1e-3) and y == 0
    assert geometry.equal_earth(0, 90)[1] == pytest.approx(1.3173, abs=1e-3)
    assert geometry.equal_earth(-30, -40) == pytest.approx(tuple(-v for v in geometry.equal_earth(30, 40)))


@given(st.floats(min_value=-75, max_value=75), st.floats(min_value=-170, max_value=170))
def test_equal_earth_keeps_areas(lat, lon):
    """A small cell covers the same map area per unit of the sphere's area wherever it is (equal-area)."""
    step = 0.01

    def cell_area(lat, lon):
        corners = [
            geometry.equal_earth(lon, lat),
            geometry.equal_earth(lon + step, lat),
            geometry.equal_earth(lon + step, lat + step),
            geometry.equal_earth(lon, lat + step),
        ]
        return geometry.ring_area(corners)

    sphere = math.radians(step) * (math.sin(math.radians(lat + step)) - math.sin(math.radians(lat)))
    assert cell_area(lat, lon) / sphere == pytest.approx(1, rel=2e-3)


def test_visvalingam_keeps_the_ends_and_drops_only_small_wiggles():
    line = [(0, 0), (1, 0.01), (2, 0), (3, 5), (4, 0), (5, 0)]
    simplified = geometry.visvalingam(line, threshold=0.5)
    assert simplified[0] == (0, 0) and simplified[-1] == (5, 0)
    assert (3, 5) in simplified and (1, 0.01) not in simplified
    ring = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    assert len(geometry.visvalingam(ring, threshold=100, keep=4)) == 4


def test_path_data_is_compact_and_round_trips():
    rings = [[(10, 10), (20, 10), (20, 25)], [(30, 30), (31, 32), (29, 33)]]
    d = geometry.path_data(rings)
    assert d == "M10 10l10 0 0 15zm20 20l1 2-2 1z"
    assert absolute_points(d) == rings


@pytest.mark.django_db
def test_land_neighbours_come_first_in_a_region_selection():
    peers = [a.iso3 for a in Actor.objects.filter(intermediate_region="Eastern Africa").exclude(iso3="KEN")]
    # Kenya's five land neighbours, all in Eastern Africa, before any other country of the region.
    assert set(nearest("KEN", peers, 5)) == {"UGA", "TZA", "ETH", "SOM", "SSD"}
    assert set(world().neighbours["KEN"]) == {"UGA", "TZA", "ETH", "SOM", "SSD"}
    # An island state has no land neighbour: the nearest come first.
    assert nearest("MUS", peers, 1) == ["MDG"]
