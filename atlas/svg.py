"""Drawing a ``WorldMap`` as SVG: inline in a page, or standalone for download (and PNG).

Colours are the reports' palette: each country is an ``<a>`` with the class
``f-<status>`` that tracker.css fills (the standalone file embeds those same
rules, read from tracker.css, so there is one palette). Statuses that could be
confused in greyscale or by colour-blind readers also carry a pattern
(hatching for "part way", cross-hatching for "backwards", dots for
"substantial"), and the legend gives each status's letter, as the matrix does.

Every country in the selection is a link to its history on the item with a
``<title>`` naming it and its status, in name order, so the keyboard reaches
them all (small states last, so their dots are drawn on top). Countries too
small to see get a dot and a box in the inset below the map; a country the
source map lacks is in the inset only, as a link.
"""

import functools
import re
import textwrap

from django.contrib.staticfiles import finders
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from languages.dates import long_date
from languages.names import coded_title, document_language
from languages.sentences import clauses

from .maps import Place, WorldMap
from .world import BOUNDARIES_NOTE, CREDIT, world

PATTERNS = {
    "signed": "hatch",
    "limited": "hatch",
    "progressing": "hatch",
    "substantial": "dots",
    "denounced": "cross",
    "backsliding": "cross",
}
PATTERN_MARKS = {
    "hatch": '<path d="M0 0V8" stroke="#000" stroke-opacity=".5" stroke-width="2.5"/>',
    "cross": '<path d="M0 0V8M0 4H8" stroke="#000" stroke-opacity=".45" stroke-width="2"/>',
    "dots": '<circle cx="4" cy="4" r="1.7" fill="#000" fill-opacity=".45"/>',
}
DOT_RADIUS = 7
BOX_W, BOX_H, BOX_GAP = 100, 34, 6
INSET_TOP = 12  # gap between the map and the inset heading
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"

# Rules the standalone file needs besides the palette (a page gets them from atlas.css).
# (A solid line is written "1 0", not "none": CairoSVG would keep an inherited dash pattern.)
STANDALONE_CSS = (
    ".atlas-c path{stroke:#495057;stroke-width:.6;stroke-dasharray:1 0}"
    ".atlas-other{fill:#dee2e6}.atlas-out path{fill:#f1f3f5;stroke:#adb5bd;stroke-width:.6}"
    ".atlas-dot{stroke:#212529;stroke-width:1.5;stroke-dasharray:1 0}"
    ".atlas-box rect{stroke:#495057;stroke-width:1;stroke-dasharray:1 0}.atlas-box .atlas-box-bg{fill:#fff}"
    "text{fill:#212529;stroke:none}.atlas-box text{font-size:16px;font-weight:bold}"
)


@functools.cache
def palette_css() -> str:
    """The ``.f-<status>`` rules of tracker.css, for a standalone file (one palette, read from its one place)."""
    path = finders.find("tracker/tracker.css")
    with open(path, encoding="utf-8") as handle:
        css = handle.read()
    return "".join(re.findall(r"^\.f-[^{]*\{[^}]*\}", css, flags=re.MULTILINE))


def fill_attr(status: str) -> str:
    """A pattern fill for statuses that carry one (the attribute on the shape beats the inherited colour)."""
    return f' fill="url(#atlas-p-{status})"' if status in PATTERNS else ""


def pattern_defs(statuses) -> str:
    defs = []
    for status in statuses:
        kind = PATTERNS.get(status)
        if kind:
            defs.append(
                f'<pattern id="atlas-p-{status}" width="8" height="8" patternUnits="userSpaceOnUse" '
                f'patternTransform="rotate(45)"><rect width="8" height="8" class="f-{status}"/>'
                f"{PATTERN_MARKS[kind]}</pattern>"
            )
    return f"<defs>{''.join(defs)}</defs>" if defs else ""


def place_title(place: Place, item_code: str) -> str:
    detail = place.label
    if place.value:
        detail = _("%(label)s: %(value)s") % {"label": detail, "value": place.value_shown}
    if place.as_of:
        # Translators: %(when)s is "as of 15 March 2017", "as of March 2017" or "as of 2017" (contexts "as of a day",
        # "as of a month", "as of a year"), worded for its precision.
        detail = _("%(status)s, %(when)s") % {"status": detail, "when": place.as_of_phrase}
    return _("%(name)s: %(detail)s (%(code)s)") % {"name": place.name, "detail": detail, "code": item_code}


def inset_heading(world_map: WorldMap) -> str:
    missing = [p.name for p in world_map.without_geometry]
    if missing:
        return _("Small states, each also marked with a dot on the map (not drawn by the source map: %(names)s)") % {
            "names": ", ".join(missing)
        }
    return _("Small states, each also marked with a dot on the map")


