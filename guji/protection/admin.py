"""Graded protection in the admin: read-only, with history. Grades, lists, applications and
assessments change through the pages (guji.protection.services), which ask for a reason."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from guji.permissions import scope_filter
from guji.protection.models import (
    ApplicationPhoto,
    GradeProposal,
    KeyUnitAssessment,
    KeyUnitEvidence,
    Listing,
    ListingApplication,
    PreciousList,
)


class ReadOnlyAdmin(SimpleHistoryAdmin):
    scope_path: str | None = None  # where the institution is, for scoped changelists

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.scope_path:
            qs = qs.filter(scope_filter(request.user, "view", self.scope_path))
        return qs


@admin.register(GradeProposal)
class GradeProposalAdmin(ReadOnlyAdmin):
    scope_path = "holding__institution"
    list_display = ("holding", "grade", "clause", "status", "proposed_by", "decided_grade")
    list_filter = ("status", "grade")
    list_select_related = ("holding", "proposed_by")


@admin.register(PreciousList)
class PreciousListAdmin(ReadOnlyAdmin):
    list_display = ("name", "level", "batch", "year", "issued_by")


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    scope_path = "holding__institution"
    list_display = ("precious_list", "number", "holding")
    list_select_related = ("precious_list", "holding")


class ApplicationPhotoInline(admin.TabularInline):
    model = ApplicationPhoto
    extra = 0
    can_delete = False
    readonly_fields = ("image", "caption")


@admin.register(ListingApplication)
class ListingApplicationAdmin(ReadOnlyAdmin):
    scope_path = "holding__institution"
    list_display = ("holding", "level", "status", "created_at")
    list_filter = ("status", "level")
    inlines = [ApplicationPhotoInline]


class EvidenceInline(admin.TabularInline):
    model = KeyUnitEvidence
    extra = 0
    can_delete = False
    readonly_fields = ("requirement", "file", "description")


@admin.register(KeyUnitAssessment)
class KeyUnitAssessmentAdmin(ReadOnlyAdmin):
    scope_path = "institution"
    list_display = ("institution", "level", "status", "created_at")
    list_filter = ("status", "level")
    inlines = [EvidenceInline]
