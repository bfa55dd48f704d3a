"""Admin: the centre administrator edits the vocabularies and the damage-level schemes here
(thresholds are data, entered from the printed standard); repair records are written through
the pages (conservation.services) and are read-only here."""

from django.contrib import admin

from conservation.models import (
    Acceptance,
    Assessment,
    DamageCondition,
    DamageLevel,
    DamageScheme,
    DamageType,
    Finding,
    HoldingDamage,
    MaterialBatch,
    QualityGrade,
    RepairLog,
    RepairOperation,
    RepairPlan,
    RepairRequest,
)
from guji.admin import AuditedAdmin


@admin.register(DamageType, RepairOperation, QualityGrade)
class VocabularyAdmin(AuditedAdmin):
    list_display = ("code", "name", "trad", "active", "position")
    list_editable = ("active", "position")
    search_fields = ("code", "name")


class DamageLevelInline(admin.TabularInline):
    model = DamageLevel
    extra = 0


@admin.register(DamageScheme)
class DamageSchemeAdmin(AuditedAdmin):
    list_display = ("code", "name", "active")
    inlines = [DamageLevelInline]


@admin.register(DamageLevel)
class DamageLevelAdmin(AuditedAdmin):
    list_display = ("scheme", "number", "name", "alt_name")
    list_filter = ("scheme",)


@admin.register(DamageCondition)
class DamageConditionAdmin(AuditedAdmin):
    list_display = (
        "level",
        "damage_type",
        "measure",
        "and_group",
        "operator",
        "low",
        "high",
        "unit",
    )
    list_filter = ("level__scheme", "level__number", "damage_type")
    list_select_related = ("level", "level__scheme", "damage_type")


@admin.register(MaterialBatch)
class MaterialBatchAdmin(AuditedAdmin):
    list_display = ("batch_code", "kind", "name", "maker", "received_on", "remaining", "unit")
    list_filter = ("kind",)
    search_fields = ("batch_code", "name", "maker", "supplier")


class ReadOnlyAdmin(AuditedAdmin):
    """Written through the pages (permission checks, reasons, grants); shown here only."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("holding", "volume", "assessed_on", "computed_level", "override_level")
    list_select_related = ("holding",)
    raw_id_fields = ("holding",)
    inlines = [FindingInline]


@admin.register(RepairRequest)
class RepairRequestAdmin(ReadOnlyAdmin):
    list_display = ("holding", "institution", "requested_at", "status")
    list_select_related = ("holding", "institution")


@admin.register(RepairPlan)
class RepairPlanAdmin(ReadOnlyAdmin):
    list_display = ("pk", "holding", "status", "revision", "planned_at", "approved_at")
    list_filter = ("status",)
    list_select_related = ("holding",)


@admin.register(RepairLog)
class RepairLogAdmin(ReadOnlyAdmin):
    list_display = ("plan", "worked_on", "conservator", "hours", "leaf_count")
    list_select_related = ("plan", "plan__holding", "conservator")


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin):
    list_display = ("plan", "inspector", "accepted_on", "result")
    list_select_related = ("plan", "plan__holding", "inspector", "result")


@admin.register(HoldingDamage)
class HoldingDamageAdmin(ReadOnlyAdmin):
    list_display = ("holding", "level_name", "assessed_on")
    list_select_related = ("holding",)
