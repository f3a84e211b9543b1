"""Accounts: Django's own views, with the password reset throttled per address and per IP address."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.views import PasswordResetView

from .. import throttle


def _rate(limit: int, window: int) -> str:
    """'3 an hour', '3 every 2 hours', '3 every 30 minutes'."""
    if window == 3600:
        return f"{limit} an hour"
    for unit, seconds in (("hour", 3600), ("minute", 60), ("second", 1)):
        if window % seconds == 0:
            count = window // seconds
            return f"{limit} every {count} {unit}{'s' if count != 1 else ''}"
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
            refusal = f"from your network ({_rate(per_ip, window)})"
        elif not throttle.allow("password-reset-address", address, limit=per_address, window=window):
            refusal = f"for this address ({_rate(per_address, window)})"
        else:
            return super().form_valid(form)
        form.add_error(
            None,
            f"Too many password reset requests {refusal}. Please try again later; the links already sent "
            "still work (check your spam folder), and an administrator can also send you a new one.",
        )
        return self.render_to_response(self.get_context_data(form=form), status=429)
