"""Admin for the storage environment. Readings are not here: 10⁸ rows keyed by (sensor, time) are
read through the room pages; the admin lists their ingests instead (who wrote what, why)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from environment.models import (
    DailyRollup,
    Excursion,
    Ingest,
    Notification,
    Placement,
    Room,
    RoomThreshold,
    Sensor,
    Threshold,
    UploadJob,
)
from guji.admin import AuditedAdmin, ScopedAdminMixin


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SensorInline(admin.TabularInline):
    model = Sensor
    extra = 0
    fields = ("code", "vendor", "model", "serial", "measures", "active")


class RoomThresholdInline(admin.TabularInline):
    model = RoomThreshold
    extra = 0


@admin.register(Room)
class RoomAdmin(ScopedAdminMixin, AuditedAdmin):
    list_display = ("code", "name", "institution", "type")
    list_filter = ("type",)
    list_select_related = ("institution",)
    search_fields = ("code", "name", "institution__name")
    inlines = [SensorInline, RoomThresholdInline]


@admin.register(Sensor)
class SensorAdmin(ScopedAdminMixin, AuditedAdmin):
    list_display = ("code", "room", "vendor", "model", "serial", "active", "token_issued_at")
    list_select_related = ("room",)
    search_fields = ("code", "serial", "room__name")
    readonly_fields = ("token_issued_at",)


@admin.register(Threshold)
class ThresholdAdmin(AuditedAdmin):
    list_display = ("room_type", "parameter", "minimum", "maximum", "max_daily_change", "source")
    list_filter = ("room_type", "parameter")


@admin.register(RoomThreshold)
class RoomThresholdAdmin(AuditedAdmin):
    list_display = ("room", "parameter", "minimum", "maximum", "max_daily_change", "reason")
    list_select_related = ("room",)


@admin.register(Excursion)
class ExcursionAdmin(ScopedAdminMixin, ReadOnly, SimpleHistoryAdmin):
    list_display = ("room", "parameter", "high", "start", "end", "peak", "acknowledged_at")
    list_filter = ("parameter", "high")
    list_select_related = ("room",)
    date_hierarchy = "start"


@admin.register(Placement)
class PlacementAdmin(AuditedAdmin):
    list_display = ("holding", "room", "shelf")
    list_select_related = ("holding", "room")
    raw_id_fields = ("holding",)
    search_fields = ("holding__call_number", "room__name")


@admin.register(DailyRollup)
class DailyRollupAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("sensor", "day", "count", "t_min", "t_max", "rh_min", "rh_max")
    list_select_related = ("sensor",)
    date_hierarchy = "day"


@admin.register(Ingest)
class IngestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("created_at", "sensor", "source", "user", "received", "written", "filename")
    list_select_related = ("sensor", "user")
    list_filter = ("source",)


@admin.register(UploadJob)
class UploadJobAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ("created_at", "filename", "sensor", "user", "status")
    list_select_related = ("sensor", "user")
    list_filter = ("status",)


@admin.register(Notification)
class NotificationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("created_at", "user", "title", "read_at")
    list_select_related = ("user",)
