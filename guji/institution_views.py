"""A manager looks after their institution: its details and who catalogues for it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guji.history import save_audited
from guji.models import Institution, RoleAssignment, User
from guji.permissions import grant_role, institutions_where, require, revoke_role

Role = RoleAssignment.Role


class InstitutionForm(forms.ModelForm):
    reason = forms.CharField(label=gettext_lazy("Reason for the change"), max_length=500)

    class Meta:
        model = Institution
        # The name, codes and key-protection status are the centre's to set (in the admin).
        fields = [
            "short_name",
            "address",
            "contact_person",
            "contact_phone",
            "contact_email",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(
        label=gettext_lazy("Staff member"), queryset=User.objects.none(), empty_label=None
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)

    def __init__(self, *args, institution: Institution, **kwargs):
        super().__init__(*args, **kwargs)
        has_role = RoleAssignment.objects.filter(institution=institution, role=Role.CATALOGUER)
        self.fields["user"].queryset = (
            User.objects.filter(institution=institution, is_active=True)
            .exclude(pk__in=has_role.values("user"))
            .order_by("username")
        )


def _managed(request: HttpRequest, pk: int) -> Institution:
    institution = get_object_or_404(institutions_where(request.user, "view"), pk=pk)
    require(request.user, "manage", institution)
    return institution


@require_http_methods(["GET", "POST"])
def institution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _managed(request, pk)
    form = InstitutionForm(request.POST or None, instance=institution)
    if request.method == "POST" and form.is_valid():
        save_audited(form.save(commit=False), by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Institution details saved."))
        return redirect(institution)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "institution": institution}
    return render(request, "guji/institution_form.html", context, status=status)


@require_POST
def cataloguer_grant(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _managed(request, pk)
    form = GrantForm(request.POST, institution=institution)
    if not form.is_valid():
        messages.error(request, _("Choose a staff member and say why."))
        return redirect(institution)
    grant_role(
        form.cleaned_data["user"],
        Role.CATALOGUER,
        institution=institution,
        by=request.user,
        reason=form.cleaned_data["reason"],
    )
    messages.success(
        request, _("%(user)s may now catalogue here.") % {"user": form.cleaned_data["user"]}
    )
    return redirect(institution)


@require_POST
def cataloguer_revoke(request: HttpRequest, pk: int, assignment: int) -> HttpResponse:
    institution = _managed(request, pk)
    role = get_object_or_404(
        RoleAssignment, pk=assignment, institution=institution, role=Role.CATALOGUER
    )
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Say why the role is taken away."))
        return redirect(institution)
    if role.user_id == request.user.pk:
        raise PermissionDenied
    revoke_role(role, by=request.user, reason=reason)
    messages.success(request, _("%(user)s no longer catalogues here.") % {"user": role.user})
    return redirect(institution)
