"""Importing progress from spreadsheets: upload, preview, confirm; and the blank templates."""

import io
import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .. import imports, services
from ..exports import stream_csv
from ..forms import ImportForm
from ..models import SCALES, Actor, Kind, Recommendation
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
    "status": "signed",
    "as_of": "2015-09-15",
    "value": "",
    "unit": "",
    "reported_by_organization": "",
    "evidence_urls": "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=IV-13&chapter=4",
    "verified_at": "",
}


@login_required
@permission_required("recommendations.log_progress", raise_exception=True)
@require_http_methods(["GET", "POST"])
def progress_import(request):
    reviewer = request.user.has_perm("recommendations.review_progress")
    pending = request.session.get("imports", {})
    step = request.POST.get("step", "upload")

    if request.method == "POST" and step == "confirm":
        token = request.POST.get("token", "")
        stored = pending.get(token)
        if stored is None:
            messages.error(request, "This import was already done or has expired; upload the file again.")
            return redirect("recommendations:progress_import")
        plan = _plan_from_storage(request, stored)
        if isinstance(plan, str):
            messages.error(request, plan)
            return redirect("recommendations:progress_import")
        try:
            created = services.import_progress(
                plan=plan, user=request.user, verified=stored["verified"], source=stored["source"]
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return render(request, "recommendations/import_preview.html", {"plan": plan, "token": token})
        _forget(request, token)
        state = "verified" if stored["verified"] else "awaiting review"
        messages.success(request, f"Imported {created} updates ({state}).")
        return redirect("recommendations:my_updates")

    form = ImportForm(request.POST or None, request.FILES or None, user=request.user, reviewer=reviewer)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token = uuid.uuid4().hex
        suffix = Path(upload.name).suffix.lower()
        path = default_storage.save(f"imports/{token}{suffix}", ContentFile(upload.read()))
        organization = form.cleaned_data.get("organization")
        stored = {
            "path": path,
            "filename": Path(upload.name).name[:200],
            "organization": organization.pk if organization else None,
            "verified": bool(form.cleaned_data.get("verified")),
            "source": form.cleaned_data.get("source", ""),
        }
        plan = _plan_from_storage(request, stored)
        if isinstance(plan, str):
            default_storage.delete(path)
            form.add_error("file", plan)
        else:
            pending[token] = stored
            request.session["imports"] = pending
            return render(request, "recommendations/import_preview.html", {"plan": plan, "token": token, **stored})
    return render(request, "recommendations/import_form.html", {"form": form, "reviewer": reviewer})


def _plan_from_storage(request, stored):
    """The plan for a stored upload, or a message saying why the file cannot be read."""
    organization = Actor.objects.filter(pk=stored["organization"]).first() if stored["organization"] else None
    try:
        with default_storage.open(stored["path"], "rb") as handle:
            return imports.plan(
                imports.read_rows(io.BytesIO(handle.read()), stored["filename"]),
                filename=stored["filename"],
                user=request.user,
                organization=organization,
            )
    except FileNotFoundError:
        return "The uploaded file is no longer there; upload it again."
    except imports.ImportFileError as error:
        return str(error)


def _forget(request, token):
    pending = request.session.get("imports", {})
    stored = pending.pop(token, None)
    request.session["imports"] = pending
    if stored:
        default_storage.delete(stored["path"])


@require_GET
def import_template_csv(request):
    return stream_csv("progress-template.csv", EXPORT_COLUMNS, [[EXAMPLE[c] for c in EXPORT_COLUMNS]])


@require_GET
def import_template_xlsx(request):
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "status"
    sheet.append(EXPORT_COLUMNS)
    sheet.append([EXAMPLE[c] for c in EXPORT_COLUMNS])
    lists = book.create_sheet("lists")
    kinds = [Kind.RATIFICATION, Kind.POLICY, Kind.QUANTITATIVE]
    lists.append(["kind", *[str(k) for k in kinds], "item codes"])
    items = list(Recommendation.objects.order_by("position").values_list("code", "kind"))
    longest = max(len(items), *(len(SCALES[k]) for k in kinds))
    for index in range(longest):
        row = [kinds[index].value if index < len(kinds) else None]
        row += [SCALES[k][index] if index < len(SCALES[k]) else None for k in kinds]
        row.append(items[index][0] if index < len(items) else None)
        lists.append(row)
    # One named list of statuses per kind; the status column offers the list named by the row's kind.
    for offset, kind in enumerate(kinds, start=2):
        letter = get_column_letter(offset)
        book.defined_names[kind.value] = DefinedName(
            kind.value, attr_text=f"lists!${letter}$2:${letter}${len(SCALES[kind]) + 1}"
        )
    column = {name: get_column_letter(i) for i, name in enumerate(EXPORT_COLUMNS, start=1)}
    rows = "2:5000"
    first, last = rows.split(":")
    kind_list = DataValidation(type="list", formula1=f"lists!$A$2:$A${len(kinds) + 1}", allow_blank=True)
    kind_list.add(f"{column['kind']}{first}:{column['kind']}{last}")
    status_list = DataValidation(type="list", formula1=f"INDIRECT(${column['kind']}2)", allow_blank=True)
    status_list.error = "Choose a status on the scale of the row's kind."
    status_list.add(f"{column['status']}{first}:{column['status']}{last}")
    item_list = DataValidation(
        type="list",
        formula1=f"lists!${get_column_letter(len(kinds) + 2)}$2:${get_column_letter(len(kinds) + 2)}${len(items) + 1}",
        allow_blank=True,
    )
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
