"""Spreadsheet import pages: template, upload (dry run), report, import with progress."""

import hashlib
import os
import tempfile

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from census import tasks
from census.forms import ImportUploadForm
from census.models import ImportJob
from census.templates_xlsx import build_template
from guji.history import save_audited
from guji.permissions import can, can_anywhere, institutions_where, require

RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING)


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
    page = Paginator(jobs, settings.GUJI_PAGE_SIZE).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "page": page}
    return render(request, "census/import_list.html", context, status=status)


def _start(request: HttpRequest, data: dict) -> ImportJob:
    institution = data["institution"]
    require(request.user, "catalogue", institution)
    upload = data["file"]
    sha256 = _store(upload)
    job = ImportJob(
        institution=institution,
        user=request.user,
        filename=os.path.basename(upload.name)[:255],
        stored_path=str(tasks.upload_path(sha256).relative_to(settings.MEDIA_ROOT)),
        sha256=sha256,
        update_existing=data["update_existing"],
        report={"language": translation.get_language() or settings.LANGUAGE_CODE},
    )
    save_audited(job, by=request.user, reason=_("Uploaded for checking"))
    transaction.on_commit(lambda: tasks.check_import(job.pk))
    return job


def _store(upload) -> str:
    """Keep the upload under MEDIA_ROOT/imports/<sha256>; the same content is stored once."""
    folder = tasks.upload_path("x").parent
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    os.replace(out.name, tasks.upload_path(digest.hexdigest()))
    return digest.hexdigest()


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


def _progress(job: ImportJob) -> dict:
    progress = tasks.read_progress(job.pk) if job.status in RUNNING else None
    done, total = job.processed_rows, job.total_rows
    phase = "done"
    if progress:
        phase, done, total = progress["phase"], progress["done"], progress["total"]
    percent = int(100 * done / total) if total else (0 if job.status in RUNNING else 100)
    return {"phase": phase, "done": done, "total": total, "percent": min(percent, 100)}


@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    report = job.report or {}
    counts = report.get("counts", {})
    may_run = (
        job.status == ImportJob.Status.VALIDATED
        and (counts.get("create", 0) or counts.get("update", 0))
        and can(request.user, "catalogue", job.institution)
    )
    context = {
        "job": job,
        "report": report,
        "running": job.status in RUNNING,
        "progress": _progress(job),
        "may_run": may_run,
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
            "running": job.status in RUNNING,
            "message": job.message,
            **_progress(job),
        }
    )


@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    require(request.user, "catalogue", job.institution)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        counts = job.report.get("counts", {})
        if job.status != ImportJob.Status.VALIDATED or not (
            counts.get("create") or counts.get("update")
        ):
            messages.warning(request, _("This file is not waiting to be imported."))
            return redirect(job)
        job.status = ImportJob.Status.QUEUED
        job.processed_rows = 0
        save_audited(job, by=request.user, reason=_("Import requested"))
        transaction.on_commit(lambda: tasks.run_import(job.pk))
    return redirect(reverse("census:import_detail", args=[job.pk]))
