from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin
from simple_history.admin import SimpleHistoryAdmin

from guji.cataloguing import forget_role_names, parse_statements
from guji.models import (
    AuthorRole,
    Binding,
    EditionType,
    Holding,
    Institution,
    Notification,
    Responsibility,
    RoleAssignment,
    SavedSearch,
    SibuClass,
    User,
)
from guji.permissions import grant_role, revoke_role
from guji.services import EDITABLE_FIELDS, create_holding, update_holding

admin.site.site_header = _("Guji administration")
admin.site.site_title = _("Guji")


class AuditedAdmin(SimpleHistoryAdmin):
    """Admin saves carry a reason: simple-history records the request's user by itself."""

    def save_model(self, request, obj, form, change):
        obj._change_reason = _("Changed in the admin") if change else _("Added in the admin")
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        obj._change_reason = _("Deleted in the admin")
        super().delete_model(request, obj)


class ScopedAdminMixin:
    """Admin lists show what guji.permissions lets the user see, as the pages do."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(User)
class GujiUserAdmin(UserAdmin, AuditedAdmin):
    search_fields = ("username", "display_name", "first_name", "last_name")
    list_display = ("username", "display_name", "institution", "is_active", "is_staff")
    list_select_related = ("institution",)
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Guji"), {"fields": ("display_name", "institution")}),
    )


class VocabularyAdmin(AuditedAdmin):
    list_display = ("code", "name", "trad", "active", "position")
    list_editable = ("active", "position")
    search_fields = ("code", "name", "trad")


@admin.register(AuthorRole)
class AuthorRoleAdmin(VocabularyAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_role_names()


admin.site.register(SibuClass, VocabularyAdmin)
admin.site.register(Binding, VocabularyAdmin)
admin.site.register(EditionType, VocabularyAdmin)


@admin.register(Institution)
class InstitutionAdmin(GuardedModelAdminMixin, AuditedAdmin):
    list_display = ("code", "name", "type", "region_code", "key_protection")
    list_filter = ("type", "key_protection")
    search_fields = ("name", "code")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    """Roles go through grant_role/revoke_role so guardian's rows follow the record."""

    list_display = ("user", "role", "institution")
    list_filter = ("role", "institution")
    list_select_related = ("user", "institution")
    autocomplete_fields = ("user", "institution")

    def has_change_permission(self, request, obj=None):
        return False  # revoke and grant anew: an assignment has no editable fields

    def save_model(self, request, obj, form, change):
        try:
            grant_role(
                obj.user,
                obj.role,
                institution=obj.institution,
                by=request.user,
                reason=str(_("Granted in the admin")),
            )
        except (PermissionDenied, ValueError) as exc:
            self.message_user(request, str(exc) or _("Not allowed."), messages.ERROR)

    def delete_model(self, request, obj):
        revoke_role(obj, by=request.user, reason=str(_("Revoked in the admin")))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    readonly_fields = ("seq", "dynasty", "name", "role", "attributed")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # edited as the catalogue-form text on the holding


@admin.register(Holding)
class HoldingAdmin(ScopedAdminMixin, AuditedAdmin):
    list_display = ("title_juan", "institution", "call_number", "census_number", "status")
    list_filter = ("status", "grade", "edition_dynasty", "institution")
    list_select_related = ("institution",)
    search_fields = ("call_number", "census_number", "search_key")
    show_full_result_count = False
    readonly_fields = ("status", "census_number", "authors_text", "edition_warnings")
    raw_id_fields = ("sibu_class", "binding")
    inlines = [ResponsibilityInline]

    def save_model(self, request, obj, form, change):
        """Through the domain functions, so derived fields and history match every other path."""
        data = {f: form.cleaned_data[f] for f in EDITABLE_FIELDS if f in form.cleaned_data}
        if "grade" in form.cleaned_data:
            data["grade"] = form.cleaned_data["grade"]
        reason = str(_("Changed in the admin") if change else _("Added in the admin"))
        statements = parse_statements(obj.authors_text) if not change else None
        try:
            if change:
                saved = update_holding(obj, data=data, by=request.user, reason=reason)
            else:
                saved = create_holding(
                    institution=obj.institution,
                    data=data,
                    statements=statements or (),
                    by=request.user,
                    reason=reason,
                )
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return
        obj.pk = saved.pk


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    """A user's own list filters: looked at here, changed only by their owner on the site."""

    list_display = ("name", "user", "query", "created_at")
    search_fields = ("name", "user__username")
    readonly_fields = ("user", "name", "query", "created_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Messages sent to users (what was said, to whom, whether read and e-mailed)."""

    list_display = ("subject", "user", "created_at", "read_at", "emailed")
    list_filter = ("emailed",)
    search_fields = ("subject", "user__username")
    readonly_fields = ("user", "subject", "body", "url", "created_at", "read_at", "emailed")

    def has_add_permission(self, request) -> bool:
        return False
