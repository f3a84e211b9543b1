"""The audit trail for staff: every write, who made it and when."""

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..filters import AuditFilter
from ..models import AuditEvent
from .pages import paginate


@staff_member_required
@require_GET
def audit_log(request):
    base = AuditEvent.objects.select_related("user").order_by("-at", "-pk")
    filterset = AuditFilter(request.GET or None, queryset=base)
    errors, status = [], 200
    if filterset.is_bound and not filterset.is_valid():
        errors, queryset, status = filterset.error_messages(), base.none(), 400
    else:
        queryset = filterset.qs
    page, page_error = paginate(request, queryset, per_page=100)
    if page_error:
        errors.append(page_error)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "errors": errors,
        "description": filterset.describe(),
        "query": query.urlencode(),
    }
    return render(request, "recommendations/audit.html", context, status=status)
