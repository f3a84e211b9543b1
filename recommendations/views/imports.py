"""Importing progress from spreadsheets: upload, preview, confirm (or a second reviewer's); the templates."""

import datetime
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from import_jobs import services as import_jobs
from import_jobs import views as import_jobs_views

from .. import imports, services
from ..exports import stream_csv
from ..forms import ImportForm, apply_service_errors
from ..models import SCALES, ImportBatch, ImportState, Kind, Recommendation, status_label_en
from ..reports import EXPORT_COLUMNS

EXAMPLE = {
    "actor_code": "KEN",
    "actor_name": "Kenya",
    "actor_kind": "country",
    "country_iso3": "KEN",
    "region": "Africa",
    "subregion": "Eastern Africa",
    "recommendation_code": "R02",
    "recommendation_title": "Ratify the Migrant Workers Convention",
    "kind": "ratification",
    "status": "Signed",  # labels and codes ("signed") are both accepted
    "as_of": "2015-09-15",
    "value": "",
    "unit": "",
    "reported_by_organization": "",
    "evidence_urls": "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-13&chapter=4",
    "verified_at": "",
    "perspective": "civil_society",  # or empty: the organization's usual perspective
    "narrative": f"{imports.EXAMPLE_MARK} Replace this row with yours, or leave it: the import skips it. "
    "Say what happened, who did it, and where the evidence says so.",
}
# The status export's columns, and the narrative every new update needs.
TEMPLATE_COLUMNS = [*EXPORT_COLUMNS, "narrative"]


