"""Spreadsheet import pages: template, upload (dry run), report, import with progress."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from census.forms import ImportUploadForm
from census.imports.jobs import (
    may_retry,
    may_run,
    progress_of,
    request_run,
    retry,
    start_import,
)
from census.models import ImportJob
from census.templates_xlsx import build_template
from guji.pagination import paginate
from guji.permissions import can_anywhere, institutions_where


@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    may_import = can_anywhere(request.user, "catalogue")
    form = None
    if may_import:
        institutions = institutions_where(request.user, "catalogue").order_by("code")
        form = ImportUploadForm(
            request.POST or None, request.FILES or None, institutions=institutions
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            job = _start(request, form.cleaned_data)
            return redirect(job)
    jobs = ImportJob.objects.visible_to(request.user).select_related("institution", "user")
    page = paginate(jobs, request.GET.get("page"), per_page=settings.GUJI_PAGE_SIZE)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "page": page}
    return render(request, "census/import_list.html", context, status=status)


def _start(request: HttpRequest, data: dict) -> ImportJob:
    return start_import(
        data["file"],
        institution=data["institution"],
        by=request.user,
        update_existing=data["update_existing"],
        clear_empty=data["clear_empty"],
        language=translation.get_language(),
    )


@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        build_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''census-import-template.xlsx"
    return response


def _visible_job(request: HttpRequest, pk: int) -> ImportJob:
    jobs = ImportJob.objects.visible_to(request.user).select_related("institution", "user")
    return get_object_or_404(jobs, pk=pk)


@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    report = job.report or {}
    context = {
        "job": job,
        "report": report,
        "running": job.is_running,
        "progress": progress_of(job),
        "may_run": may_run(job, request.user),
        "may_retry": may_retry(job, request.user),
        "shown": _shown(report),
    }
    return render(request, "census/import_detail.html", context)


def _shown(report: dict) -> dict:
    """How many of each list the page shows, against how many there are."""
    counts = report.get("counts", {})
    return {
        "problems": (len(report.get("problems", [])), counts.get("problems", 0)),
        "warnings": (len(report.get("warnings", [])), counts.get("warnings", 0)),
        "rows": (len(report.get("rows", [])), counts.get("rows", 0)),
    }


@require_GET
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _visible_job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": str(job.get_status_display()),
            "running": job.is_running,
            "state": job.display_state,
            "message": job.message,
            **progress_of(job),
        }
    )


@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    if not request_run(job, by=request.user):  # PermissionDenied → 403
        messages.warning(request, _("This file is not waiting to be imported."))
    return redirect(reverse("census:import_detail", args=[job.pk]))


@require_POST
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    if not retry(job, by=request.user):  # PermissionDenied → 403
        messages.warning(
            request, _("Only a failed import whose file is still kept can be tried again.")
        )
    return redirect(reverse("census:import_detail", args=[job.pk]))
