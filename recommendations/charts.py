"""Server-side SVG charts: no JavaScript, printable, readable by screen readers.

Every chart is an ``<svg role="img">`` with a title and a description in
words, and pages show the same numbers in a table beside it. Colours come
from CSS classes (``f-<status>``) in tracker.css, an Okabe–Ito palette that
colour-blind readers can tell apart; the legend and tables always name the
status, so colour never carries meaning alone.
"""

from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from languages.names import document_language
from languages.numbers import count, measured
from languages.sentences import clauses

from .models import status_label


def stacked_bar(counts, *, label: str, height: int = 18) -> str:
    """One horizontal bar split by status; ``counts`` is [(status, label, n)]."""
    total = sum(n for _, _, n in counts)
    if not total:
        return ""
    # "Limité : 12 345" in French, "有限：12" in Chinese: the catalog's pattern, looked up once per bar.
    said = {status: _("%(label)s: %(value)s") % {"label": text, "value": count(n)} for status, text, n in counts}
    words = clauses(said[status] for status, _text, _n in counts)
    parts, x = [], 0.0
    for status, _text, n in counts:
        width = 100 * n / total
        # format_html's output, written out: the summary draws ~120 bars of ~8 parts each, and format_html
        # escapes every argument, numbers included (~20 ms of the all-items page, docs/performance.md).
        parts.append(
            f'<rect class="f-{conditional_escape(status)}" x="{x:.3f}%" y="0" width="{width:.3f}%" '
            f'height="{height}"><title>{conditional_escape(said[status])}</title></rect>'
        )
        x += width
    return format_html(
        '<svg class="bar" role="img" aria-label="{}" width="100%" height="{}" preserveAspectRatio="none">{}</svg>',
        _("%(label)s: %(value)s") % {"label": label, "value": words},
        height,
        mark_safe("".join(parts)),  # nosec B308 B703 # noqa: S308 - every part above was built with format_html
    )


def columns_over_time(history: dict, *, label: str, width: int = 720, height: int = 240) -> str:
    """Stacked columns, one per year: how many were at each status at the end of that year."""
    years, statuses, series = history["years"], history["statuses"], history["series"]
    if not years:
        return ""
    totals = [sum(series[s][i] for s in statuses) for i in range(len(years))]
    top = max(max(totals), 1)
    left, bottom, right, top_pad = 40, 24, 8, 8
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    step = plot_w / len(years)
    bar_w = max(step * 0.8, 1)
    shapes = []
    for i, year in enumerate(years):
        y = top_pad + plot_h
        for status in statuses:
            n = series[status][i]
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            shapes.append(
                format_html(
                    '<rect class="f-{}" x="{}" y="{}" width="{}" height="{}"><title>{}: {} {}</title></rect>',
                    status,
                    f"{left + i * step + (step - bar_w) / 2:.1f}",
                    f"{y:.1f}",
                    f"{bar_w:.1f}",
                    f"{h:.1f}",
                    year,
                    n,
                    status_label(status),
                )
            )
    every = max(1, round(len(years) / 8))
    for i, year in enumerate(years):
        # Every n-th year, and the last one unless it would overlap the previous label.
        last = i == len(years) - 1 and i % every >= every / 2
        if i % every == 0 or last:
            shapes.append(_year_label(left + i * step + step / 2, height, year))
    for fraction in (0, 0.5, 1):
        value = round(top * fraction)
        shapes.append(_gridline(top_pad + plot_h * (1 - value / top), count(value), left=left, right=width - right))
    last = ", ".join(f"{status_label(s)} {count(series[s][-1])}" for s in statuses if series[s][-1])
    description = _("%(label)s, %(first)s–%(last)s. At the end of %(last)s: %(counts)s.") % {
        "label": label,
        "first": years[0],
        "last": years[-1],
        "counts": last or _("none"),
    }
    return _chart_svg(shapes, description, width=width, height=height)


