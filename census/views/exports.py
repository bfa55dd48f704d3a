"""Pages for leaf photographs and the registration catalogue export, and their downloads.

Every download goes through a view that asks the permission rules first; in production the
web server sends the file itself (GUJI_SENDFILE_HEADER), elsewhere Django streams it.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from census.exports import DIRECT_LIMIT, Scope, may_export, start_export
from census.forms import CatalogueExportForm, LeafPhotoDeleteForm, LeafPhotoForm
from census.models import Campaign, CorrectionRequest, ExportJob, LeafPhoto, SubmittedPhoto
from census.photos import add_leaf_photos, delete_leaf_photo, derivative_ready
from census.services import request_photo_correction
from guji.files.downloads import file_response
from guji.models import Holding
from guji.permissions import can, institutions_where, require
from guji.services import check_writable, is_writable

PHOTO_VARIANTS = ("thumbnail", "preview", "original")


# --- leaf photographs -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add photographs; on a registered record, ask for them in a correction request."""
    holding = get_object_or_404(
        Holding.objects.visible_to(request.user).select_related("institution"), pk=pk
    )
    require(request.user, "catalogue", holding)
    locked = not is_writable(holding)
    by_request = _by_correction_request(holding)
    form = LeafPhotoForm(request.POST or None, request.FILES or None)
    if by_request:
        form.fields["reason"].label = _("Why the record needs correcting")
        form.fields["reason"].required = True
    if request.method == "POST" and locked and not by_request:
        form.add_error(None, _locked_reason(holding))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if by_request:
                request_photo_correction(
                    holding,
                    uploads=data["photos"],
                    kind=data["kind"],
                    caption=data["caption"],
                    by=request.user,
                    reason=data["reason"],
                )
            else:
                added = add_leaf_photos(
                    holding,
                    uploads=data["photos"],
                    kind=data["kind"],
                    caption=data["caption"],
                    by=request.user,
                    reason=data["reason"],
                )
        except ValidationError as exc:
            form.add_error("photos", exc)
        else:
            if by_request:
                messages.success(request, _correction_requested())
                return redirect("census:holding_correction", holding.pk)
            if added:
                messages.success(request, _("%(n)d photograph(s) added.") % {"n": len(added)})
            for name in added.already:
                messages.warning(
                    request,
                    _("%(file)s is already one of this record's photographs: not added again.")
                    % {"file": name},
                )
            return redirect("census:photo_upload", holding.pk)
    context = {
        "holding": holding,
        "form": form,
        "locked": _locked_reason(holding) if locked else "",
        "by_request": by_request,
        "photos": holding.leaf_photos.all(),
        "delete_form": LeafPhotoDeleteForm() if by_request or not locked else None,
        "max_mb": settings.GUJI_MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "census/photo_upload.html", context, status=status)


def _correction_requested() -> str:
    return _("Correction requested: a reviewer will accept or refuse it.")


def _by_correction_request(holding: Holding) -> bool:
    """A registered record's photographs change through a correction request (one at a time)."""
    return (
        holding.status == Holding.Status.REGISTERED
        and not holding.correction_requests.filter(status=CorrectionRequest.Status.PENDING).exists()
    )


def _locked_reason(holding: Holding) -> str:
    try:
        check_writable(holding)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


