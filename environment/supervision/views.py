"""Inspections of storage and their corrective actions: the centre records, both sides see."""

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from environment.supervision import services
from environment.supervision.forms import ActionForm, CloseForm, InspectionForm, PhotoForm
from environment.supervision.models import CorrectiveAction, Inspection, InspectionPhoto
from guji.history import version_changes
from guji.permissions import can, can_anywhere, institutions_where, scope_filter
from guji.protection.documents import file_response


def _inspections(request: HttpRequest):
    return Inspection.objects.filter(scope_filter(request.user, "view", "institution"))


def inspection_list(request: HttpRequest) -> HttpResponse:
    if not can_anywhere(request.user, "view"):
        raise PermissionDenied
    inspections = _inspections(request).select_related("institution")
    page = Paginator(inspections, 50).get_page(request.GET.get("page"))
    actions = (
        CorrectiveAction.objects.open()
        .filter(scope_filter(request.user, "view", "inspection__institution"))
        .select_related("inspection__institution")
    )
    context = {
        "page": page,
        "actions": actions,
        "today": timezone.localdate(),
        "may_inspect": can_anywhere(request.user, "inspect"),
    }
    return render(request, "supervision/inspection_list.html", context)


@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest) -> HttpResponse:
    institutions = institutions_where(request.user, "inspect")
    if not institutions.exists():
        raise PermissionDenied
    form = InspectionForm(
        request.POST or None,
        institutions=institutions,
        initial={"date": timezone.localdate(), "inspectors": str(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.record_inspection(
                form.cleaned_data["institution"],
                date=form.cleaned_data["date"],
                inspectors=form.cleaned_data["inspectors"],
                summary=form.cleaned_data["summary"],
                findings=form.findings(),
                by=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect(inspection)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/inspection_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(_inspections(request).select_related("institution"), pk=pk)
    may_inspect = can(request.user, "inspect", inspection.institution)
    action_form = ActionForm(request.POST if request.POST.get("form") == "action" else None)
    photo_form = PhotoForm(
        request.POST if request.POST.get("form") == "photo" else None, request.FILES or None
    )
    if request.method == "POST":
        if not may_inspect:
            raise PermissionDenied
        if request.POST.get("form") == "action" and action_form.is_valid():
            services.add_action(inspection, by=request.user, **action_form.cleaned_data)
            messages.success(request, _("Corrective action set."))
            return redirect(inspection)
        if request.POST.get("form") == "photo" and photo_form.is_valid():
            try:
                services.add_photo(inspection, by=request.user, **photo_form.cleaned_data)
            except ValidationError as exc:
                photo_form.add_error("image", exc)
            else:
                return redirect(inspection)
    actions = list(inspection.actions.select_related("closed_by"))
    changes = version_changes(
        list(inspection.history.select_related("history_user")), subject=_("Inspection")
    )
    for action in actions:
        changes += version_changes(
            list(action.history.select_related("history_user")),
            subject=_("Corrective action: %s") % action.description[:40],
        )
    changes.sort(key=lambda c: c.when, reverse=True)
    context = {
        "inspection": inspection,
        "findings": inspection.findings.all(),
        "actions": actions,
        "photos": inspection.photos.all(),
        "may_inspect": may_inspect,
        "action_form": action_form,
        "photo_form": photo_form,
        "close_form": CloseForm(),
        "history": changes,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/inspection_detail.html", context, status=status)


@require_POST
def action_close(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        CorrectiveAction.objects.filter(
            scope_filter(request.user, "view", "inspection__institution")
        ).select_related("inspection__institution"),
        pk=pk,
    )
    if not can(request.user, "inspect", action.inspection.institution):
        raise PermissionDenied
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_action(action, note=form.cleaned_data["note"], by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Corrective action closed."))
    else:
        messages.error(request, _("Say how the action was carried out."))
    return redirect(action.inspection)


def inspection_photo(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_object_or_404(InspectionPhoto.objects.select_related("inspection"), pk=pk)
    allowed = can(request.user, "view", photo.inspection.institution)
    if not allowed:
        raise Http404  # as for an institution the user cannot see
    name = photo.image.name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return file_response(
        request, name, allowed=allowed, content_type=content_type, as_attachment=False
    )