@login_required
@permission_required("recommendations.log_progress", raise_exception=True)
@require_http_methods(["GET", "POST"])
def progress_import(request):
    """Upload → preview (a batch) → confirm or discard. The batch id in the form is the only token."""
    if not services.user_organizations(request.user).exists():
        return render(request, "recommendations/progress_no_organization.html", status=403)
    reviewer = request.user.has_perm("recommendations.review_progress")
    step = request.POST.get("step", "upload")

    if request.method == "POST" and step in ("confirm", "discard"):
        batch_id = request.POST.get("token", "")
        try:
            if step == "discard":
                services.discard_import(batch_id=batch_id, user=request.user)
                messages.info(request, _("The import was discarded: nothing was written, and the file was deleted."))
                return redirect("recommendations:progress_import")
            # On the worker (at once, in this request, without one): the job's page shows how far it is.
            job = import_jobs.start_confirm(batch_id=batch_id, user=request.user)
        except services.ImportAlreadyDone as done:
            messages.info(request, " ".join(done.messages))
            return redirect("recommendations:my_updates")
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("recommendations:progress_import")
        if job.state != "done" or job.error:
            return _job_outcome(request, job, "recommendations:progress_import")
        batch = job.batch
        batch.refresh_from_db()
        if batch.state == ImportState.AWAITING_REVIEW:
            messages.success(
                request,
                _(
                    "Your import of %(filename)s (%(n)s updates) was sent to a second reviewer: "
                    "it waits in the review queue, and nothing counts until they confirm it."
                )
                % {"filename": batch.filename, "n": batch.to_create},
            )
            return redirect("recommendations:progress_import")
        if batch.verified:
            messages.success(request, _("Imported %(n)s updates (verified).") % {"n": batch.created})
        else:
            messages.success(request, _("Imported %(n)s updates (awaiting review).") % {"n": batch.created})
        return redirect("recommendations:my_updates")

    form = ImportForm(request.POST or None, request.FILES or None, user=request.user, reviewer=reviewer)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.start_import(
                file=upload,
                filename=upload.name,
                organization=form.cleaned_data["organization"],
                user=request.user,
                verified=bool(form.cleaned_data.get("verified")),
                source=form.cleaned_data.get("source", ""),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # The check runs on the worker: its page, or (eager, no worker) the preview at once.
            response = import_jobs_views.after_upload(request, batch, form)
            if response is not None:
                return response
    recent = ImportBatch.objects.filter(
        created_by=request.user,
        state__in=(ImportState.AWAITING_REVIEW, ImportState.RETURNED),
        created_at__gte=timezone.now() - datetime.timedelta(days=30),
    ).select_related("reviewed_by", "organization")
    context = {"form": form, "reviewer": reviewer, "limits": imports.LIMITS, "recent": recent[:20]}
    return render(request, "recommendations/import_form.html", context)


@login_required
@permission_required("recommendations.review_progress", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_review(request, pk):
    """An import "as verified", for a second reviewer: its preview, then confirm or return it as one."""
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by", "organization", "reviewed_by"), pk=pk)
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "confirm":
                job = import_jobs.start_confirm(batch_id=batch.pk, user=request.user)
                if job.state != "done" or job.error:
                    return _job_outcome(request, job, "recommendations:review_queue")
                batch.refresh_from_db()
                messages.success(request, _("Imported %(n)s updates (verified).") % {"n": batch.created})
                return redirect("recommendations:review_queue")
            if decision == "return":
                services.return_import(batch_id=batch.pk, user=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("The import was returned to its importer with your reason."))
                return redirect("recommendations:review_queue")
            messages.error(request, _("Choose confirm or return."))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("recommendations:import_review", pk=batch.pk)
    plan, problem = None, ""
    if batch.state == ImportState.AWAITING_REVIEW:
        try:
            plan = imports.plan_batch(batch)
        except (imports.ImportFileError, ValidationError, PermissionDenied) as error:
            problem = " ".join(getattr(error, "messages", [str(error)]))
    context = {
        "batch": batch,
        "plan": plan,
        "problem": problem,
        "can_decide": batch.state == ImportState.AWAITING_REVIEW and services.can_review(request.user, batch),
    }
    return render(request, "recommendations/import_review.html", context)


def _job_outcome(request, job, refused_to: str):
    """A confirmation that is not simply done: still running (its page), done earlier, or refused (why)."""
    if job.state in import_jobs.WAITING or (job.state == "failed" and not job.refused):
        return redirect("import_jobs:job", pk=job.batch_id)
    if job.state == "done":  # an earlier run (or another click) had done it
        messages.info(request, job.error)
        return redirect("recommendations:my_updates")
    messages.error(request, job.error)
    return redirect(refused_to)


@require_GET
def import_template_csv(request):
    return stream_csv("progress-template.csv", TEMPLATE_COLUMNS, [[EXAMPLE[c] for c in TEMPLATE_COLUMNS]])


@require_GET
def import_template_xlsx(request):
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "status"
    sheet.append(TEMPLATE_COLUMNS)
    sheet.append([EXAMPLE[c] for c in TEMPLATE_COLUMNS])
    lists = book.create_sheet("lists")
    kinds = [Kind.RATIFICATION, Kind.POLICY, Kind.QUANTITATIVE]
    # Columns: A the kinds; B–D each kind's statuses, as labels (the import accepts labels and codes);
    # E the item codes and F each item's kind, from which a row's status list is found.
    lists.append(["kind", *[str(k) for k in kinds], "item codes", "item kind"])
    items = list(Recommendation.objects.order_by("position").values_list("code", "kind"))
    longest = max(len(items), *(len(SCALES[k]) for k in kinds))
    for index in range(longest):
        row = [kinds[index].value if index < len(kinds) else None]
        row += [status_label_en(SCALES[k][index]) if index < len(SCALES[k]) else None for k in kinds]
        row += list(items[index]) if index < len(items) else [None, None]
        lists.append(row)
    # One named list of statuses per kind; the status column offers the list of the row's item's kind,
    # looked up from the item code (no need to fill in "kind" by hand).
    for offset, kind in enumerate(kinds, start=2):
        letter = get_column_letter(offset)
        book.defined_names[kind.value] = DefinedName(
            kind.value, attr_text=f"lists!${letter}$2:${letter}${len(SCALES[kind]) + 1}"
        )
    column = {name: get_column_letter(i) for i, name in enumerate(TEMPLATE_COLUMNS, start=1)}
    rows = "2:5000"
    first, last = rows.split(":")
    codes, kinds_of = get_column_letter(len(kinds) + 2), get_column_letter(len(kinds) + 3)
    item_kinds = f"lists!${codes}$2:${kinds_of}${len(items) + 1}"
    kind_list = DataValidation(type="list", formula1=f"lists!$A$2:$A${len(kinds) + 1}", allow_blank=True)
    kind_list.add(f"{column['kind']}{first}:{column['kind']}{last}")
    status_list = DataValidation(
        type="list",
        formula1=f"INDIRECT(VLOOKUP(${column['recommendation_code']}2,{item_kinds},2,FALSE))",
        allow_blank=True,
    )
    status_list.error = _("Choose a status on the scale of the row's item (fill in recommendation_code first).")
    status_list.add(f"{column['status']}{first}:{column['status']}{last}")
    item_list = DataValidation(type="list", formula1=f"lists!${codes}$2:${codes}${len(items) + 1}", allow_blank=True)
    item_list.add(f"{column['recommendation_code']}{first}:{column['recommendation_code']}{last}")
    for validation in (kind_list, status_list, item_list):
        sheet.add_data_validation(validation)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="progress-template.xlsx"'
    return response
