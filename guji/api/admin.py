"""API tokens in the admin: read-only (issued and revoked on the tokens page, with history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from guji.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    list_display = ["name", "user", "prefix", "created_at", "revoked_at", "revoked_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "revoked_by"]
    search_fields = ["name", "prefix", "user__username"]
    fields = ["user", "name", "prefix", "created_at", "created_by", "revoked_at", "revoked_by"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # a key is shown once to its owner: issued on /api/tokens/

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked, never deleted: the history stays