def _gridline(y: float, value, *, left: int, right: int) -> str:
    """A horizontal grid line across the plot and its value on the axis."""
    return format_html(
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"></line>'
        '<text x="{}" y="{}" text-anchor="end" class="axis">{}</text>',
        left,
        right,
        f"{y:.1f}",
        f"{y:.1f}",
        left - 4,
        f"{y + 4:.1f}",
        value,
    )


def _year_label(x: float, height: int, year) -> str:
    return format_html('<text x="{}" y="{}" text-anchor="middle" class="axis">{}</text>', f"{x:.1f}", height - 6, year)


def _chart_svg(shapes: list[str], description: str, *, width: int, height: int) -> str:
    """An inline chart: the shapes (each built with format_html) under a title that says it in words."""
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" width="100%"><title>{}</title>{}</svg>',
        width,
        height,
        description,
        mark_safe("".join(shapes)),  # nosec B308 B703 # noqa: S308 - every shape was built with format_html
    )


def over_time(history: dict, *, label: str) -> dict:
    """What a page's "Over time" block shows (``_over_time.html``): the columns chart of a
    ``reports.history_by_year`` result and the numbers behind it, a row per year."""
    return {
        "history": history,
        "history_chart": columns_over_time(history, label=label),
        "history_rows": [
            (year, [history["series"][s][i] for s in history["statuses"]]) for i, year in enumerate(history["years"])
        ],
        "history_labels": [status_label(s) for s in history["statuses"]],
    }


def legend(statuses) -> str:
    items = "".join(
        format_html(
            '<li><svg width="14" height="14" aria-hidden="true">'
            '<rect class="f-{}" width="14" height="14"></rect></svg> {}</li>',
            s,
            status_label(s),
        )
        for s in statuses
    )
    items += format_html(
        '<li><a class="glossary-link" href="{}">{}</a></li>',
        reverse("recommendations:glossary"),
        _("What the statuses mean"),
    )
    return format_html('<ul class="legend list-inline small">{}</ul>', mark_safe(items))  # nosec B308 B703 # noqa: S308


def _number(value) -> str:
    """A measured value as the pages write it: "8.5" in English, "8,5" in French and Russian."""
    from .models import plain_number

    return measured(plain_number(value))


