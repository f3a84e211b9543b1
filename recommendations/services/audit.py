"""The audit trail every write records to: record_event."""

import functools

from django.utils import translation

from ..models import AuditEvent, ProgressUpdate
from .validation import HISTORY_REASON_MAX
from .writers import SystemActor, _person


@functools.cache
def _object_type(model) -> str:
    """The model's name as the code writes it, whatever the language of the page that wrote it: the trail is
    filtered and indexed by it (the admin shows models' names translated). Kept per model: it is the source
    text, the same whatever language is active (switching the language off and back for it was a tenth of
    the audit line's Python, issue 21)."""
    with translation.override(None):
        return str(model._meta.verbose_name)


def _record(update: ProgressUpdate, user, reason: str, action: str):
    """Save with who and why (in the update's own history) and add it to the audit trail."""
    update._history_user = _person(user)
    update._change_reason = reason[:HISTORY_REASON_MAX]  # the full reason goes to the audit trail
    update.save()
    record_event(user=user, action=action, obj=update, detail=reason)


def record_event(
    *, user, action: str, obj=None, object_type: str = "", object_id: str = "", object_repr: str = "", detail: str = ""
) -> AuditEvent:
    """Append one line to the audit trail: who, what, on which object.

    ``user`` is the person, or a SystemActor: the line then has no user and
    its detail starts with "System action (reason)".
    """
    if isinstance(user, SystemActor):
        detail = f"System action ({user.reason}): {detail}"
        user = None
    if not object_type and obj is not None:
        object_type = _object_type(type(obj))
    return AuditEvent.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else object_id,
        object_repr=str(obj)[:300] if obj is not None else object_repr[:300],
        detail=detail[:5000],
    )
