from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from guji.cataloguing import forget_role_names
from guji.concurrency import VersionField, current_version
from guji.models import (
    AuthorRole,
    Binding,
    EditionType,
    Holding,
    Institution,
    ListExportJob,
    Notification,
    ObjectGrant,
    Responsibility,
    RoleAssignment,
    SavedSearch,
    SibuClass,
    User,
)
from guji.permissions import grant_role, revoke_role
from guji.services import EDITABLE_FIELDS, create_holding, is_writable, update_holding

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
    """Accounts only: roles (and with them groups, object permissions and the staff flag) change
    through the role assignments' grant and revoke, never by editing the user."""

    search_fields = ("username", "display_name", "first_name", "last_name")
    list_display = ("username", "display_name", "institution", "is_active", "roles")
    list_filter = ("is_active", "role_assignments__role", "institution")
    list_select_related = ("institution",)
    readonly_fields = ("roles", "is_staff", "is_superuser", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Guji"),
            {"fields": ("display_name", "first_name", "last_name", "email", "institution")},
        ),
        (_("Access"), {"fields": ("is_active", "roles", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return "、".join(str(a) for a in obj.role_assignments.select_related("institution"))


admin.site.unregister(Group)  # groups follow the roles (guji.permissions.sync_role_groups)


def action_with_text(
    modeladmin, request, queryset, *, title, label, required, apply, version_of=None
):
    """An admin action that first asks for a comment or reason, then applies ``apply`` to each row.

    ``apply(obj, text)`` calls the domain function; its refusals are reported per row. With
    ``version_of(obj)`` the confirmation page carries each row's version as read there
    (``guji.concurrency``) and ``apply(obj, text, version)`` gets it back, so a row someone
    changed in the meantime is refused with what they changed.
    """
    if "apply" in request.POST:
        text = request.POST.get("text", "").strip()
        if required and not text:
            modeladmin.message_user(request, _("Give a comment or reason."), messages.ERROR)
        else:
            done = 0
            for obj in queryset:
                try:
                    if version_of is None:
                        apply(obj, text)
                    else:
                        apply(obj, text, request.POST.get(f"version-{obj.pk}") or None)
                except (PermissionDenied, ValidationError) as exc:
                    problem = " ".join(getattr(exc, "messages", [])) or _("Not allowed.")
                    modeladmin.message_user(request, f"{obj}: {problem}", messages.ERROR)
                else:
                    done += 1
            modeladmin.message_user(
                request, _("%(n)d of %(total)d done.") % {"n": done, "total": len(queryset)}
            )
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "label": label,
        "required": required,
        "queryset": queryset,
        "rows": [(obj, version_of(obj) if version_of else None) for obj in queryset],
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "guji/admin_action_text.html", context)


class DomainFormAdmin(AuditedAdmin):
    """An admin whose add/change form writes through a domain function, from the form's clean.

    ``write(request, form, obj)`` calls the domain function and returns the saved object. Its
    refusal (ValidationError, PermissionDenied, ValueError) becomes the form's error: the page
    shows only the error, never also "changed successfully", and nothing is written. The admin's
    own save is then a no-op (the admin view is one transaction, so both go or neither).
    """

    def write(self, request, form, obj):
        raise NotImplementedError

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        model_admin = self

        class DomainForm(form):
            def clean(self):
                cleaned = super().clean()
                if self.errors:
                    return cleaned
                try:
                    saved = model_admin.write(request, self, obj)
                except ValidationError as exc:
                    raise ValidationError(exc.messages) from exc
                except PermissionDenied as exc:
                    raise ValidationError(str(exc) or _("Not allowed.")) from exc
                except ValueError as exc:
                    raise ValidationError(str(exc)) from exc
                self.instance.pk = saved.pk
                self.instance._state.adding = False
                self.saved = saved
                return cleaned

        return DomainForm

    def save_model(self, request, obj, form, change):
        obj.pk = form.saved.pk  # written by the domain function in the form's clean


class VocabularyAdmin(AuditedAdmin):
    list_display = ("code", "name", "trad", "active", "position")
    list_editable = ("active", "position")
    search_fields = ("code", "name", "trad")


@admin.register(AuthorRole)
class AuthorRoleAdmin(VocabularyAdmin):
    """The 著作方式 the statement reader knows (longest match wins); changes apply at once."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_role_names()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_role_names()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        forget_role_names()


admin.site.register(SibuClass, VocabularyAdmin)
admin.site.register(Binding, VocabularyAdmin)


@admin.register(EditionType)
class EditionTypeAdmin(AuditedAdmin):
    """Read only: the edition parser reads guji/data/edition_types.csv, so that file is the
    vocabulary; a name edited here would never reach the parser."""

    list_display = ("code", "name", "trad", "parent", "is_guji")
    list_select_related = ("parent",)
    search_fields = ("code", "name", "trad")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Institution)
class InstitutionAdmin(AuditedAdmin):
    """Who may act on an institution is a role (RoleAssignment), not a permission page."""

    list_display = ("code", "name", "type", "region_code", "key_protection")
    list_filter = ("type", "key_protection")
    search_fields = ("name", "code")


class RoleAssignmentForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "institution", "reason")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(DomainFormAdmin):
    """Roles are granted by grant_role (a reason asked for) and revoked by revoke_role (an action
    that asks for the reason): guardian's rows, the groups and the staff flag follow the record."""

    form = RoleAssignmentForm
    list_display = ("user", "role", "institution")
    list_filter = ("role", "institution")
    list_select_related = ("user", "institution")
    autocomplete_fields = ("user", "institution")
    actions = ["revoke_selected"]

    def has_change_permission(self, request, obj=None):
        return False  # revoke and grant anew: an assignment has no editable fields

    def has_delete_permission(self, request, obj=None):
        return False  # revoked with a reason: the "Revoke" action

    def write(self, request, form, obj):
        data = form.cleaned_data
        return grant_role(
            data["user"],
            data["role"],
            institution=data.get("institution"),
            by=request.user,
            reason=data["reason"],
        )

    @admin.action(description=_("Revoke the selected roles"), permissions=["view"])
    def revoke_selected(self, request, queryset):
        return action_with_text(
            self,
            request,
            queryset.select_related("user", "institution"),
            title=_("Revoke roles"),
            label=_("Reason"),
            required=True,
            apply=lambda a, text: revoke_role(a, by=request.user, reason=text),
        )


@admin.register(ObjectGrant)
class ObjectGrantAdmin(AuditedAdmin):
    """Shown, never edited: grants change through guji.permissions.grant/revoke (who and why)."""

    list_display = ("user", "action", "content_type", "object_id")
    list_filter = ("action", "content_type")
    list_select_related = ("user", "content_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    readonly_fields = ("seq", "dynasty", "name", "role", "attributed", "supplied", "written")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # edited as the catalogue-form text on the holding


class HoldingAdminForm(forms.ModelForm):
    """The admin adds the model and its fields; this adds the version the editor read."""

    version = VersionField()  # a save over someone else's is refused

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["version"] = current_version(self.instance)


@admin.register(Holding)
class HoldingAdmin(ScopedAdminMixin, DomainFormAdmin):
    """Saved through create_holding/update_holding, so derived fields, the lock and history are
    the same as on every other path. A record the lock refuses offers no delete; bulk delete is
    not offered (a holding leaves the register one at a time, and only while it is a draft)."""

    list_display = ("title_juan", "institution", "call_number", "census_number", "status")
    list_filter = ("status", "grade", "edition_dynasty", "institution")
    list_select_related = ("institution",)
    search_fields = ("call_number", "census_number", "search_key")
    show_full_result_count = False
    readonly_fields = (
        "status",
        "census_number",
        "authors_text",
        "juan_unit",
        "edition_warnings",
        "cataloguing_warnings",
    )
    autocomplete_fields = ("sibu_class", "binding")
    inlines = [ResponsibilityInline]
    form = HoldingAdminForm

    def write(self, request, form, obj):
        cleaned = form.cleaned_data
        data = {f: cleaned[f] for f in EDITABLE_FIELDS if f in cleaned}
        if "grade" in cleaned:
            data["grade"] = cleaned["grade"]
        if obj is not None:
            holding = Holding.objects.get(pk=obj.pk)
            reason = str(_("Changed in the admin"))
            return update_holding(
                holding,
                data=data,
                by=request.user,
                reason=reason,
                expected_version=cleaned.get("version"),
            )
        return create_holding(
            institution=cleaned["institution"],
            data=data,
            statements=(),
            by=request.user,
            reason=str(_("Added in the admin")),
        )

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not is_writable(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    """A user's own list filters: looked at here, changed only by their owner on the site."""

    list_display = ("name", "user", "query", "created_at")
    search_fields = ("name", "user__username")
    readonly_fields = ("user", "name", "query", "created_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ListExportJob)
class ListExportJobAdmin(admin.ModelAdmin):
    """Holdings-list exports made in the background: who exported which list, and when."""

    list_display = ("download_name", "user", "status", "total_rows", "created_at")
    list_filter = ("status",)
    list_select_related = ("user",)
    readonly_fields = [f.name for f in ListExportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
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
