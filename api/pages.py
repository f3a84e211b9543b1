"""The API tokens page: create a token (its secret shown once), see when each was last used, revoke one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from recommendations.filters import style_form
from recommendations.forms import apply_service_errors

from . import services
from .models import ApiToken, TokenScope


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What is it for?"), max_length=100, help_text=gettext_lazy("e.g. “our monitoring system”.")
    )
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), choices=TokenScope.choices, initial=TokenScope.READ)
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=services.MAX_DAYS,
        initial=90,
        help_text=gettext_lazy("1 to 365 days."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.create_token(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("Token “%(name)s” created. Copy it now: it is not shown again.") % {"name": token.name}
            )
            form = TokenForm()
    context = {
        "form": form,
        "secret": secret,
        "tokens": ApiToken.objects.filter(user=request.user),
    }
    response = render(request, "api/tokens.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the page may hold a secret
    return response


@login_required
@require_POST
def revoke(request, pk: int):
    try:
        token = services.revoke_token(token_id=pk, user=request.user)
    except PermissionDenied:
        messages.error(request, _("There is no such token among yours."))
    else:
        messages.success(request, _("Token “%(name)s” revoked; it no longer works.") % {"name": token.name})
    return redirect("api:tokens")
