"""The editors' workshop: items, themes, instruments, addressees and actors.

Every changelist names its related rows through ``list_select_related`` or
``get_queryset`` prefetches, so a page costs the same number of queries
whatever its length (tests pin this). Progress history is read-only here:
updates are written through ``services`` so the current-status table
stays right.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import JSONField, Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

# The translated titles and names (languages/translation.py): one field per language on the change page, English
# required. The plain (untabbed) form: the tabbed one loads jQuery UI from a CDN, which the CSP refuses.
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from bulk import admin_actions as bulk_actions

from . import services
from .chart_cache import bump_history_version
from .forms import InviteForm, NulFreeJSONField, apply_service_errors
from .models import (
    THRESHOLD_FIELDS,
    Actor,
    ActorKind,
    Addressee,
    AuditAction,
    AuditEvent,
    Citation,
    CitationRole,
    CurrentStatus,
    DataCorrection,
    Instrument,
    Kind,
    Membership,
    Paragraph,
    ProgressUpdate,
    Recommendation,
    SDGTarget,
    Section,
    SourceDocument,
    Theme,
)
from .sourcetext import normalize


class ChartScopeAdmin:
    """Edits here can move items or organizations into or out of a report's filters (themes, section, kind,
    type, based-in country…): the cached over-time charts (``chart_cache``) get a new version on commit."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        bump_history_version()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_history_version()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        bump_history_version()


