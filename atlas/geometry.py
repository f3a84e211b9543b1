"""Turning the vendored world map into the compact, projected outlines the app draws.

Build time only (``manage.py build_world_map``): nothing here runs on a
request. The source is Natural Earth's 1:50m admin-0 countries as TopoJSON
(the npm package ``world-atlas``, vendored under ``atlas/geodata/``). TopoJSON
stores each border once, as an *arc* shared by the two countries it
separates, so simplifying arcs (not polygons) keeps neighbours touching:
no gaps or overlaps appear along borders.

Steps: decode the quantized arcs to longitude/latitude; project them with
the Equal Earth projection (Šavrič, Patterson & Jenny, 2018: equal-area, so
large countries do not look more important than they are, and a pleasant
shape for a world map); simplify each arc with Visvalingam–Whyatt (drop the
points whose triangle with their neighbours is smaller than a threshold, in
square pixels of the final map); round to a whole-pixel grid; write each
country as one SVG path in relative coordinates. Countries are matched to
the tracker's by their numeric ISO 3166 / UN M49 code.
"""

import heapq
import math

# Equal Earth (EPSG:8857) polynomial coefficients.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2

# Drawn in grey, unlinked: land that is not a UN Member or observer State in the tracker.
# Antarctica is left out entirely (it would take a fifth of the height for no data).
LEFT_OUT = {"010"}


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Project degrees to Equal Earth plane coordinates (unit sphere; y grows northwards)."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


HALF_WIDTH = equal_earth(180, 0)[0]  # x of the antimeridian on the equator


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON's delta-encoded, quantized arcs as lists of (longitude, latitude)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _triangle(a, b, c) -> float:
    return abs((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])) / 2


def visvalingam(points: list[tuple[float, float]], threshold: float, keep: int = 2) -> list[tuple[float, float]]:
    """Visvalingam–Whyatt: repeatedly drop the point with the smallest effective area below ``threshold``.

    The two ends always stay (they join other arcs); at least ``keep`` points
    remain, so a closed arc (an island) never collapses below a triangle.
    """
    n = len(points)
    if n <= max(keep, 2):
        return list(points)
    prev = list(range(-1, n - 1))
    nxt = list(range(1, n + 1))
    area = [math.inf] * n
    heap = []
    for i in range(1, n - 1):
        area[i] = _triangle(points[i - 1], points[i], points[i + 1])
        heap.append((area[i], i))
    heapq.heapify(heap)
    alive, removed_floor = n, 0.0
    while heap and alive > keep:
        a, i = heapq.heappop(heap)
        if a != area[i] or area[i] == -1:
            continue  # stale entry
        # An effective area never drops below that of a point removed before it (keeps removal order monotone).
        a = max(a, removed_floor)
        if a >= threshold:
            break
        removed_floor = a
        area[i] = -1
        alive -= 1
        p, q = prev[i], nxt[i]
        nxt[p], prev[q] = q, p
        for j in (p, q):
            if 0 < j < n - 1 and area[j] != -1:
                area[j] = _triangle(points[prev[j]], points[j], points[nxt[j]])
                heapq.heappush(heap, (area[j], j))
    return [points[i] for i in range(n) if area[i] != -1]