@require_POST
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a photograph; on a registered record, ask for it in a correction request."""
    photo = get_object_or_404(
        LeafPhoto.objects.visible_to(request.user).select_related("holding"), pk=pk
    )
    require(request.user, "catalogue", photo)
    form = LeafPhotoDeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the photograph is removed."))
        return redirect("census:photo_upload", photo.holding_id)
    by_request = _by_correction_request(photo.holding)
    try:
        if by_request:
            request_photo_correction(
                photo.holding, remove=[photo], by=request.user, reason=form.cleaned_data["reason"]
            )
        else:
            delete_leaf_photo(photo, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if by_request:
            messages.success(request, _correction_requested())
            return redirect("census:holding_correction", photo.holding_id)
        messages.success(request, _("Photograph removed."))
    return redirect("census:photo_upload", photo.holding_id)


@require_safe
def photo(request: HttpRequest, pk: int, variant: str) -> HttpResponse:
    if variant not in PHOTO_VARIANTS:
        raise Http404
    photo = get_object_or_404(
        LeafPhoto.objects.visible_to(request.user).select_related("holding"), pk=pk
    )
    return _photo_file(request, photo, variant)


@require_safe
def submitted_photo(request: HttpRequest, pk: int, variant: str) -> HttpResponse:
    """A photograph as its record was submitted for review (kept even if removed since)."""
    if variant not in PHOTO_VARIANTS:
        raise Http404
    photo = get_object_or_404(
        SubmittedPhoto.objects.visible_to(request.user).select_related("round__entry__holding"),
        pk=pk,
    )
    photo.holding = photo.round.entry.holding
    return _photo_file(request, photo, variant)


def _photo_file(request: HttpRequest, photo, variant: str) -> HttpResponse:
    if not can(request.user, "view", photo.holding):  # who sees the holding sees these
        raise PermissionDenied
    original = variant == "original"
    if not original and not derivative_ready(getattr(photo, variant)):
        # The worker has not made it yet: a placeholder, asked for again next time.
        response = redirect(static("census/photo-pending.svg"))
        response["Cache-Control"] = "no-store"
        return response
    extension = photo.original.rsplit(".", 1)[-1] if original else "jpg"
    return file_response(
        request,
        getattr(photo, variant),
        allowed=True,  # asked above
        content_type=photo.content_type if original else "image/jpeg",
        filename=f"{photo.holding.call_number}-{photo.kind}-{photo.pk}-{variant}.{extension}",
        as_attachment=original,
        cache_seconds=3600,
        etag=f"{photo.sha256[:32]}-{variant}",
    )


# --- the registration catalogue ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    institutions = institutions_where(request.user, "view").order_by("code")
    citywide = can(request.user, "export")  # everywhere: any institution, campaign, the city
    if not citywide and not institutions.exists():
        raise PermissionDenied
    campaigns = Campaign.objects.order_by("-starts_on", "name") if citywide else []
    form = CatalogueExportForm(
        request.POST or None, institutions=institutions, campaigns=campaigns, citywide=citywide
    )
    if request.method == "POST" and form.is_valid():
        data, kind = form.cleaned_data, form.cleaned_data["scope"]
        scope = Scope(
            kind,
            institution=data["institution"] if kind == ExportJob.Scope.INSTITUTION else None,
            campaign=data.get("campaign") if kind == ExportJob.Scope.CAMPAIGN else None,
        )
        job = start_export(scope, data["format"], by=request.user)  # PermissionDenied → 403
        if job.status == ExportJob.Status.DONE:
            return redirect("census:catalogue_download", job.pk)
        return redirect(job)
    jobs = ExportJob.objects.visible_to(request.user).select_related("institution", "campaign")
    context = {
        "form": form,
        "jobs": jobs[:20],
        "citywide": citywide,
        "direct_limit": DIRECT_LIMIT,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "census/catalogue_export.html", context, status=status)


@require_safe
def catalogue_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        ExportJob.objects.visible_to(request.user).select_related("institution", "campaign"),
        pk=pk,
    )
    return render(request, "census/catalogue_job.html", {"job": job})


@require_safe
def catalogue_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        ExportJob.objects.visible_to(request.user).select_related("institution", "campaign"),
        pk=pk,
    )
    allowed = may_export(request.user, Scope.of(job))  # rights may have gone since
    if allowed and job.status != ExportJob.Status.DONE:
        return redirect(job)
    content_type = (
        "application/pdf"
        if job.format == ExportJob.Format.PDF
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return file_response(
        request,
        job.result.name,
        allowed=allowed,
        content_type=content_type,
        filename=job.filename,
    )
