"""Template filters for the tracker's pages."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html_join

from languages.numbers import count, measured

from .. import glossary
from ..models import as_of_heading as heading_over
from ..models import format_as_of, plain_number
from ..models import public_name as name_in_public

register = template.Library()


@register.filter
def plain(value):
    """A number without exponent or trailing zeros, with the language's decimal sign: Decimal('20.0000') → '20',
    4.5000 → '4.5' ('4,5' in French). Pages only: the exports write ``plain_number``'s digits."""
    return measured(plain_number(value))


@register.filter
def as_of_heading(precisions) -> str:
    """The heading over as-of dates at ``precisions`` (one, or a list): "Au" over days in French, "En" over years
    (``models.as_of_heading``, worded as ``as_of_phrase`` words the dates), never "As of" translated once for all."""
    return heading_over([precisions] if isinstance(precisions, str) else precisions or ())


@register.simple_tag
def as_of_date(day, precision) -> str:
    """An as-of date at its precision, in the page's language ("March 2017", "mars 2017"): where no update holds it
    yet (an import's preview), as ``ProgressUpdate.as_of_display`` writes it for an update."""
    return format_as_of(day, precision)


@register.filter
def share(permille) -> str:
    """A share from a per-mille integer, with the language's decimal sign: 7 → "0.7 %" ("0,7 %" in French),
    123 → "12.3 %"."""
    value = int(permille)
    return f"{number_format(value / 10, decimal_pos=1)} %" if value else "0 %"


@register.filter
def counts_line(counts) -> str:
    """[(status, label, n)] as "Party 12 · Signed 3": what ``{% for status, label, n in counts %}{{ label }}
    {{ n|intcomma }}{% if not forloop.last %} · {% endif %}{% endfor %}`` renders, to the byte, without a loop of
    template nodes: the summary writes ~130 such lines (~6 ms of the all-items page, docs/performance.md, issue 21).
    Counts are grouped the language's way, as every count on the pages ("17,355", "17 355" in French)."""
    return format_html_join(" · ", "{} {}", ((label, count(n)) for _, label, n in counts))


@register.filter
def public_name(user, organization=None) -> str:
    """A person as pages name them: display name or organization, never a username or address."""
    return name_in_public(user, organization)


@register.simple_tag
def scale_of(item):
    """The item's scale with each status's meaning (the log form's "The scale" box)."""
    return glossary.entries(item.kind)
