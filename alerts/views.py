"""Pages of the alerts app: notifications (the bell), following, email settings, unsubscribe, exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recommendations.models import Actor, Recommendation, Theme
from recommendations.views.pages import paginate

from . import content, exports, services
from .forms import FollowForm, PreferenceForm
from .models import ExportJob, ExportState


@login_required
@require_GET
def notifications(request):
    page, error = paginate(request, content.with_details(content.visible(request.user)), per_page=30)
    if error:
        messages.error(request, error)
    rows = [(n, content.describe(n)) for n in page.object_list]
    return render(request, "alerts/notifications.html", {"page": page, "rows": rows, "query": ""})


@login_required
@require_POST
def mark_read(request):
    n = services.mark_read(user=request.user)
    messages.success(
        request,
        ngettext("Marked %(n)s notification as read.", "Marked %(n)s notifications as read.", n) % {"n": n},
    )
    return redirect("alerts:notifications")


TARGETS = {
    "item": lambda key: Recommendation.objects.filter(code=key.upper()).first(),
    "actor": lambda key: Actor.objects.filter(code__iexact=key).first(),
    "theme": lambda key: Theme.objects.filter(slug=key).first(),
}


def _next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
@require_POST
def follow(request):
    form = FollowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose something to follow."))
        return redirect(_next(request, reverse("alerts:following")))
    target = TARGETS[form.cleaned_data["kind"]](form.cleaned_data["key"])
    if target is None:
        missing = {
            "item": _("There is no item “%(key)s” to follow."),
            "actor": _("There is no actor “%(key)s” to follow."),
            "theme": _("There is no theme “%(key)s” to follow."),
        }[form.cleaned_data["kind"]]
        messages.error(request, missing % {"key": form.cleaned_data["key"]})
        return redirect(_next(request, reverse("alerts:following")))
    name = getattr(target, "code", None) if isinstance(target, Recommendation) else target.name
    if form.cleaned_data["action"] == "follow":
        services.follow(user=request.user, target=target, language=request.LANGUAGE_CODE)
        messages.success(
            request,
            _("You follow %(name)s: verified updates will appear under the bell and in your digest.") % {"name": name},
        )
    else:
        services.unfollow(user=request.user, target=target)
        messages.success(request, _("You no longer follow %(name)s.") % {"name": name})
    return redirect(_next(request, reverse("alerts:following")))


@login_required
@require_GET
def following(request):
    organizations = list(
        request.user.memberships.select_related("organization").values_list("organization__name", flat=True)
    )
    context = {
        "groups": content.following(request.user),
        "preference": content.preference(request.user),
        "organizations": organizations,
    }
    return render(request, "alerts/following.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    current = content.preference(request.user)
    form = PreferenceForm(
        request.POST or None,
        initial={
            "frequency": current.frequency,
            "follow_own_reports": current.follow_own_reports,
            # Someone who never saved their settings is offered the language of the page they are reading.
            "language": current.language if current.pk else request.LANGUAGE_CODE,
        },
    )
    if request.method == "POST" and form.is_valid():
        choice = {**form.cleaned_data, "language": form.cleaned_data["language"] or request.LANGUAGE_CODE}
        try:
            services.set_preferences(user=request.user, **choice)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved your email settings."))
            return redirect("alerts:settings")
    return render(request, "alerts/settings.html", {"form": form, "preference": current})


@csrf_exempt  # RFC 8058: mail clients POST here without a page; the signed token is the credential
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user_id = content.user_id_from_token(token)
    if user_id is None:
        return render(request, "alerts/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        try:
            user = services.unsubscribe(token=token)
        except ValidationError:
            return render(request, "alerts/unsubscribe.html", {"invalid": True}, status=400)
        return render(request, "alerts/unsubscribe.html", {"done": True, "email": user.email})
    # GET never unsubscribes (link checkers and previews follow links): one button does.
    return render(request, "alerts/unsubscribe.html", {"token": token})


@login_required
@require_GET
def digest_preview(request):
    """The digest email as it would go out now, rendered in the browser (nothing is claimed or sent)."""
    body = content.digest_content(request.user, None, summary=True)
    context = {
        "user": request.user,
        "body": body,
        "unsubscribe_url": content.absolute(
            reverse("alerts:unsubscribe", args=[content.unsubscribe_token(request.user)])
        ),
        "settings_url": content.absolute(reverse("alerts:settings")),
        "notifications_url": content.absolute(reverse("alerts:notifications")),
        "site_url": content.absolute(""),
        "preview": True,
    }
    if request.GET.get("format") == "text":
        text = render_to_string("alerts/email/digest.txt", context)
        return render(request, "alerts/digest_text.html", {"text": text, "subject": body.subject()})
    return render(request, "alerts/email/digest.html", context)


@require_GET
def export_status(request, token):
    job = get_object_or_404(ExportJob, token=token)
    waiting = job.state in (ExportState.QUEUED, ExportState.RUNNING)
    return render(request, "alerts/export.html", {"job": job, "waiting": waiting})


@require_GET
def export_download(request, token):
    job = get_object_or_404(ExportJob, token=token)
    path = exports.file_path(job)
    if path is None:
        raise Http404(_("This export is not ready, or it has expired."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"status-{job.created_at:%Y-%m-%d}.{job.format}",
        content_type=exports.FORMATS[job.format],
    )
