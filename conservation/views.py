"""Pages of the repair base. Each view asks guji.permissions and calls conservation.services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from conservation import images as repair_images
from conservation import services
from conservation.forms import (
    AcceptanceForm,
    ApproveForm,
    AssessmentForm,
    BatchForm,
    FindingFormSet,
    ImageUploadForm,
    LogForm,
    PlanForm,
    QueueFilterForm,
    RepairRequestForm,
    WorkloadForm,
)
from conservation.grading import damage_level
from conservation.models import (
    ACCEPTANCE_CRITERIA,
    ArchiveJob,
    Assessment,
    MaterialBatch,
    RepairImage,
    RepairPlan,
)
from conservation.queue import hours_in_month, open_requests_by_holding, queue, workload
from conservation.tasks import build_archive
from guji.files import jobs
from guji.files.downloads import file_response
from guji.models import Holding
from guji.permissions import can, can_anywhere, require


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _holding(request: HttpRequest, pk: int) -> Holding:
    return get_object_or_404(
        Holding.objects.visible_to(request.user).select_related("institution"), pk=pk
    )


def _plan(request: HttpRequest, pk: int) -> RepairPlan:
    return get_object_or_404(
        RepairPlan.objects.visible_to(request.user).select_related(
            "holding", "holding__institution", "planned_by", "approved_by"
        ),
        pk=pk,
    )


def _require_anywhere(user, action: str) -> None:
    if not can_anywhere(user, action):
        raise PermissionDenied


# --- queue ---------------------------------------------------------------------------------------


def queue_page(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request.user, "assess")
    filters = QueueFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(queue(data), settings.GUJI_PAGE_SIZE).get_page(request.GET.get("page"))
    requests = open_requests_by_holding([h.pk for h in page.object_list])
    rows = [(h, requests.get(h.pk)) for h in page.object_list]
    return render(
        request, "conservation/queue.html", {"filters": filters, "page": page, "rows": rows}
    )


@require_http_methods(["GET", "POST"])
def request_repair(request: HttpRequest, pk: int) -> HttpResponse:
    holding = _holding(request, pk)
    require(request.user, "catalogue", holding)
    form = RepairRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_repair(
                holding, description=form.cleaned_data["description"], by=request.user
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The repair base has your request."))
            return redirect(holding)
    return render(request, "conservation/request_form.html", {"holding": holding, "form": form})


# --- assessments ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    holding = _holding(request, pk)
    require(request.user, "assess", holding)
    form = AssessmentForm(request.POST or None)
    formset = FindingFormSet(request.POST or None, prefix="f")
    preview = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        findings = [d for f in formset.forms if (d := f.finding_data())]
        if request.POST.get("action") == "preview":
            from conservation.models import Finding

            preview = damage_level([Finding(**d) for d in findings], form.cleaned_data["scheme"])
        else:
            try:
                assessment = services.create_assessment(
                    holding,
                    findings=findings,
                    by=request.user,
                    assessed_on=form.cleaned_data["assessed_on"],
                    volume=form.cleaned_data["volume"],
                    scheme=form.cleaned_data["scheme"],
                    notes=form.cleaned_data["notes"],
                    override_level=form.cleaned_data["override_level"],
                    override_reason=form.cleaned_data["override_reason"],
                    paper={k: form.cleaned_data[k] for k in services.PAPER_FIELDS},
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Assessed: %(level)s.") % {"level": assessment.level_name()},
                )
                return redirect(assessment)
    context = {"holding": holding, "form": form, "formset": formset, "preview": preview}
    return render(request, "conservation/assess.html", context)


def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user).select_related(
            "holding", "scheme", "assessed_by"
        ),
        pk=pk,
    )
    findings = list(assessment.findings.select_related("damage_type"))
    decision = damage_level(findings, assessment.scheme)
    context = {
        "assessment": assessment,
        "holding": assessment.holding,
        "findings": [(f, decision.per_type.get(str(f.damage_type))) for f in findings],
        "decision": decision,
    }
    return render(request, "conservation/assessment_detail.html", context)


# --- plans ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    holding = _holding(request, pk)
    require(request.user, "plan", holding)
    form = PlanForm(request.POST or None)
    latest = holding.assessments.first()
    if latest and not form.is_bound:
        form.fields[
            "condition_summary"
        ].initial = f"{latest.level_name()}：{latest.computed_rule or ''}\n{latest.notes}".strip()
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(
                holding,
                data=form.plan_data(),
                operations=form.cleaned_data["operations"],
                conservators=form.cleaned_data["conservators"],
                by=request.user,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Repair plan drawn up; it waits for approval."))
            return redirect(plan)
    return render(
        request, "conservation/plan_form.html", {"holding": holding, "form": form, "plan": None}
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not services.may_edit_plan(request.user, plan):
        raise PermissionDenied
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(
                plan,
                data=form.plan_data(),
                operations=form.cleaned_data["operations"],
                conservators=form.cleaned_data["conservators"],
                by=request.user,
                version=form.cleaned_data["version"] or 0,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as exc:
            plan.refresh_from_db()
            _errors(form, exc)
        else:
            messages.success(request, _("Repair plan changed."))
            return redirect(plan)
    context = {"holding": plan.holding, "form": form, "plan": plan}
    return render(request, "conservation/plan_form.html", context)


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    user = request.user
    logs = list(plan.logs.select_related("conservator").prefetch_related("operations", "materials"))
    revisions = plan_history(plan)
    may_accept = (
        plan.status == RepairPlan.Status.FINISHED
        and can(user, "accept_repair", plan)
        and user.pk not in services.workers(plan)
    )
    context = {
        "plan": plan,
        "holding": plan.holding,
        "operations": list(plan.operations.all()),
        "conservators": list(plan.conservators.all()),
        "logs": logs,
        "totals": services.plan_totals(plan),
        "batches": sorted({b for log in logs for b in log.materials.all()}, key=str),
        "acceptances": list(plan.acceptances.select_related("inspector", "result")),
        "criteria": dict(ACCEPTANCE_CRITERIA),
        "revisions": revisions,
        "may_edit": services.may_edit_plan(user, plan),
        "may_approve": plan.status == RepairPlan.Status.DRAFT and can(user, "approve_plan", plan),
        "may_work": plan.status == RepairPlan.Status.APPROVED and can(user, "repair", plan),
        "may_accept": may_accept,
        "approve_form": ApproveForm(),
        "image_sets": (image_sets := _image_sets(plan)),
        "has_images": any(items for _k, _l, items in image_sets),
        "pair_count": len(repair_images.pairs(plan)),
    }
    return render(request, "conservation/plan_detail.html", context)


def _image_sets(plan: RepairPlan) -> list[tuple[str, str, list]]:
    found: dict[str, list] = {}
    for image in plan.images.all():
        found.setdefault(image.kind, []).append(image)
    return [(k, label, found.get(k, [])) for k, label in RepairImage.Kind.choices]


def plan_history(plan: RepairPlan) -> list:
    """The plan's versions that changed its content or state (an m2m change saves a version of
    its own with the same reason: shown once)."""
    out, seen = [], set()
    for v in plan.history.select_related("history_user").order_by("history_date", "history_id"):
        key = (v.history_change_reason, v.history_user_id, v.status, v.revision)
        if key in seen:
            continue
        seen.add(key)
        out.append(v)
    return out


@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    require(request.user, "approve_plan", plan)
    form = ApproveForm(request.POST)
    form.is_valid()
    try:
        services.approve_plan(plan, by=request.user, comment=form.cleaned_data.get("comment", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Repair plan approved: work may start."))
    return redirect(plan)


@require_POST
def plan_finish(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    require(request.user, "repair", plan)
    try:
        services.finish_work(plan, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Work finished; the repair waits for acceptance."))
    return redirect(plan)


@require_http_methods(["GET", "POST"])
def log_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    require(request.user, "repair", plan)
    form = LogForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_log(
                plan,
                data=form.log_data(),
                operations=form.cleaned_data["operations"],
                materials=form.cleaned_data["materials"],
                by=request.user,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Work session logged."))
            return redirect(plan)
    return render(
        request, "conservation/log_form.html", {"plan": plan, "holding": plan.holding, "form": form}
    )


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    require(request.user, "accept_repair", plan)
    if request.user.pk in services.workers(plan):
        raise PermissionDenied
    form = AcceptanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_repair(
                plan,
                result=form.cleaned_data["result"],
                criteria=form.cleaned_data["criteria"],
                remarks=form.cleaned_data["remarks"],
                accepted_on=form.cleaned_data["accepted_on"],
                by=request.user,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Acceptance recorded."))
            return redirect(plan)
    context = {"plan": plan, "holding": plan.holding, "form": form}
    return render(request, "conservation/accept_form.html", context)


# --- materials -----------------------------------------------------------------------------------


def batch_list(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request.user, "materials")
    batches = MaterialBatch.objects.all()
    kind = request.GET.get("kind", "")
    if kind in MaterialBatch.Kind.values:
        batches = batches.filter(kind=kind)
    page = Paginator(batches, settings.GUJI_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "kinds": MaterialBatch.Kind.choices, "kind": kind}
    return render(request, "conservation/batch_list.html", context)


def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The recall page: every holding and plan whose log used this batch."""
    _require_anywhere(request.user, "materials")
    batch = get_object_or_404(MaterialBatch, pk=pk)
    logs = (
        batch.logs.select_related("plan", "plan__holding", "plan__holding__institution")
        .select_related("conservator")
        .order_by("worked_on")
    )
    context = {"batch": batch, "holdings": services.recall(batch), "logs": logs}
    return render(request, "conservation/batch_detail.html", context)


