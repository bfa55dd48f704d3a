"""Compiling, reviewing and submitting the period report.

report, job = start_draft(Period(2026), by=admin)      # queues the compilation (Huey)
compile_report(report, by=admin)                       # what the task runs
submit(report, by=admin, reason="2026 年度报告")        # frozen from now on
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guji import registry
from guji.history import required_reason, save_audited
from guji.permissions import can
from guji.reports import render
from guji.reports.models import FrozenReport, Report, ReportJob
from guji.reports.periods import CITYWIDE, Period, Scope
from guji.reports.tables import Table


def sha256_of(field) -> str:
    digest = hashlib.sha256()
    with field.storage.open(field.name, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_tables(
    period: Period,
    scope: Scope = CITYWIDE,
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[tuple[str, list[Table]]]:
    """Every registered section's tables, in order: [(section title, tables)]."""
    sections = registry.report_sections()
    out = []
    for i, section in enumerate(sections):
        if progress:
            progress(i, len(sections) + 2, section.key)
        out.append((str(section.title), section.build(period, scope)))
    return out


@transaction.atomic
def start_draft(period: Period, *, by) -> tuple[Report, ReportJob]:
    """The period's draft (made if there is none) and a queued compilation of it."""
    if not can(by, "compile_report"):
        raise PermissionDenied
    if Report.objects.submitted().filter(year=period.year, quarter=period.quarter).exists():
        raise ValidationError(_("The report for this period has been submitted already."))
    report = Report.objects.filter(
        year=period.year, quarter=period.quarter, status=Report.Status.DRAFT
    ).first()
    if report is None:
        report = Report(year=period.year, quarter=period.quarter)
        save_audited(report, by=by, reason=_("Draft report started"))
    job = ReportJob.objects.create(report=report, user=by)
    from guji.reports.tasks import compile_report_task

    transaction.on_commit(lambda: compile_report_task(job.pk))
    return report, job


def compile_report(
    report: Report,
    *,
    by,
    scope: Scope = CITYWIDE,
    progress: Callable[[int, int, str], None] | None = None,
) -> Report:
    """Build the tables, the PDF and the workbook of a draft and store them on it."""
    if report.is_frozen:
        raise FrozenReport(f"Report {report.pk} is submitted and cannot be compiled again.")
    n = len(registry.report_sections())
    steps = n + (n + 1) + 1  # each section's tables, each part of the PDF, the workbook

    def step(done: int, phase: str) -> None:
        if progress:
            progress(done, steps, phase)

    sections = build_tables(
        report.period, scope, progress=lambda done, _t, phase: step(done, phase)
    )
    tables = [t for _title, ts in sections for t in ts]
    title = _("Report on ancient books to the provincial centre")
    pdf, missing = render.pdf_bytes(
        title=title,
        period_label=report.period.label(),
        sections=sections,
        progress=lambda done, _total: step(n + done, "pdf"),
    )
    xlsx = render.xlsx_bytes(tables)
    for field in (report.pdf, report.xlsx):
        if field:
            field.storage.delete(field.name)
    slug = report.period.slug()
    report.pdf.save(f"report-{slug}.pdf", ContentFile(pdf), save=False)
    report.xlsx.save(f"report-{slug}.xlsx", ContentFile(xlsx), save=False)
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.xlsx_sha256 = hashlib.sha256(xlsx).hexdigest()
    report.tables = [
        {"section": heading, "tables": [t.as_dict() for t in ts]} for heading, ts in sections
    ]
    report.missing_glyphs = missing
    report.compiled_by, report.compiled_at = by, timezone.now()
    save_audited(report, by=by, reason=_("Draft report compiled"))
    step(steps, "done")
    return report


@transaction.atomic
def submit(report: Report, *, by, reason: str) -> Report:
    """Freeze the draft: its stored files are checked against their sha256 and kept as they
    are; who submitted it and when are recorded. A submitted report never changes again."""
    if not can(by, "submit_report"):
        raise PermissionDenied
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.is_frozen:
        raise ValidationError(_("This report has been submitted already."))
    if not report.pdf or not report.xlsx:
        raise ValidationError(_("Compile the draft before submitting it."))
    if report.jobs.filter(status__in=(ReportJob.State.QUEUED, ReportJob.State.RUNNING)).exists():
        raise ValidationError(_("Wait until the draft has been compiled."))
    reason = required_reason(reason)
    if sha256_of(report.pdf) != report.pdf_sha256 or sha256_of(report.xlsx) != report.xlsx_sha256:
        raise ValidationError(_("The draft's files have changed since it was compiled."))
    report.status = Report.Status.SUBMITTED
    report.submitted_by, report.submitted_at = by, timezone.now()
    save_audited(report, by=by, reason=reason)
    return report


def visible_reports(user):
    """Drafts and submitted reports for the centre; submitted ones for the provincial viewer."""
    if can(user, "compile_report"):
        return Report.objects.all()
    if can(user, "view_report"):
        return Report.objects.submitted()
    return Report.objects.none()


def may_see(user) -> bool:
    return can(user, "compile_report") or can(user, "view_report")
