"""Supervision in the admin: read-only, with history (the pages write, with reasons)."""

from django.contrib import admin

from environment.supervision.models import CorrectiveAction, Finding, Inspection, InspectionPhoto
from guji.protection.admin import ReadOnlyAdmin


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    can_delete = False
    readonly_fields = ("requirement", "result", "note")


class PhotoInline(admin.TabularInline):
    model = InspectionPhoto
    extra = 0
    can_delete = False
    readonly_fields = ("image", "caption")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    scope_path = "institution"
    list_display = ("institution", "date", "inspectors")
    inlines = [FindingInline, PhotoInline]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnlyAdmin):
    scope_path = "inspection__institution"
    list_display = ("description", "inspection", "owner", "due_date", "closed_at")
    list_filter = ("closed_at",)