def ring_area(ring: list[tuple[float, float]]) -> float:
    """Unsigned shoelace area."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def ring_centroid(ring: list[tuple[float, float]]) -> tuple[float, float]:
    total = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        total += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(total) < 1e-12:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (3 * total), cy / (3 * total)


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def split_at_antimeridian(arc: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """An arc as pieces that never cross ±180° longitude, each crossing becoming an end on either side.

    The source keeps Russia's and Fiji's outlines whole across the date line
    (a renderer is expected to cut them); drawn as they are, they would
    streak across the whole map.
    """
    pieces = [[arc[0]]]
    for a, b in zip(arc, arc[1:], strict=False):
        if abs(b[0] - a[0]) > 180:
            side = 180.0 if a[0] > 0 else -180.0
            b_lon = b[0] + (360 if a[0] > 0 else -360)
            t = (side - a[0]) / (b_lon - a[0]) if b_lon != a[0] else 0.0
            lat = a[1] + t * (b[1] - a[1])
            pieces[-1].append((side, lat))
            pieces.append([(-side, lat)])
        pieces[-1].append(b)
    return pieces


def _ring_pieces(arc_refs: list[int], index: list[list[int]], arcs: list) -> list[list[tuple[float, float]]]:
    """A ring's points; a ring cut by the date line comes back as its pieces on each side, still open."""
    pieces: list[list[tuple[float, float]]] = [[]]
    for ref in arc_refs:
        parts = [(i, False) for i in index[ref]] if ref >= 0 else [(i, True) for i in reversed(index[~ref])]
        for n, (part, backwards) in enumerate(parts):
            points = arcs[part][::-1] if backwards else arcs[part]
            if n:
                pieces.append([])  # the arc jumped across the date line
            current = pieces[-1]
            current.extend(points if not current else points[1:])
    if len(pieces) > 1:
        pieces[0] = pieces.pop() + pieces[0][1:]  # the ring started inside a piece
        return pieces
    ring = pieces[0]
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    return [ring]


def _number_pairs(values: list[int]) -> str:
    """'3 -4 5 6' written as SVG allows: no space before a minus sign."""
    out = []
    for value in values:
        text = str(value)
        if out and not text.startswith("-"):
            out.append(" ")
        out.append(text)
    return "".join(out)


def path_data(rings: list[list[tuple[int, int]]]) -> str:
    """Rings of grid points as one compact SVG path (relative moves and lines)."""
    parts, start = [], None
    for ring in rings:
        x0, y0 = ring[0]
        if start is None:
            parts.append(f"M{x0} {y0}")
        else:
            parts.append("m" + _number_pairs([x0 - start[0], y0 - start[1]]))
        start = (x0, y0)
        deltas, (px, py) = [], (x0, y0)
        for x, y in ring[1:]:
            deltas += [x - px, y - py]
            px, py = x, y
        parts.append("l" + _number_pairs(deltas) + "z")
    return "".join(parts)


