"""Pages of the period report. Every view asks ``guji.permissions`` (through services) on the
server: the centre compiles, reviews and submits; the provincial viewer reads what was submitted."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guji.files import jobs
from guji.files.downloads import file_response
from guji.permissions import can
from guji.reports import services
from guji.reports.models import Report, ReportJob
from guji.reports.periods import Period
from guji.reports.render import rendered_tables
from guji.reports.tables import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2999)
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", gettext_lazy("Whole year")),
            (1, gettext_lazy("Quarter 1")),
            (2, gettext_lazy("Quarter 2")),
            (3, gettext_lazy("Quarter 3")),
            (4, gettext_lazy("Quarter 4")),
        ],
    )


class SubmitForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Note to the province"),
        max_length=100,
        initial="",
        help_text=gettext_lazy("Kept with the submission, e.g. 2026 年度报告."),
    )


def _require_any(request: HttpRequest) -> None:
    if not services.may_see(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    _require_any(request)
    may_compile = can(request.user, "compile_report")
    form = PeriodForm(initial={"year": timezone.localdate().year - 1})
    if request.method == "POST":
        if not may_compile:
            raise PermissionDenied
        form = PeriodForm(request.POST)
        if form.is_valid():
            period = Period(form.cleaned_data["year"], form.cleaned_data["quarter"])
            try:
                report, _job = services.start_draft(period, by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect(report)
        return render(
            request,
            "reports/report_list.html",
            _list_context(request, form, may_compile),
            status=400,
        )
    return render(request, "reports/report_list.html", _list_context(request, form, may_compile))


def _list_context(request, form, may_compile) -> dict:
    return {
        "reports": services.visible_reports(request.user).select_related("submitted_by"),
        "form": form,
        "may_compile": may_compile,
    }


def _visible(request: HttpRequest, pk: int) -> Report:
    _require_any(request)
    return get_object_or_404(services.visible_reports(request.user), pk=pk)


def _progress(report: Report) -> tuple[ReportJob | None, dict | None]:
    job = report.jobs.order_by("-created_at", "-pk").first()
    return job, (jobs.read_progress(job) if job else None)


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible(request, pk)
    job, progress = _progress(report)
    sections = [
        (s["section"], [Table.from_dict(t) for t in s["tables"]]) for s in report.tables or []
    ]
    context = {
        "report": report,
        "job": job,
        "progress": progress,
        "running": bool(job and job.is_running),
        "sections": [(title, rendered_tables(tables)) for title, tables in sections],
        "may_compile": can(request.user, "compile_report") and not report.is_frozen,
        "may_submit": can(request.user, "submit_report") and not report.is_frozen,
        "submit_form": SubmitForm(),
        "history": report.history.select_related("history_user").order_by("-history_date")[:20],
    }
    return render(request, "reports/report_detail.html", context)


@require_GET
def report_status(request: HttpRequest, pk: int) -> JsonResponse:
    report = _visible(request, pk)
    job, progress = _progress(report)
    return JsonResponse(
        {
            "status": job.status if job else "",
            "status_display": str(job.get_status_display()) if job else "",
            "running": bool(job and job.is_running),
            "message": job.message if job else "",
            **(progress or {"phase": "", "done": 0, "total": 0, "percent": 0}),
        }
    )


@require_POST
def report_compile(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible(request, pk)
    if not can(request.user, "compile_report"):
        raise PermissionDenied
    if report.is_frozen:
        messages.error(request, _("A submitted report cannot be compiled again."))
        return redirect(report)
    try:
        services.start_draft(report.period, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(report)


@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible(request, pk)
    if not can(request.user, "submit_report"):
        raise PermissionDenied
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            services.submit(report, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The report has been submitted to the province."))
        return redirect(report)
    messages.error(request, _("Say what you are submitting."))
    return redirect(report)


@require_GET
def report_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    report = _visible(request, pk)
    field = report.pdf if kind == "pdf" else report.xlsx
    allowed = can(request.user, "compile_report") or (
        report.is_frozen and can(request.user, "view_report")
    )
    return file_response(
        request,
        field.name if field else "",
        allowed=allowed,
        content_type="application/pdf" if kind == "pdf" else XLSX,
        filename=f"guji-report-{report.period.slug()}.{kind}",
        as_attachment=kind != "pdf",
        etag=report.pdf_sha256 if kind == "pdf" else report.xlsx_sha256,
    )
