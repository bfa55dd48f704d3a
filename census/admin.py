"""Admin for the census workflow: records are read here, transitions go through census.services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from census.models import (
    Campaign,
    CensusCounter,
    CensusEntry,
    CorrectionRequest,
    ExportJob,
    FieldComment,
    ImportJob,
    LeafPhoto,
    Participation,
    ReviewRound,
    SubmittedPhoto,
)
from census.services import (
    accept_correction,
    accept_entry,
    refuse_correction,
    return_entry,
)
from guji.admin import ScopedAdminMixin, action_with_text
from guji.concurrency import current_version


def _holding_version(obj) -> int:
    """The version of the record an entry or a correction request is about."""
    return current_version(obj.holding)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Rows written only by the workflow: the admin shows them and their history."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    can_delete = False
    readonly_fields = ("institution", "estimated_holdings")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    """Read here; opened and changed on the campaign pages (census.services.open_campaign and
    update_campaign check who, ask why and keep the participants consistent)."""

    list_display = ("name", "starts_on", "ends_on", "is_open")
    list_filter = ("is_open",)
    search_fields = ("name",)
    inlines = [ParticipationInline]


class FieldCommentInline(admin.TabularInline):
    model = FieldComment
    extra = 0
    can_delete = False
    readonly_fields = ("field", "comment")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CensusEntry)
class CensusEntryAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("holding", "institution", "campaign", "round", "submitted_at", "state")
    list_filter = ("holding__status", "campaign", "institution")
    list_select_related = ("holding", "institution", "campaign")
    search_fields = ("holding__call_number", "holding__census_number", "holding__search_key")
    show_full_result_count = False
    actions = ["accept_selected", "return_selected"]

    @admin.display(description=_("status"), ordering="holding__status")
    def state(self, obj: CensusEntry) -> str:
        return obj.holding.get_status_display()

    @admin.action(description=_("Accept the selected entries (census number)"))
    def accept_selected(self, request, queryset):
        return action_with_text(
            self,
            request,
            queryset,
            title=_("Accept census entries"),
            label=_("Review comment (optional)"),
            required=False,
            apply=lambda entry, text, version: accept_entry(
                entry, by=request.user, comment=text, expected_version=version
            ),
            version_of=_holding_version,
        )

    @admin.action(description=_("Return the selected entries to their cataloguers"))
    def return_selected(self, request, queryset):
        return action_with_text(
            self,
            request,
            queryset,
            title=_("Return census entries"),
            label=_("Review comment"),
            required=True,
            apply=lambda entry, text, version: return_entry(
                entry, by=request.user, comment=text, expected_version=version
            ),
            version_of=_holding_version,
        )


@admin.register(ReviewRound)
class ReviewRoundAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("entry", "number", "submitted_by", "submitted_at", "decision", "decided_by")
    list_filter = ("decision", "institution")
    list_select_related = ("entry__holding", "submitted_by", "decided_by")
    show_full_result_count = False
    inlines = [FieldCommentInline]


@admin.register(CensusCounter)
class CensusCounterAdmin(ReadOnlyAdmin):
    """Read-only: an edited counter would reuse or skip census numbers."""

    list_display = ("institution", "last_serial")
    list_select_related = ("institution",)


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("holding", "institution", "status", "requested_by", "requested_at")
    list_filter = ("status", "institution")
    list_select_related = ("holding", "institution", "requested_by")
    actions = ["accept_selected", "refuse_selected"]

    @admin.action(description=_("Accept the selected correction requests"))
    def accept_selected(self, request, queryset):
        return action_with_text(
            self,
            request,
            queryset,
            title=_("Accept correction requests"),
            label=_("Reason for the decision (optional)"),
            required=False,
            apply=lambda c, text, version: accept_correction(
                c, by=request.user, reason=text, expected_version=version
            ),
            version_of=_holding_version,
        )

    @admin.action(description=_("Refuse the selected correction requests"))
    def refuse_selected(self, request, queryset):
        return action_with_text(
            self,
            request,
            queryset,
            title=_("Refuse correction requests"),
            label=_("Reason for the decision"),
            required=True,
            apply=lambda c, text, version: refuse_correction(
                c, by=request.user, reason=text, expected_version=version
            ),
            version_of=_holding_version,
        )


@admin.register(LeafPhoto)
class LeafPhotoAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    """Photographs are added and removed on the holding's page (census.photos checks them)."""

    list_display = ("holding", "kind", "caption", "width", "height", "uploaded_by", "uploaded_at")
    list_filter = ("kind", "institution")
    list_select_related = ("holding", "uploaded_by")
    raw_id_fields = ("holding",)


@admin.register(SubmittedPhoto)
class SubmittedPhotoAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    """The photographs as they were when a round was submitted: a record, never edited."""

    list_display = ("round", "kind", "caption", "width", "height", "sha256")
    list_filter = ("kind", "institution")
    list_select_related = ("round",)
    raw_id_fields = ("round",)


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = (
        "filename",
        "institution",
        "user",
        "status",
        "total_rows",
        "created",
        "created_at",
    )
    list_filter = ("status", "institution")
    list_select_related = ("institution", "user")


@admin.register(ExportJob)
class ExportJobAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("filename", "scope", "institution", "format", "status", "user", "created_at")
    list_filter = ("status", "format", "scope")
    list_select_related = ("institution", "user")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
