"""An import's page while the worker checks or writes it (a bar: rows done of total, time left), then its result;
"My imports", every import of yours with its state.

Works without JavaScript: a running import's page refreshes itself every few
seconds (and announces the new count politely, without moving the focus);
with JavaScript on, bulk.js (the bulk review's script) fills the bar from the
page's JSON instead of reloading.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from recommendations import services as tracker
from recommendations.models import ImportBatch, ImportState
from recommendations.views.pages import paginate

from . import services
from .models import ImportJob, JobState, Phase
from .plans import StoredPlan

REFRESH_SECONDS = 3


def _visible_batch(request, pk) -> ImportBatch:
    batch = ImportBatch.objects.select_related("organization", "created_by", "reviewed_by").filter(pk=pk).first()
    if batch is None:
        raise Http404(_("No such import."))
    if not services.can_see(request.user, batch):
        raise PermissionDenied(_("Only the importer can see this import."))
    return batch


def preview_page(request, batch: ImportBatch, job: ImportJob):
    """The preview of a checked file: what it would create, or why rows are rejected; confirm or discard."""
    context = {
        "plan": StoredPlan(job.plan),
        "token": str(batch.pk),
        "batch": batch,
        "job": job,
        "needs_second_reviewer": batch.verified and not tracker.can_review(request.user, batch),
    }
    return render(request, "recommendations/import_preview.html", context)


def after_upload(request, batch: ImportBatch, form):
    """Check the stored upload on the worker. Eager: the preview now; else the job's page. None: form errors."""
    job = services.start_preview(batch=batch, user=request.user)
    if job.state in services.WAITING:
        return redirect("import_jobs:job", pk=batch.pk)
    if job.refused and not job.plan:
        form.add_error("file", job.error)
        return None
    if job.state == JobState.FAILED:
        return redirect("import_jobs:job", pk=batch.pk)
    return preview_page(request, batch, job)


@login_required
@require_GET
def job_page(request, pk):
    batch = _visible_batch(request, pk)
    job = ImportJob.objects.filter(batch=batch).select_related("requested_by").first()
    progress = services.progress(job)
    if request.GET.get("format") == "json":
        return JsonResponse(progress)
    waiting = job is not None and job.state in services.WAITING and progress["state"] != "stalled"
    if (
        job is not None
        and job.phase == Phase.PREVIEW
        and job.state == JobState.DONE
        and batch.state == ImportState.PREVIEWED
        and batch.created_by_id == request.user.pk
    ):
        return preview_page(request, batch, job)
    context = {
        "batch": batch,
        "job": job,
        "progress": progress,
        "waiting": waiting,
        "stalled": progress["state"] == "stalled",
        "can_retry": services.can_retry(job),
        "plan": StoredPlan(job.plan if job else {}),
        "refresh": REFRESH_SECONDS,
    }
    return render(request, "import_jobs/job.html", context)


@login_required
@require_POST
def retry(request, pk):
    try:
        services.retry(batch_id=pk, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("The import was started again. What a stopped run had begun was not kept."))
    return redirect("import_jobs:job", pk=pk)


@login_required
@require_GET
def my_imports(request):
    batches = (
        ImportBatch.objects.filter(created_by=request.user)
        .select_related("organization", "job")
        .order_by("-created_at")
    )
    page, page_error = paginate(request, batches, per_page=50)
    if page_error:
        messages.error(request, page_error)
    for batch in page.object_list:
        job = getattr(batch, "job", None)
        batch.progress = services.progress(job) if job else None
        batch.stalled = job is not None and services.is_stalled(job)
    return render(request, "import_jobs/mine.html", {"page": page, "query": ""})