def inset_layout(count: int, width: int) -> tuple[int, int]:
    """(boxes per row, height of the inset) for ``count`` small states."""
    if not count:
        return 0, 0
    per_row = max(1, (width - 16 + BOX_GAP) // (BOX_W + BOX_GAP))
    rows = -(-count // per_row)
    return per_row, INSET_TOP + 26 + rows * (BOX_H + BOX_GAP)


def map_body(world_map: WorldMap, *, link_prefix: str) -> tuple[str, int]:
    """The shapes, dots and inset of a map (no <svg> wrapper), and the height they take."""
    atlas = world()
    item_code = escape(world_map.item.code)
    places = world_map.places
    out = [pattern_defs(dict.fromkeys(p.status for p in places.values()))]
    out.append(f'<path class="atlas-other" d="{atlas.others}" aria-hidden="true"/>')
    outside = [shape.d for code, shape in atlas.shapes.items() if code not in places]
    if outside:
        out.append(f'<g class="atlas-out" aria-hidden="true"><path d="{"".join(outside)}"/></g>')

    def link(place: Place, inner: str, *, box: bool = False, hidden: bool = False) -> str:
        css = f"atlas-box f-{place.status}" if box else f"f-{place.status}"
        extra = ' tabindex="-1" aria-hidden="true"' if hidden else ""
        return (
            f'<a href="{escape(link_prefix)}{escape(place.code)}/{item_code}/" class="{css}"{extra}>'
            f"<title>{escape(place_title(place, world_map.item.code))}</title>{inner}</a>"
        )

    small = world_map.small_states
    small_codes = {p.code for p in small}
    out.append('<g class="atlas-c">')
    drawn = [(code, p) for code, p in places.items() if code in atlas.shapes and p.code not in small_codes]
    drawn += [(code, p) for code, p in places.items() if code in atlas.shapes and p.code in small_codes]
    for code, place in drawn:
        shape = atlas.shapes[code]
        inner = f'<path d="{shape.d}"{fill_attr(place.status)}/>'
        if shape.small:
            cx, cy = shape.centre
            inner += f'<circle class="atlas-dot" cx="{cx:g}" cy="{cy:g}" r="{DOT_RADIUS}"{fill_attr(place.status)}/>'
        out.append(link(place, inner))
    out.append("</g>")

    per_row, inset_height = inset_layout(len(small), atlas.width)
    if small:
        top = atlas.height + INSET_TOP
        heading = escape(inset_heading(world_map))
        out.append(f'<g class="atlas-inset"><text x="8" y="{top + 18}" font-size="20">{heading}</text>')
        for n, place in enumerate(small):
            x = 8 + (n % per_row) * (BOX_W + BOX_GAP)
            y = top + 26 + (n // per_row) * (BOX_H + BOX_GAP)
            box = (
                f'<rect class="atlas-box-bg" x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}"/>'
                f'<rect x="{x + 4}" y="{y + 4}" width="22" height="{BOX_H - 8}"{fill_attr(place.status)}/>'
                f'<text x="{x + 32}" y="{y + 23}">{escape(place.code)} {escape(place.short)}</text>'
            )
            # A country the map draws is already a link (its dot); its box is a second target for the mouse only.
            out.append(link(place, box, box=True, hidden=place.code in atlas.shapes))
        out.append("</g>")
    return "".join(out), atlas.height + inset_height


def inline_svg(world_map: WorldMap, *, link_prefix: str) -> str:
    """The map for a page: styled by tracker.css and atlas.css, named by its <title>."""
    atlas = world()
    body, height = map_body(world_map, link_prefix=link_prefix)
    title = _("Map: %(description)s") % {"description": world_map.describe()}
    return (
        f'<svg class="atlas-map" viewBox="0 0 {atlas.width} {height}" role="group" '
        f'aria-labelledby="atlas-title" fill-rule="evenodd" font-family="{FONT}">'
        f'<title id="atlas-title">{escape(title)}</title>{body}</svg>'
    )


def standalone_svg(world_map: WorldMap, *, link_prefix: str, source_url: str) -> str:
    """A self-contained SVG file for reports and slides: title, date, legend and credits drawn in."""
    atlas = world()
    width, pad = atlas.width, 24
    title_size, text_size, small_size = 34, 22, 18
    parts = []
    y = pad
    coded, title_lang = coded_title(world_map.item)  # lang="en" on a French map of an untranslated item
    title_lines = textwrap.wrap(coded, int(width / (title_size * 0.6)))
    for line in title_lines[:3]:
        y += title_size + 6
        parts.append(
            f'<text x="{pad}" y="{y}" font-size="{title_size}" font-weight="bold"{title_lang}>{escape(line)}</text>'
        )
    day = (
        _("Status as it stood on %(day)s (from the verified history)") % {"day": long_date(world_map.day)}
        if world_map.snapshot
        else _("Status on %(day)s, from verified updates") % {"day": long_date(world_map.day)}
    )
    filters = world_map.filters
    if filters:
        day += " · " + clauses(filters)
    for line in textwrap.wrap(day, int(width / (text_size * 0.55))):
        y += text_size + 8
        parts.append(f'<text x="{pad}" y="{y}" font-size="{text_size}">{escape(line)}</text>')
    y += 16
    body, map_height = map_body(world_map, link_prefix=link_prefix)
    parts.append(f'<g transform="translate(0 {y})">{body}</g>')
    y += map_height + 20

    # The legend: swatch (colour and pattern), letter, status, number of countries.
    counts = world_map.counts
    entries = [(f"f-{s}", fill_attr(s), f"{short} {label}: {n}") for s, label, short, n in counts]
    entries.append(("atlas-other", "", _("Not tracked (not a UN Member or observer State)")))
    if len(world_map.places) < len(atlas.shapes) + len(atlas.missing):
        entries.append(("atlas-out", "", _("Not in this selection")))
    column = (width - 2 * pad) // 3
    for n, (css, fill, text) in enumerate(entries):
        x, row_y = pad + (n % 3) * column, y + (n // 3) * 34
        if css == "atlas-out":
            swatch = f'<g class="atlas-out"><path d="M{x} {row_y}h26v22h-26z"/></g>'
        else:  # the class gives the colour; a pattern fill on the shape itself wins over it
            swatch = f'<g class="{css}"><rect x="{x}" y="{row_y}" width="26" height="22"{fill}/></g>'
        parts.append(swatch + f'<text x="{x + 34}" y="{row_y + 18}" font-size="{text_size - 2}">{escape(text)}</text>')
    y += -(-len(entries) // 3) * 34 + 14
    for line in (
        _("Source: %(url)s — the open tracker of the 2006 calls to action on international migration and development.")
        % {"url": source_url},
        _("Map: %(credit)s. %(boundaries)s") % {"credit": CREDIT, "boundaries": BOUNDARIES_NOTE},
    ):
        for wrapped in textwrap.wrap(line, int(width / (small_size * 0.55))):
            y += small_size + 6
            parts.append(f'<text x="{pad}" y="{y}" font-size="{small_size}">{escape(wrapped)}</text>')
    height = y + pad
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" fill-rule="evenodd" font-family="{FONT}" role="img"{document_language()} '
        f'aria-labelledby="atlas-title">'
        f'<title id="atlas-title">{escape(world_map.describe())}</title>'
        f"<style>{palette_css()}{STANDALONE_CSS}</style>"
        f'<rect width="{width}" height="{height}" fill="#fff"/>{"".join(parts)}</svg>\n'
    )


def table_rows(world_map: WorldMap, *, link_prefix: str) -> str:
    """The body of the table beside the map, built in Python: 195 rows are too many for template lookups."""
    item = escape(world_map.item.code)
    quantitative = world_map.item.kind == "quantitative"
    # The card layout's labels (data-label), in the page's language.
    status, value_label = escape(_("Status")), escape(_("Value"))
    out = []
    for place in world_map.places.values():
        value = place.value_shown
        out.append(
            f'<tr><th scope="row" class="fw-normal"><a href="{escape(link_prefix)}{escape(place.code)}/{item}/">'
            f'{escape(place.name)}</a></th><td data-label="{status}"><span class="status-badge status-{place.status}">'
            f"{escape(place.label)}</span></td>"
            f'<td class="text-nowrap" data-label="{escape(place.as_of_heading)}">{escape(place.as_of_shown)}</td>'
            + (
                f'<td class="text-end text-nowrap" data-label="{value_label}">{escape(value)}</td>'
                if quantitative
                else ""
            )
            + "</tr>"
        )
    return mark_safe("".join(out))  # nosec B308 B703 # noqa: S308 - every value above is escaped


def figure_context(world_map: WorldMap, *, link_prefix: str) -> dict:
    """What a page shows with a map (atlas/_map.html): the SVG, its legend, the inset's countries, the credit."""
    atlas = world()
    return {
        "world_map": world_map,
        "map_svg": mark_safe(inline_svg(world_map, link_prefix=link_prefix)),  # nosec B308 B703 # noqa: S308 - escaped
        "legend": [(status, label, short, n, PATTERNS.get(status, "")) for status, label, short, n in world_map.counts],
        "small_states": world_map.small_states,
        "small_states_by_status": world_map.small_states_by_status,
        "without_geometry": world_map.without_geometry,
        "without_geometry_names": ", ".join(place.name for place in world_map.without_geometry),
        "outside": len(world_map.places) < len(atlas.shapes) + len(atlas.missing),
        "actors_url": link_prefix,
        "credit": CREDIT,
        "boundaries_note": BOUNDARIES_NOTE,
    }


def png(svg: str, *, width: int | None = None) -> bytes:
    """Render a standalone SVG to PNG with CairoSVG (a kept library on Debian's libcairo2)."""
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width, unsafe=False)
