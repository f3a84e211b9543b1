from django import template

from ..package import releases

register = template.Library()


@register.simple_tag
def latest_open_data() -> str | None:
    """The newest dated release of the open-data package, or None (a directory listing, no query)."""
    dated = releases()
    return dated[0] if dated else None
