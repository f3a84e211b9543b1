"""Server-side SVG charts: no JavaScript, printable, readable by screen readers.

Every chart is an ``<svg role="img">`` with a title and a description in
words, and pages show the same numbers in a table beside it. Colours come
from CSS classes (``f-<status>``) in tracker.css, an Okabe–Ito palette that
colour-blind readers can tell apart; the legend and tables always name the
status, so colour never carries meaning alone.
"""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .models import status_label


def stacked_bar(counts, *, label: str, height: int = 18) -> str:
    """One horizontal bar split by status; ``counts`` is [(status, label, n)]."""
    total = sum(n for _, _, n in counts)
    if not total:
        return ""
    words = "; ".join(f"{text}: {n}" for _, text, n in counts)
    parts, x = [], 0.0
    for status, text, n in counts:
        width = 100 * n / total
        parts.append(
            format_html(
                '<rect class="f-{}" x="{}%" y="0" width="{}%" height="{}"><title>{}: {}</title></rect>',
                status,
                f"{x:.3f}",
                f"{width:.3f}",
                height,
                text,
                n,
            )
        )
        x += width
    return format_html(
        '<svg class="bar" role="img" aria-label="{}" width="100%" height="{}" preserveAspectRatio="none">{}</svg>',
        f"{label}: {words}",
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
            shapes.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" class="axis">{}</text>',
                    f"{left + i * step + step / 2:.1f}",
                    height - 6,
                    year,
                )
            )
    for fraction in (0, 0.5, 1):
        value = round(top * fraction)
        y = top_pad + plot_h * (1 - value / top)
        shapes.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"></line>'
                '<text x="{}" y="{}" text-anchor="end" class="axis">{}</text>',
                left,
                width - right,
                f"{y:.1f}",
                f"{y:.1f}",
                left - 4,
                f"{y + 4:.1f}",
                value,
            )
        )
    last = ", ".join(f"{status_label(s)} {series[s][-1]}" for s in statuses if series[s][-1])
    description = f"{label}, {years[0]}–{years[-1]}. At the end of {years[-1]}: {last or 'none'}."
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" width="100%"><title>{}</title>{}</svg>',
        width,
        height,
        description,
        mark_safe("".join(shapes)),  # nosec B308 B703 # noqa: S308 - every shape above was built with format_html
    )


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
        '<li><a class="glossary-link" href="{}">What the statuses mean</a></li>', reverse("recommendations:glossary")
    )
    return format_html('<ul class="legend list-inline small">{}</ul>', mark_safe(items))  # nosec B308 B703 # noqa: S308
