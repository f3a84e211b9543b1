"""Who writes: a person (user=) or the tracker itself (SystemActor); a stale edit's error."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class StaleEditError(ValidationError):
    """Someone changed the update since this person opened it."""


@dataclass(frozen=True)
class SystemActor:
    """The tracker itself writing — a command loading public records — named explicitly, with why.

    Services that write on someone's behalf take ``user=`` (a person, whose
    role and memberships are checked) or ``system=SystemActor(reason)``; given
    neither, they refuse. The reason is recorded in the audit trail.
    """

    reason: str

    def __post_init__(self):
        if not self.reason or not self.reason.strip():
            raise ValueError("Say why the tracker writes by itself: SystemActor(reason=…).")


def acting(user, system: SystemActor | None):
    """Who writes: the person, or the tracker itself when named explicitly; refuse when neither is given."""
    if system is not None:
        if not isinstance(system, SystemActor):
            raise TypeError("system= takes a SystemActor(reason).")
        if user is not None:
            raise ValueError("Give either the person (user=) or the tracker itself (system=), not both.")
        return system
    if user is None or not getattr(user, "is_authenticated", False):
        raise PermissionDenied(
            "Nobody is named as writing this: pass the person (user=…), or system=SystemActor(reason) "
            "when the tracker itself loads public records."
        )
    return user


def _person(who):
    """The user account behind a writer, or None for the tracker itself."""
    return None if isinstance(who, SystemActor) else who


def _stale(update) -> StaleEditError:
    return StaleEditError(
        _(
            "Someone else changed this update after you opened it, so your change was not saved. "
            "It is now “%(state)s”; reload the page to see the current version."
        )
        % {"state": update.get_state_display()}
    )
