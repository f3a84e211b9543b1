from django.utils.functional import SimpleLazyObject


def alerts(request):
    """The bell's count, computed only when a page shows it (one COUNT for a logged-in person)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .content import unread_count

    return {"alerts_unread": SimpleLazyObject(lambda: unread_count(user))}