@require_http_methods(["GET", "POST"])
def batch_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_anywhere(request.user, "materials")
    batch = get_object_or_404(MaterialBatch, pk=pk) if pk else None
    form = BatchForm(request.POST or None, instance=batch)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.save_batch(
                batch,
                data=form.batch_data(),
                by=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Material batch saved."))
            return redirect(batch)
    return render(request, "conservation/batch_form.html", {"form": form, "batch": batch})


# --- my work and workload ------------------------------------------------------------------------


def my_work(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request.user, "assess")
    return render(request, "conservation/my_work.html", my_work_context(request))


def my_work_context(request: HttpRequest) -> dict:
    user = request.user
    plans = (
        RepairPlan.objects.filter(conservators=user)
        .exclude(status=RepairPlan.Status.ACCEPTED)
        .select_related("holding", "holding__institution")
    )
    waiting = queue()
    return {
        "plans": list(plans),
        "hours": hours_in_month(user, timezone.localdate()),
        "queue_rows": list(waiting[:5]),
        "queue_count": waiting.count(),
        "to_approve": list(
            RepairPlan.objects.filter(status=RepairPlan.Status.DRAFT).select_related("holding")[:10]
        )
        if can_anywhere(user, "approve_plan")
        else [],
        "to_accept": list(
            RepairPlan.objects.filter(status=RepairPlan.Status.FINISHED)
            .exclude(conservators=user)
            .select_related("holding")[:10]
        )
        if can_anywhere(user, "accept_repair")
        else [],
    }


def workload_page(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request.user, "assess")
    form = WorkloadForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    rows = workload(year)
    return render(request, "conservation/workload.html", {"form": form, "rows": rows, "year": year})


def workload_xlsx(request: HttpRequest) -> HttpResponse:
    _require_anywhere(request.user, "assess")
    from guji.files.spreadsheets import XlsxWriter

    form = WorkloadForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    writer = XlsxWriter()
    sheet = writer.sheet(_("Workload"))
    writer.append(sheet, [_("Month"), _("Conservator"), _("Hours"), _("Volumes (ce)"), _("Leaves")])
    for r in workload(year):
        writer.append(
            sheet, [r["month"], r["conservator"], float(r["hours"]), r["volumes"], r["leaves"]]
        )
    response = HttpResponse(
        writer.to_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"workload-{year}.xlsx" if year else "workload.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- photographs and the comparison view ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def image_upload(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    require(request.user, "repair", plan)
    form = ImageUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = repair_images.add_images(
                plan,
                uploads=form.cleaned_data["files"],
                kind=form.cleaned_data["kind"],
                volume=form.cleaned_data["volume"],
                leaf=form.cleaned_data["leaf"],
                caption=form.cleaned_data["caption"],
                by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("files", message)
        else:
            messages.success(
                request,
                ngettext("%(n)d photograph added.", "%(n)d photographs added.", len(added))
                % {"n": len(added)},
            )
            return redirect(plan)
    context = {"plan": plan, "holding": plan.holding, "form": form}
    return render(request, "conservation/image_upload.html", context)


VARIANTS = ("thumbnail", "preview", "large", "original")


def image_file(request: HttpRequest, pk: int, variant: str) -> HttpResponse:
    image = get_object_or_404(RepairImage.objects.visible_to(request.user), pk=pk)
    if variant not in VARIANTS:
        raise Http404
    name = repair_images.variant_name(image, variant)
    if variant != "original" and not repair_images.derivative_ready(image, variant):
        # the worker has not made it yet (or is down): make it now rather than show nothing
        repair_images.make_derivatives(image.original)
    original = variant == "original"
    return file_response(
        request,
        name,
        allowed=can(request.user, "view", image),
        content_type=image.content_type if original else "image/jpeg",
        filename=image.filename if original else f"{image.pk}-{variant}.jpg",
        as_attachment=original,
        cache_seconds=3600,
        etag=f"{image.sha256[:32]}-{variant}",
    )


def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Before and after of the same leaf: side by side, and overlaid with a slider."""
    plan = _plan(request, pk)
    pairs = repair_images.pairs(plan)
    chosen = None
    key = request.GET.get("pair", "")
    for pair in pairs:
        if f"{pair.volume or ''}-{pair.leaf}" == key:
            chosen = pair
    chosen = chosen or (pairs[0] if pairs else None)
    context = {"plan": plan, "holding": plan.holding, "pairs": pairs, "chosen": chosen}
    return render(request, "conservation/compare.html", context)


# --- the repair archive -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the archive PDF (POST) and follow the jobs asked for on this plan."""
    plan = _plan(request, pk)
    if request.method == "POST":
        job = ArchiveJob.objects.create(user=request.user, plan=plan)
        transaction.on_commit(lambda: build_archive(job.pk))
        messages.info(request, _("The archive is being made; this page shows its progress."))
        return redirect("conservation:archive", plan.pk)
    archive_jobs = list(ArchiveJob.objects.filter(plan=plan, user=request.user)[:5])
    rows = [(j, jobs.read_progress(j), jobs.is_stale(j)) for j in archive_jobs]
    context = {"plan": plan, "holding": plan.holding, "rows": rows}
    return render(request, "conservation/archive.html", context)


def archive_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_object_or_404(ArchiveJob, pk=pk, user=request.user)
    return JsonResponse({"state": job.state, **jobs.read_progress(job)})


def archive_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        ArchiveJob.objects.select_related("plan"), pk=pk, user=request.user
    )  # only its owner's: another user gets 404
    name = jobs.result_file(job)
    if not name:
        raise Http404
    return file_response(
        request,
        name,
        allowed=can(request.user, "view", job.plan),
        content_type="application/pdf",
        filename=f"修复档案-{job.plan_id}.pdf",
        as_attachment=True,
    )