def _on_grid(points: list[tuple[float, float]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for x, y in points:
        point = (round(x), round(y))
        if not out or point != out[-1]:
            out.append(point)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def build(
    topology: dict,
    countries: list[dict],
    *,
    width: int = 1000,
    tolerance: float = 0.4,
    min_ring: float = 1.0,
    small_area: float = 40.0,
    margin: int = 4,
) -> dict:
    """The compact map: projected, simplified outlines keyed by ISO3, plus what the app needs around them.

    ``tolerance`` and ``min_ring`` are in square pixels of a map ``width``
    pixels wide; a country whose outline covers less than ``small_area``
    square pixels is *small*: the map also marks it with a dot and the inset.
    """
    by_m49 = {f"{c['m49']:03d}": c for c in countries}
    scale = width / (2 * HALF_WIDTH)

    def project(lon, lat):
        x, y = equal_earth(lon, lat)
        return x * scale, -y * scale

    # Cut arcs at the date line, project, simplify each piece once (both neighbours share it).
    pieces, index, cut_ends = [], [], {}
    for arc in decode_arcs(topology):
        index.append([])
        for piece in split_at_antimeridian(arc):
            points = [project(lon, lat) for lon, lat in piece]
            for (lon, lat), point in ((piece[0], points[0]), (piece[-1], points[-1])):
                if abs(lon) == 180:
                    cut_ends[point] = (lon, lat)
            closed = len(points) > 3 and points[0] == points[-1]
            index[-1].append(len(pieces))
            pieces.append(visvalingam(points, tolerance, keep=4 if closed else 2))
    full = None  # unsimplified pieces, computed only if a tiny enclave needs them

    def ring_list(arc_refs):
        nonlocal full
        parts = _ring_pieces(arc_refs, index, pieces)
        if len(parts) == 1 and len(parts[0]) < 3:  # a tiny enclave whose few border points all went
            if full is None:
                full = [
                    [project(lon, lat) for lon, lat in piece]
                    for arc in decode_arcs(topology)
                    for piece in split_at_antimeridian(arc)
                ]
            parts = _ring_pieces(arc_refs, index, full)
        if len(parts) == 1:
            return parts
        # Close each piece along its edge of the map (the date line), following the meridian's curve.
        closed = []
        for part in parts:
            (lon, lat_end), (_, lat_start) = cut_ends[part[-1]], cut_ends[part[0]]
            steps = max(1, int(abs(lat_start - lat_end) / 2))
            edge = [project(lon, lat_end + (lat_start - lat_end) * k / steps) for k in range(1, steps)]
            closed.append(part + edge)
        return closed

    geometries = topology["objects"]["countries"]["geometries"]
    rings_of: dict[str | None, list] = {}  # ISO3 (None: land the tracker does not track) → rings
    arcs_of: dict[str, set[int]] = {}
    for geometry in geometries:
        code = geometry.get("id")
        if code in LEFT_OUT:
            continue
        country = by_m49.get(code)
        # Features sharing a code are one country (Australia and its Ashmore and Cartier Islands).
        key = country["iso3"] if country else None
        rings = rings_of.setdefault(key, []) if key else []
        for polygon in _polygons(geometry):
            for arc_refs in polygon:
                rings.extend(ring for ring in ring_list(arc_refs) if len(ring) >= 3)
                if key:
                    arcs_of.setdefault(key, set()).update(r if r >= 0 else ~r for r in arc_refs)
        if key is None and rings:
            rings_of.setdefault(None, []).append(rings)
    features = []  # (iso3 or None, rings, largest ring)
    for key, rings in rings_of.items():
        for group in rings if key is None else [rings]:
            largest = max(group, key=ring_area)
            kept = [r for r in group if r is largest or ring_area(r) >= min_ring]
            features.append((key, kept, largest))

    xs = [x for _, rings, _ in features for ring in rings for x, _ in ring]
    ys = [y for _, rings, _ in features for ring in rings for _, y in ring]
    left, top = math.floor(min(xs)) - margin, math.floor(min(ys)) - margin
    map_width = math.ceil(max(xs)) - left + margin
    map_height = math.ceil(max(ys)) - top + margin

    def shift(ring):
        return [(x - left, y - top) for x, y in ring]

    shapes: dict[str, dict] = {}
    others = []
    for iso3, rings, largest in features:
        grid_rings = [g for g in (_on_grid(shift(r)) for r in rings) if len(g) >= 3]
        if not grid_rings:  # a speck: keep it as a triangle around its centre so it still exists
            cx, cy = ring_centroid(shift(largest))
            grid_rings = [[(round(cx), round(cy) - 1), (round(cx) + 1, round(cy) + 1), (round(cx) - 1, round(cy) + 1)]]
        d = path_data(grid_rings)
        if iso3 is None:
            others.append(d)
            continue
        area = sum(ring_area(shift(r)) for r in rings)
        cx, cy = ring_centroid(shift(largest))
        shapes[iso3] = {
            "d": d,
            "area": round(area, 1),
            "centre": [round(cx, 1), round(cy, 1)],
            "small": area < small_area,
        }

    neighbours = {}
    for iso3, arc_ids in arcs_of.items():
        neighbours[iso3] = sorted(other for other, ids in arcs_of.items() if other != iso3 and ids & arc_ids)
    missing = sorted(c["iso3"] for c in countries if c["iso3"] not in shapes)
    return {
        "width": map_width,
        "height": map_height,
        "countries": dict(sorted(shapes.items())),
        "others": "".join(others),
        "neighbours": {k: v for k, v in sorted(neighbours.items()) if v},
        "missing": missing,
    }
