from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy, ngettext

from recommendations.admin import AuditedAdmin

from . import services
from .models import ParticipationRequest, RequestState


@admin.register(ParticipationRequest)
class ParticipationRequestAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "email", "organization_name", "country", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["country"]
    search_fields = ["name", "email", "organization_name"]
    autocomplete_fields = ["organization"]
    readonly_fields = [
        "name",
        "email",
        "organization_name",
        "country",
        "reporting_on",
        "language",
        "created_at",
        "handled_by",
        "handled_at",
        "invited_user",
    ]
    fields = [*readonly_fields[:7], "organization", "state", *readonly_fields[7:]]
    actions = ["invite"]

    def has_add_permission(self, request):
        return False  # requests come from /take-part/

    @admin.action(description=gettext_lazy("Invite as reporter (emails a set-password link)"), permissions=["change"])
    def invite(self, request, queryset):
        invited = 0
        for participation in queryset.filter(state=RequestState.NEW):
            try:
                services.invite_from_request(
                    request_id=participation.pk, invited_by=request.user, base_url=request.build_absolute_uri("/")
                )
            except ValidationError as error:
                self.message_user(request, f"{participation.email}: {' '.join(error.messages)}", messages.ERROR)
            else:
                invited += 1
        if invited:
            self.message_user(
                request,
                ngettext(
                    "Invited %(n)s person(s); each was emailed a link.",
                    "Invited %(n)s person(s); each was emailed a link.",
                    invited,
                )
                % {"n": invited},
                messages.SUCCESS,
            )
