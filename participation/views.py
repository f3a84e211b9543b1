"""The public "Take part" page and its request form."""

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from recommendations.forms import apply_service_errors

from . import services
from .forms import TakePartForm


@require_http_methods(["GET", "HEAD", "POST"])
def take_part(request):
    status = 200
    if request.method == "POST":
        form = TakePartForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.check_human(honeypot=data["website"], token=data["started"])
                services.check_rate(ip=get_client_ip_address(request) or "unknown", email=data["email"])
                services.request_to_take_part(
                    name=data["name"],
                    email=data["email"],
                    organization_name=data["organization_name"],
                    country=data["country"],
                    reporting_on=data["reporting_on"],
                    language=request.LANGUAGE_CODE,
                )
            except services.Refused as refusal:
                form.add_error(None, refusal.message)
                status = refusal.status
            except ValidationError as error:
                apply_service_errors(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: your request was sent. "
                        "An editor will write to you at %(email)s, usually within a week."
                    )
                    % {"email": data["email"]},
                )
                return redirect("participation:take_part")
        else:
            status = 400
        # A fresh timestamp: the next attempt is timed from now.
        form.data = form.data.copy()
        form.data["started"] = services.form_token()
    else:
        form = TakePartForm(initial={"started": services.form_token()})
    return render(request, "participation/take_part.html", {"form": form}, status=status)
