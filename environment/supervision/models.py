"""Storage supervision (督导): the centre's inspections of an institution's stacks, their findings
against GB/T 30227 (the same checklist as the key-unit self-assessment) and the corrective
actions that follow, each kept open until someone closes it with a note."""

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guji.models import Institution
from guji.protection.checklist import Requirement, Result


class Inspection(models.Model):
    institution = models.ForeignKey(
        Institution, models.PROTECT, related_name="inspections", verbose_name=_("institution")
    )
    date = models.DateField(_("date of inspection"))
    inspectors = models.CharField(_("inspectors"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.institution} · {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:inspection_detail", args=[self.pk])


class Finding(models.Model):
    inspection = models.ForeignKey(
        Inspection, models.CASCADE, related_name="findings", verbose_name=_("inspection")
    )
    requirement = models.CharField(_("requirement"), max_length=16, choices=Requirement)
    result = models.CharField(_("result"), max_length=16, choices=Result)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "requirement"], name="finding_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_requirement_display()}: {self.get_result_display()}"

    @property
    def institution_id(self) -> int:
        return self.inspection.institution_id


def _photo_path(instance, filename: str) -> str:
    return f"supervision/{instance.inspection_id}/{filename}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(
        Inspection, models.CASCADE, related_name="photos", verbose_name=_("inspection")
    )
    image = models.ImageField(_("photograph"), upload_to=_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection photograph")
        verbose_name_plural = _("inspection photographs")

    def __str__(self) -> str:
        return self.caption or self.image.name


class CorrectiveActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def overdue(self, today: date | None = None):
        return self.open().filter(due_date__lt=today or timezone.localdate())


class CorrectiveAction(models.Model):
    inspection = models.ForeignKey(
        Inspection, models.CASCADE, related_name="actions", verbose_name=_("inspection")
    )
    requirement = models.CharField(_("requirement"), max_length=16, choices=Requirement)
    description = models.TextField(_("action required"))
    owner = models.CharField(_("owner"), max_length=100, help_text=_("Who at the institution."))
    due_date = models.DateField(_("due date"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("closed by"),
    )
    closing_note = models.TextField(_("how it was done"), blank=True, editable=False)

    objects = CorrectiveActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def institution_id(self) -> int:
        return self.inspection.institution_id

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()
