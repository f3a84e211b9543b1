"""Template filters for the tracker's pages."""

from django import template

from ..models import plain_number

register = template.Library()


@register.filter
def plain(value):
    """A number without exponent or trailing zeros: Decimal('20.0000') → '20', 4.5000 → '4.5'."""
    return plain_number(value)
