"""Editors set reporting cycles here; staff see notifications, digests, exports and the current-status checks.

The schedules of the background tasks are django-celery-beat's "Periodic tasks" (same admin).
"""

from django.contrib import admin

from recommendations.admin import AuditedAdmin

from .models import ConsistencyCheck, Digest, ExportJob, Follow, Notification, Preference, ReportingCycle


@admin.register(ReportingCycle)
class ReportingCycleAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["__str__", "recommendation", "organization", "months"]
    list_select_related = ["recommendation", "organization"]
    autocomplete_fields = ["recommendation", "organization"]
    search_fields = ["recommendation__code", "recommendation__title", "organization__name", "organization__code"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ConsistencyCheck)
class ConsistencyCheckAdmin(ReadOnlyAdmin):
    list_display = ["at", "pairs", "difference_count"]
    readonly_fields = ["at", "pairs", "differences"]

    @admin.display(description="differences")
    def difference_count(self, check):
        return len(check.differences)


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["user", "period", "created_at", "sent_at", "items", "subject"]
    list_select_related = ["user"]
    list_filter = ["sent_at"]
    search_fields = ["user__username", "user__email", "period"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "update", "event_at", "read_at", "digest"]
    list_select_related = ["user", "update__actor", "update__recommendation", "digest"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["update", "digest", "user"]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["token", "format", "state", "rows", "created_at", "finished_at"]
    list_filter = ["state", "format"]


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["user", "recommendation", "actor", "theme", "created_at"]
    list_select_related = ["user", "recommendation", "actor", "theme"]
    search_fields = ["user__username"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "follow_own_reports", "unsubscribed_at"]
    list_select_related = ["user"]
    list_filter = ["frequency"]
    raw_id_fields = ["user"]
