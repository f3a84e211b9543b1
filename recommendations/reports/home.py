"""The home page's figures and latest updates."""

from ..models import CurrentStatus, ProgressUpdate, Recommendation, format_as_of


def headline_figures() -> dict:
    """For the home page: items, actors reporting, verified updates, last update."""
    verified = ProgressUpdate.objects.counted()
    # The latest date a verified status describes (not when it was loaded or verified: a baseline loaded
    # today of ratifications from 1999 is not news from today).
    latest = CurrentStatus.objects.order_by("-as_of").values_list("as_of", "as_of_precision").first()
    count, estimated = verified.estimated_count()
    return {
        "items": Recommendation.objects.count(),
        "actors_reporting": CurrentStatus.objects.values("actor_id").distinct().count(),
        "verified_updates": count,
        "verified_updates_estimated": estimated,
        "last_update": format_as_of(*latest) if latest else None,
    }


def recent_updates(limit: int = 8):
    return (
        ProgressUpdate.objects.counted()
        .select_related("actor", "recommendation", "reported_by_organization")
        .order_by("-reviewed_at", "-pk")[:limit]
    )
