"""The period report to the province: a draft the centre compiles (as often as it likes) and
then submits, after which it is frozen: its files, their sha256, who submitted it and when never
change again (``save`` and ``delete`` refuse, and so does the service)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guji.files.jobs import Job
from guji.reports.periods import Period


class FrozenReport(Exception):
    """A submitted report was about to change."""


def _file_path(report: "Report", filename: str) -> str:
    return f"reports/{report.pk}/{filename}"


class ReportQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=Report.Status.SUBMITTED)


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), null=True, blank=True, help_text=_("Empty for the annual report.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.DRAFT, editable=False
    )
    tables = models.JSONField(_("tables"), default=list, editable=False)
    missing_glyphs = models.JSONField(default=list, editable=False)
    pdf = models.FileField(_("PDF"), upload_to=_file_path, max_length=300, blank=True)
    xlsx = models.FileField(_("workbook"), upload_to=_file_path, max_length=300, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    xlsx_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, editable=False
    )
    compiled_at = models.DateTimeField(_("compiled"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["tables", "missing_glyphs"])

    class Meta:
        ordering = ["-year", "-quarter", "-id"]
        verbose_name = _("period report")
        verbose_name_plural = _("period reports")
        permissions = [
            ("compile_report", "Compile and review period reports"),
            ("submit_report", "Submit period reports to the province"),
            ("read_submitted_report", "Read and download submitted period reports"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quarter__isnull=True) | models.Q(quarter__gte=1, quarter__lte=4),
                name="report_quarter_1_to_4",
            )
        ]

    def __str__(self) -> str:
        return self.period.label()

    def save(self, *args, **kwargs):
        if self._stored_status() == self.Status.SUBMITTED:
            raise FrozenReport(f"Report {self.pk} is submitted and cannot change.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        if self._stored_status() == self.Status.SUBMITTED:
            raise FrozenReport(f"Report {self.pk} is submitted and cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()


class ReportJob(Job):
    """Compiling a report's draft in the background (its files go on the report, not here, so
    that the purge of old job files never touches a report)."""

    report = models.ForeignKey(Report, models.CASCADE, related_name="jobs")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report compilation")
        verbose_name_plural = _("report compilations")

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.report_id])