class AuditedAdmin:
    """Every add, change and delete in the admin also goes to the tracker's audit trail.

    (And JSON fields refuse a NUL character, as every text field does.)
    """

    formfield_overrides = {JSONField: {"form_class": NulFreeJSONField}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, JSONField) and not db_field.null and db_field.has_default():
            kwargs.setdefault("empty", db_field.get_default)  # an empty box stores {} (or []), not NULL
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def log_addition(self, request, obj, message):
        services.record_event(user=request.user, action=AuditAction.ADMIN_ADDED, obj=obj, detail=str(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        services.record_event(user=request.user, action=AuditAction.ADMIN_CHANGED, obj=obj, detail=str(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            services.record_event(user=request.user, action=AuditAction.ADMIN_DELETED, obj=obj)
        return super().log_deletions(request, queryset)


@admin.register(SourceDocument)
class SourceDocumentAdmin(AuditedAdmin, admin.ModelAdmin):  # no HistoricalRecords: its history is the admin log
    list_display = ["title", "symbol", "date", "issuing_body"]
    search_fields = ["title", "symbol"]


@admin.register(Section)
class SectionAdmin(ChartScopeAdmin, AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "title", "paragraph_range", "document"]
    list_select_related = ["document"]
    list_filter = ["document"]
    search_fields = ["code", "title"]
    ordering = ["document", "position"]
    autocomplete_fields = ["parent"]


@admin.register(Paragraph)
class ParagraphAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["number", "section", "excerpt"]
    list_select_related = ["section"]
    search_fields = ["=number", "text"]
    readonly_fields = ["document", "number", "section", "text"]

    @admin.display(description=_("Text"))
    def excerpt(self, obj):
        return obj.text[:120] + ("…" if len(obj.text) > 120 else "")

    def has_add_permission(self, request):
        return False  # The source text is fixed; paragraphs come from the seed.

    def has_delete_permission(self, request, obj=None):
        return False


class ThemeMergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=Theme.objects.all(), label=_("Merge into"))


@admin.register(Theme)
class ThemeAdmin(ChartScopeAdmin, AuditedAdmin, TranslationAdmin, SimpleHistoryAdmin):
    list_display = ["name", "slug", "item_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_themes"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(n_items=Count("recommendations")).order_by("name")

    @admin.display(description=_("Items"), ordering="n_items")
    def item_count(self, obj):
        return obj.n_items

    @admin.action(description=_("Merge selected themes into another theme…"), permissions=["change"])
    def merge_themes(self, request, queryset):
        form = ThemeMergeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            target = form.cleaned_data["target"]
            moved = 0
            for source in queryset.exclude(pk=target.pk):
                moved += services.merge_themes(source=source, target=target, user=request.user)
            self.message_user(
                request,
                gettext("Merged into “%(target)s”; %(n)s item links moved.") % {"target": target, "n": moved},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge themes"),
            "themes": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/recommendations/theme/merge.html", context)


@admin.register(Addressee)
class AddresseeAdmin(ChartScopeAdmin, AuditedAdmin, TranslationAdmin, SimpleHistoryAdmin):
    list_display = ["name", "slug", "applies_to"]
    list_filter = ["applies_to"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Instrument)
class InstrumentAdmin(ChartScopeAdmin, AuditedAdmin, TranslationAdmin, SimpleHistoryAdmin):
    list_display = ["short_name", "name", "adopting_body", "year"]
    list_filter = ["adopting_body"]
    search_fields = ["short_name", "name"]


@admin.register(SDGTarget)
class SDGTargetAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "title"]
    search_fields = ["code", "title"]


class CitationForm(forms.ModelForm):
    class Meta:
        model = Citation
        fields = ["paragraph", "role", "text", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Most quotations are the call itself; a blank role means that.
        self.fields["role"].required = False

    def clean_role(self):
        return self.cleaned_data.get("role") or CitationRole.CALL

    def clean(self):
        cleaned = super().clean()
        paragraph, text = cleaned.get("paragraph"), cleaned.get("text")
        if paragraph and text:
            cleaned["text"] = normalize(text)
            if cleaned["text"] not in paragraph.text:
                raise ValidationError(
                    {
                        "text": gettext("This is not an exact quotation of paragraph %(number)s.")
                        % {"number": paragraph.number}
                    }
                )
        return cleaned


class CitationInline(admin.StackedInline):  # stacked: every field has its own label
    model = Citation
    form = CitationForm
    extra = 0
    min_num = 1
    autocomplete_fields = ["paragraph"]


@admin.register(Recommendation)
class RecommendationAdmin(ChartScopeAdmin, AuditedAdmin, TranslationAdmin, SimpleHistoryAdmin):
    list_display = ["code", "title", "kind", "section_code", "paragraphs", "theme_names"]
    list_display_links = ["code", "title"]
    list_filter = ["kind", "title_is_editorial", "editorial_split", "themes", "addressees", "instruments", "section"]
    list_select_related = ["section"]
    search_fields = ["code", "title", "citations__text"]
    autocomplete_fields = ["section", "ratifies"]
    inlines = [CitationInline]
    list_per_page = 50
    actions = bulk_actions.ITEM_ACTIONS  # add or remove a theme, addressee or SDG target, with a confirmation page
    fieldsets = [
        (None, {"fields": ["code", "title", "document", "section", "kind", "ratifies"]}),
        (
            _("Editorial layer"),
            {
                "description": _("What the editors add to the quotations. Pages and exports mark it as editorial."),
                "fields": ["title_is_editorial", "editorial_split", "editorial_note"],
            },
        ),
        (_("Classification"), {"fields": ["themes", "addressees", "instruments", "sdg_targets"]}),
        (
            _("Quantitative target"),
            {
                "classes": ["collapse"],
                "description": _("Only for quantitative items."),
                "fields": [
                    "unit",
                    "lower_is_better",
                    "baseline",
                    "baseline_note",
                    "target",
                    "ceiling",
                    "target_note",
                    "thresholds_source",
                    "value_min",
                    "value_max",
                ],
            },
        ),
        (_("Order"), {"fields": ["position"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("themes", Prefetch("citations", queryset=Citation.objects.for_display()))
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Themes, addressees, instruments and SDG targets are short lists: checkboxes, each with its label.
        kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Codes are permanent: set once, never changed. The kind too, once updates copy it
        # (their status is on its scale; changing it would leave them and the reports disagreeing).
        return ["code", "kind"] if self._kind_locked_by(obj) else ["code"]

    @staticmethod
    def _kind_locked_by(obj) -> int:
        """How many progress updates carry this item's kind (0: the kind may still change)."""
        return ProgressUpdate.objects.filter(recommendation=obj).count()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET" and obj is not None and (n := self._kind_locked_by(obj)):
            self.message_user(
                request,
                ngettext(
                    "The kind is locked: %(n)s progress update on this item carries its %(kind)s scale. "
                    "If the kind is wrong, add a new item with the right kind.",
                    "The kind is locked: %(n)s progress updates on this item carry its %(kind)s scale. "
                    "If the kind is wrong, add a new item with the right kind.",
                    n,
                )
                % {"n": n, "kind": obj.get_kind_display().lower()},
                messages.INFO,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        # Deleting would free a code for reuse and orphan history; codes are never reused.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and obj.kind == Kind.QUANTITATIVE and set(form.changed_data) & set(THRESHOLD_FIELDS):
            self._warn_of_statuses_under_old_thresholds(request, obj)

    def _warn_of_statuses_under_old_thresholds(self, request, item):
        """A measured update's status was derived when it was logged; new thresholds do not re-derive it, so
        the editor is told how many verified statuses now may contradict thresholds_explained()."""
        measured = ProgressUpdate.objects.counted().filter(recommendation=item, value__isnull=False)
        n = differ = 0
        for value, status in measured.values_list("value", "status").iterator():
            n += 1
            differ += item.status_for_value(value) != status
        if not n:
            return
        self.message_user(
            request,
            ngettext(
                "The thresholds changed. The status of %(n)s verified update on this item was derived from its "
                "value under the old thresholds and is kept as it is; under the new ones, %(differ)s would "
                "differ from it, against the rule shown with the item.",
                "The thresholds changed. The statuses of %(n)s verified updates on this item were derived from "
                "their values under the old thresholds and are kept as they are; under the new ones, "
                "%(differ)s would differ from them, against the rule shown with the item.",
                n,
            )
            % {"n": n, "differ": differ},
            messages.WARNING,
        )

    @admin.display(description=_("Section"), ordering="section__position")
    def section_code(self, obj):
        return obj.section.code

    @admin.display(description=_("Paragraphs"))
    def paragraphs(self, obj):
        return obj.paragraphs_display()

    @admin.display(description=_("Themes"))
    def theme_names(self, obj):
        return ", ".join(t.name for t in obj.themes.all())


class NamedBlankValuesFilter(admin.AllValuesFieldListFilter):
    """A list filter over a text column whose blank value is a link named "(none)", not an empty link."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": "(none)"} if choice["display"] == "" else choice


@admin.register(Actor)
class ActorAdmin(ChartScopeAdmin, AuditedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "region", "subregion", "organization_type", "base_country"]
    list_filter = [
        "kind",
        ("region", NamedBlankValuesFilter),  # organizations have no region of their own
        ("subregion", NamedBlankValuesFilter),
        "organization_type",
        "un_status",
        "is_synthetic",
    ]
    list_select_related = ["base_country"]
    search_fields = ["name", "code", "iso3"]
    autocomplete_fields = ["base_country"]
    list_per_page = 50
    actions = bulk_actions.ORGANIZATION_ACTIONS  # type, based-in country, reporting cycle, with a confirmation page
    fieldsets = [
        (None, {"fields": ["kind", "code", "name", "website"]}),
        (
            _("Country (from UN OCHA country data)"),
            {
                "fields": [
                    "iso3",
                    "iso2",
                    "m49",
                    "un_status",
                    "region",
                    "subregion",
                    "intermediate_region",
                    "other_names",
                ]
            },
        ),
        (_("Organization"), {"fields": ["organization_type", "base_country", "is_synthetic"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = ["code", "kind"]
        if obj.kind == ActorKind.COUNTRY:
            # Country data comes from the maintained source, not from typing.
            fields += ["iso3", "iso2", "m49", "region", "subregion", "intermediate_region", "un_status"]
        return fields

    def has_delete_permission(self, request, obj=None):
        return False  # Actors carry history; codes are never reused.


class EstimatedCountPaginator(Paginator):
    """Counts a large changelist from the planner's estimate (PostgreSQL) instead of COUNT(*) over the table."""

    @cached_property
    def count(self):
        queryset = self.object_list
        if hasattr(queryset, "estimated_count"):
            return queryset.estimated_count()[0]
        return super().count


class ReadOnlyAdmin(AuditedAdmin, admin.ModelAdmin):
    """History is written through services, never edited in place here."""

    # Big tables: no second, unfiltered COUNT(*) for "x of y selected", and an estimated count.
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    change_list_template = "admin/recommendations/progressupdate/change_list.html"

    list_display = ["actor", "recommendation", "status", "as_of", "reported_by_organization", "created_at"]
    list_select_related = ["actor", "recommendation", "reported_by_organization"]
    list_filter = ["state", "kind", "status", "actor_kind"]
    search_fields = ["actor__code__iexact", "recommendation__code__iexact"]
    # Newest entries first by primary key: ordering by as-of date would sort a million rows.
    ordering = ["-pk"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_repr", "object_id", "detail"]
    date_hierarchy = "at"


@admin.register(DataCorrection)
class DataCorrectionAdmin(ReadOnlyAdmin):
    """The corrections of seeded data that `manage.py seed` applied to this database, and what each did."""

    list_display = ["name", "applied_at"]
    search_fields = ["name", "reason", "outcome"]
    ordering = ["applied_at", "pk"]


@admin.register(CurrentStatus)
class CurrentStatusAdmin(ReadOnlyAdmin):
    list_display = ["actor", "recommendation", "status", "as_of"]
    list_select_related = ["actor", "recommendation"]
    list_filter = ["kind", "status", "actor_kind"]
    search_fields = ["actor__code__iexact", "recommendation__code__iexact"]
    ordering = ["-pk"]


# ---------------------------------------------------------------------------
# People: users with their organizations, and invitations
# ---------------------------------------------------------------------------

User = get_user_model()


class MembershipInline(admin.StackedInline):  # stacked: the delete box has its label
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]
    verbose_name = _("organization membership")
    verbose_name_plural = _("organization memberships")


admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(AuditedAdmin, UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "email", "get_full_name", "roles", "is_staff", "is_active", "last_login"]
    readonly_fields = ["last_login", "date_joined"]  # recorded by the site, not typed
    actions = ["resend_invitation"]
    change_list_template = "admin/auth/user/change_list_invite.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("Roles"))
    def roles(self, obj):
        return ", ".join(g.name for g in obj.groups.all())

    def get_urls(self):
        return [
            path("invite/", self.admin_site.admin_view(self.invite_view), name="auth_user_invite"),
            *super().get_urls(),
        ]

    def invite_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                user, _link = services.invite_user(
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    organizations=form.cleaned_data["organizations"],
                    roles=form.cleaned_data["roles"],
                    invited_by=request.user,
                    base_url=request.build_absolute_uri("/"),
                    language=form.cleaned_data["language"] or None,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                self.message_user(
                    request, gettext("Invitation sent to %(email)s.") % {"email": user.email}, messages.SUCCESS
                )
                return redirect("admin:auth_user_change", user.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Invite a user"),
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/auth/user/invite.html", context)

    @admin.action(description=_("Re-send the invitation (set-password link)"), permissions=["change"])
    def resend_invitation(self, request, queryset):
        sent = 0
        for user in queryset.exclude(email=""):
            services.send_invitation(user=user, invited_by=request.user, base_url=request.build_absolute_uri("/"))
            sent += 1
        self.message_user(
            request,
            ngettext("Sent %(n)s invitation email.", "Sent %(n)s invitation emails.", sent) % {"n": sent},
            messages.SUCCESS,
        )
