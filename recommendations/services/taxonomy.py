"""Taxonomy maintenance: merge_themes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..chart_cache import bump_history_version
from ..models import AuditAction, Theme
from .audit import record_event


@transaction.atomic
def merge_themes(*, source: Theme, target: Theme, user=None) -> int:
    """Move every item from ``source`` to ``target`` and delete ``source``.

    Returns how many items were moved.
    """
    if source.pk == target.pk:
        raise ValidationError(_("A theme cannot be merged into itself."))
    bump_history_version()  # the over-time charts filtered by either theme cover other items now
    moved = 0
    for recommendation in source.recommendations.all():
        recommendation.themes.remove(source)
        recommendation.themes.add(target)
        moved += 1
    record_event(
        user=user,
        action=AuditAction.THEMES_MERGED,
        obj=target,
        detail=f"“{source.name}” ({source.slug}) merged into “{target.name}”; {moved} items moved.",
    )
    source.delete()
    return moved
