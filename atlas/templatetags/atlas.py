"""Template tags that put the world map on other apps' pages (the item page, the report summary)."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from recommendations.filters import StatusFilter

from .. import maps, svg

register = template.Library()


def _context(world_map) -> dict:
    if not world_map.places:  # an item that does not concern countries: nothing to map
        return {}
    return svg.figure_context(world_map, link_prefix=reverse("recommendations:actors"))


@register.inclusion_tag("atlas/_map.html")
def item_world_map(item):
    """Today's map of one item, for its page: ``{% item_world_map item %}``."""
    context = _context(maps.map_for_item(item))
    if context:
        context["full_map_url"] = f"{reverse('atlas:map')}?{urlencode({'item': item.code})}"
        context["heading"] = _("On the map")
    return context


@register.inclusion_tag("atlas/_map.html")
def report_world_map(filterset):
    """The map of a report whose filters choose exactly one item (and not organizations only)."""
    if filterset is None or not filterset.is_bound or not filterset.is_valid() or maps.map_errors(filterset.data):
        return {}
    if len(maps.chosen_items(filterset)) != 1:
        return {}
    query = maps.country_query(filterset.data)
    context = _context(maps.build_map(StatusFilter(query)))
    if context:
        context["full_map_url"] = f"{reverse('atlas:map')}?{query.urlencode()}"
        context["heading"] = _("%(code)s on the map") % {"code": context["world_map"].item.code}
    return context
