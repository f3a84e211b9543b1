"""Writes of the api app: creating and revoking API tokens (keyword-only, one transaction, clear messages)."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recommendations.models import AuditAction
from recommendations.services import record_event

from .models import TOKEN_PREFIX, ApiToken, TokenScope, hash_token

MAX_DAYS = 365
MAX_ACTIVE_TOKENS = 10
# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = datetime.timedelta(minutes=5)


@transaction.atomic
def create_token(*, user, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it and its secret, which is stored only as a hash and shown once."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("Name the token (what it is for), so you can tell your tokens apart."))
    elif len(name) > 100:
        errors.setdefault("name", []).append(
            _("Keep the name under 100 characters (you wrote %(n)s).") % {"n": len(name)}
        )
    if scope not in TokenScope.values:
        errors.setdefault("scope", []).append(_("The scope is “read” or “write”."))
    elif (
        scope == TokenScope.WRITE
        and not user.has_perm("recommendations.log_progress")
        and not user.has_perm("recommendations.review_progress")
    ):
        errors.setdefault("scope", []).append(_("Only reporters and reviewers can write; create a read token instead."))
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors.setdefault("days", []).append(_("A token lasts between 1 and %(max)s days.") % {"max": MAX_DAYS})
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).count()
    if active >= MAX_ACTIVE_TOKENS:
        errors.setdefault("name", []).append(
            _("You already have %(n)s active tokens; revoke one you no longer use first.") % {"n": active}
        )
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    record_event(
        user=user,
        action=AuditAction.TOKEN_CREATED,
        obj=token,
        detail=f"Scope {token.scope}, valid until {token.expires_at:%Y-%m-%d}.",
    )
    return token, raw


@transaction.atomic
def revoke_token(*, token_id: int, user) -> ApiToken:
    """Revoke one of the user's own tokens; it stops working at once (revoking it again changes nothing)."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or token.user_id != user.pk:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(user=user, action=AuditAction.TOKEN_REVOKED, obj=token, detail=f"Scope {token.scope}.")
    return token


def authenticate_token(raw: str) -> ApiToken:
    """The active token with this secret, or ValidationError saying why not (unknown, revoked, expired)."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        raise ValidationError(_("Unknown API token."))
    if token.revoked_at is not None:
        raise ValidationError(_("This API token was revoked; create a new one on your API tokens page."))
    now = timezone.now()
    if token.expires_at <= now:
        raise ValidationError(
            _("This API token expired on %(date)s; create a new one on your API tokens page.")
            % {"date": f"{token.expires_at:%Y-%m-%d}"}
        )
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