def values_over_time(years, values, *, label: str, unit: str, width: int = 720, height: int = 200) -> str:
    """A line of measured values, one point per year (the median over the pairs shown; gaps where none)."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if not points:
        return ""
    numbers = [float(v) for _, v in points]
    low, high = min(0.0, min(numbers)), max(numbers) or 1.0
    left, bottom, right, top_pad = 40, 24, 8, 12
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    step = plot_w / len(years)

    def xy(i, v):
        return left + i * step + step / 2, top_pad + plot_h * (1 - (float(v) - low) / ((high - low) or 1))

    path = " ".join(f"{'M' if n == 0 else 'L'}{x:.1f} {y:.1f}" for n, (x, y) in enumerate(xy(i, v) for i, v in points))
    shapes = [format_html('<path d="{}" class="value-line" fill="none"></path>', path)]
    for i, v in points:
        x, y = xy(i, v)
        shapes.append(
            format_html(
                '<circle cx="{}" cy="{}" r="3" class="value-dot"><title>{}: {} {}</title></circle>',
                f"{x:.1f}",
                f"{y:.1f}",
                years[i],
                _number(v),
                unit,
            )
        )
    for value in (low, (low + high) / 2, high):
        y = top_pad + plot_h * (1 - (value - low) / ((high - low) or 1))
        shapes.append(_gridline(y, measured(f"{value:.3g}"), left=left, right=width - right))
    every = max(1, round(len(years) / 8))
    for i, year in enumerate(years):
        if i % every == 0:
            shapes.append(_year_label(left + i * step + step / 2, height, year))
    first, last = points[0], points[-1]
    description = _(
        "%(label)s: %(first)s %(unit)s at the end of %(first_year)s, %(last)s %(unit)s at the end of %(last_year)s."
    ) % {
        "label": label,
        "first": _number(first[1]),
        "last": _number(last[1]),
        "unit": unit,
        "first_year": years[first[0]],
        "last_year": years[last[0]],
    }
    return _chart_svg(shapes, description, width=width, height=height)


# A downloaded chart is read outside the page (slides, reports): it carries its own styles, title, date,
# legend and source, as the map's file does (atlas/svg.py); the PNG is the same file drawn by CairoSVG.
STANDALONE_CSS = (
    "text{font-family:DejaVu Sans,Arial,Helvetica,sans-serif;fill:#212529}.axis{font-size:11px;fill:#343a40}"
    ".grid{stroke:#dee2e6}.value-line{stroke:#0b3d6e;stroke-width:2.5}.value-dot{fill:#0b3d6e}"
)


def standalone(
    chart: str,
    *,
    title: str,
    lines: list[str],
    legend_statuses,
    source: list[str],
    line_label: str = "",
    subject: tuple[str, str] = ("", ""),
    width=760,
):
    """A self-contained SVG file: ``chart`` (an inline chart from this module) under its title and date lines,
    with the legend and the source drawn in. ``subject`` (text, `` lang="…"`` or "") is drawn above the title
    in its own language: an item's English title, which the title's sentence in another language leaves out."""
    import textwrap

    from django.utils.html import escape

    from atlas.svg import palette_css

    pad, y, parts = 20, 20, []
    subject_text, subject_lang = subject
    for line in textwrap.wrap(subject_text, 60)[:3]:
        y += 24
        parts.append(f'<text x="{pad}" y="{y}" font-size="20" font-weight="bold"{subject_lang}>{escape(line)}</text>')
    for line in textwrap.wrap(title, 60)[:3]:
        y += 24
        parts.append(f'<text x="{pad}" y="{y}" font-size="20" font-weight="bold">{escape(line)}</text>')
    for text in lines:
        for line in textwrap.wrap(text, 100):
            y += 18
            parts.append(f'<text x="{pad}" y="{y}" font-size="13">{escape(line)}</text>')
    y += 10
    vw, vh = (float(n) for n in chart.split('viewBox="0 0 ', 1)[1].split('"', 1)[0].split())
    chart_w = width - 2 * pad
    chart_h = chart_w * vh / vw
    inner = chart.replace('class="chart" role="img" ', "", 1).replace(
        ' width="100%"', f' width="{chart_w}" height="{chart_h:.0f}"', 1
    )
    parts.append(f'<g transform="translate({pad} {y})">{inner}</g>')
    y += chart_h + 20
    for n, status in enumerate(legend_statuses):
        x, row_y = pad + (n % 4) * ((width - 2 * pad) // 4), y + (n // 4) * 22
        parts.append(
            f'<rect class="f-{status}" x="{x}" y="{row_y}" width="14" height="14"/>'
            f'<text x="{x + 20}" y="{row_y + 12}" font-size="12">{escape(status_label(status))}</text>'
        )
    if line_label:  # the legend of a line chart
        parts.append(
            f'<path d="M{pad} {y + 7}h22" class="value-line"/><circle cx="{pad + 11}" cy="{y + 7}" r="3" '
            f'class="value-dot"/><text x="{pad + 30}" y="{y + 12}" font-size="12">{escape(line_label)}</text>'
        )
        y += 22
    y += -(-len(legend_statuses) // 4) * 22 + 8
    for text in source:
        for line in textwrap.wrap(text, 120):
            y += 15
            parts.append(f'<text x="{pad}" y="{y}" font-size="11">{escape(line)}</text>')
    height = int(y + pad)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img"{document_language()} aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f"<style>{palette_css()}{STANDALONE_CSS}</style>"
        f'<rect width="{width}" height="{height}" fill="#fff"/>{"".join(parts)}</svg>\n'
    )
