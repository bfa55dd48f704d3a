"""Period reports in the admin: read-only (compiled and submitted on the report pages, where
the rules live; a submitted report is frozen)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from guji.reports.models import Report, ReportJob


class ReadOnly:
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["__str__", "year", "quarter", "status", "compiled_at", "submitted_at"]
    list_filter = ["status", "year"]
    list_select_related = ["compiled_by", "submitted_by"]
    exclude = ["tables", "missing_glyphs"]


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["report", "user", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["report", "user"]
