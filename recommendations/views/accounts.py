"""Accounts: Django's own views, with the password reset throttled per address and per IP address."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import throttle


def _rate(limit: int, window: int) -> str:
    """'3 an hour', '3 every 2 hours', '3 every 30 minutes'."""
    if window == 3600:
        return _("%(limit)s an hour") % {"limit": limit}
    # Each unit's own plural forms: languages count differently (Russian has three, Arabic six).
    for seconds, every in (
        (3600, lambda n: ngettext("%(limit)s every %(count)s hour", "%(limit)s every %(count)s hours", n)),
        (60, lambda n: ngettext("%(limit)s every %(count)s minute", "%(limit)s every %(count)s minutes", n)),
        (1, lambda n: ngettext("%(limit)s every %(count)s second", "%(limit)s every %(count)s seconds", n)),
    ):
        if window % seconds == 0:
            count = window // seconds
            return every(count) % {"limit": limit, "count": count}
    raise AssertionError("unreachable: every whole number of seconds is a number of seconds")


class ThrottledPasswordResetView(PasswordResetView):
    """Send at most a few reset emails an hour to one address, and from one IP address.

    Unknown addresses count like known ones, so the answer never tells whether an address has an account.
    """

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().lower()
        ip = get_client_ip_address(self.request) or "unknown"
        window = settings.PASSWORD_RESET_WINDOW_SECONDS
        per_ip, per_address = settings.PASSWORD_RESET_LIMIT_PER_IP, settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        if not throttle.allow("password-reset-ip", ip, limit=per_ip, window=window):
            refusal = _(
                "Too many password reset requests from your network (%(rate)s). Please try again later; the links "
                "already sent still work (check your spam folder), and an administrator can also send you a new one."
            ) % {"rate": _rate(per_ip, window)}
        elif not throttle.allow("password-reset-address", address, limit=per_address, window=window):
            refusal = _(
                "Too many password reset requests for this address (%(rate)s). Please try again later; the links "
                "already sent still work (check your spam folder), and an administrator can also send you a new one."
            ) % {"rate": _rate(per_address, window)}
        else:
            return super().form_valid(form)
        form.add_error(None, refusal)
        return self.render_to_response(self.get_context_data(form=form), status=429)
