"""The audit trail for staff: every write, who made it and when."""

from django.contrib.admin.views.decorators import staff_member_required
from django.views.decorators.http import require_GET

from ..filters import AuditFilter
from ..models import AuditEvent
from .pages import render_filtered_list


@staff_member_required
@require_GET
def audit_log(request):
    base = AuditEvent.objects.select_related("user").order_by("-at", "-pk")
    filterset = AuditFilter(request.GET or None, queryset=base)
    return render_filtered_list(request, "recommendations/audit.html", filterset, per_page=100)
