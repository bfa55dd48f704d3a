"""Graded protection: grade proposals and decisions, precious-books lists and applications, key
protection unit self-assessments (WH/T 20-2006, grading.md; GB/T 30227-2013, storage.md).

A holding's grade itself stays on ``guji.Holding.grade``; it changes only through
``guji.protection.services.decide_grade``, which leaves a version of the holding and of the
proposal behind, both with who, when and why.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guji.models import Grade, Holding, Institution
from guji.protection.checklist import Requirement, Result

# --- grades -----------------------------------------------------------------------------------


class Criterion(models.TextChoices):
    """The basis a grade cites: grading.md §2 and §6 (a controlled list, plus "other")."""

    DATE = "date", _("Period of the edition (by regime and reign)")
    MANUSCRIPT = "manuscript", _("Manuscript (稿本) of a famous work or scholar")
    ANNOTATED = "annotated", _("Annotations, collation, colophons (批校题跋)")
    SPECIAL_PRINT = "special_print", _("Movable type, colour or special printing technique")
    PALACE = "palace", _("Palace (内府) edition, 乾隆 or earlier")
    COURT = "court", _("Court compilation (永乐大典, 四库全书 …)")
    BANNED = "banned", _("Banned or destroyed title (禁毁书), 四库 odd volume or base copy")
    FACSIMILE = "facsimile", _("Facsimile carving or tracing of a 宋元 edition")
    PAPER = "paper", _("Special paper or binding")
    SHORT_REIGN = "short_reign", _("Short reign or regime of historical significance")
    OTHER = "other", _("Other (say which)")


# 文化和旅游部办公厅、国家文物局办公室《公共图书馆系统古籍类文物定级指南》(2022): grades under
# WH/T 20 keep their force and map level by level.
RELIC_LEVELS = {
    1: _("Grade-1 precious cultural relic (一级珍贵文物)"),
    2: _("Grade-2 precious cultural relic (二级珍贵文物)"),
    3: _("Grade-3 precious cultural relic (三级珍贵文物)"),
    4: _("General cultural relic (一般文物)"),
}


def relic_level(grade: str) -> str:
    return str(RELIC_LEVELS[int(grade[0])]) if grade else ""


class GradeProposal(models.Model):
    """An institution's proposed grade for one holding, and the centre's decision on it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting decision")
        CONFIRMED = "confirmed", _("Confirmed")
        CHANGED = "changed", _("Changed by the centre")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    holding = models.ForeignKey(
        Holding, models.CASCADE, related_name="grade_proposals", verbose_name=_("holding")
    )
    grade = models.CharField(_("proposed grade"), max_length=2, choices=Grade)
    criteria = models.JSONField(_("criteria"), default=list, help_text=_("Criterion codes."))
    clause = models.CharField(_("clause"), max_length=16, blank=True)
    suggested_grade = models.CharField(
        _("minimum grade from the edition"), max_length=2, choices=Grade, blank=True
    )
    historical_value = models.TextField(_("historical value (历史文物性)"), blank=True)
    academic_value = models.TextField(_("academic value (学术资料性)"), blank=True)
    artistic_value = models.TextField(_("artistic value (艺术代表性)"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PROPOSED, editable=False
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    decided_grade = models.CharField(
        _("decided grade"), max_length=2, choices=Grade, blank=True, editable=False
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    decision_reason = models.TextField(_("reason for the decision"), blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("grade proposal")
        verbose_name_plural = _("grade proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["holding"],
                condition=Q(status="proposed"),
                name="grade_proposal_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.holding} · {self.get_grade_display()}"

    def get_absolute_url(self) -> str:
        return reverse("protection:proposal_detail", args=[self.pk])

    @property
    def institution_id(self) -> int:
        return self.holding.institution_id

    def criteria_labels(self) -> list[str]:
        labels = dict(Criterion.choices)
        return [str(labels.get(c, c)) for c in self.criteria]


# --- precious-books lists ---------------------------------------------------------------------


class ListLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")


class PreciousList(models.Model):
    """One batch of a 珍贵古籍名录 (e.g. 第六批国家珍贵古籍名录, 2020)."""

    level = models.CharField(_("list level"), max_length=16, choices=ListLevel)
    name = models.CharField(_("list name"), max_length=200)
    batch = models.PositiveSmallIntegerField(_("batch"))
    year = models.PositiveSmallIntegerField(_("year"))
    issued_by = models.CharField(_("issuing body"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["level", "-year", "-batch"]
        verbose_name = _("precious-books list batch")
        verbose_name_plural = _("precious-books list batches")
        constraints = [
            models.UniqueConstraint(fields=["level", "name", "batch"], name="precious_list_batch")
        ]

    def __str__(self) -> str:
        return f"{self.name} 第{self.batch}批 ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("protection:list_detail", args=[self.pk])


class Listing(models.Model):
    """One entry of a list: its number, and the holding (or holdings) it names."""

    precious_list = models.ForeignKey(
        PreciousList, models.PROTECT, related_name="listings", verbose_name=_("list")
    )
    number = models.PositiveIntegerField(_("list number"))
    holding = models.ForeignKey(
        Holding, models.PROTECT, related_name="listings", verbose_name=_("holding")
    )
    entry_text = models.CharField(_("entry as published"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["precious_list", "number"]
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        constraints = [
            models.UniqueConstraint(
                fields=["precious_list", "number", "holding"], name="listing_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.precious_list} {self.formatted_number}"

    @property
    def formatted_number(self) -> str:
        return f"{self.number:05d}"

    @property
    def institution_id(self) -> int:
        return self.holding.institution_id


class ListingApplication(models.Model):
    """An institution's application to put a holding on a list, through the centre."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the centre")
        RETURNED = "returned", _("Returned to the institution")
        FORWARDED = "forwarded", _("Forwarded")
        LISTED = "listed", _("Listed")
        NOT_LISTED = "not_listed", _("Not listed")

    holding = models.ForeignKey(
        Holding, models.PROTECT, related_name="listing_applications", verbose_name=_("holding")
    )
    level = models.CharField(_("list applied for"), max_length=16, choices=ListLevel)
    description = models.TextField(_("description"))
    justification = models.TextField(_("justification"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.DRAFT, editable=False
    )
    centre_comment = models.TextField(_("centre's comment"), blank=True, editable=False)
    listing = models.ForeignKey(
        Listing,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        editable=False,
        verbose_name=_("resulting entry"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("listing application")
        verbose_name_plural = _("listing applications")

    def __str__(self) -> str:
        return f"{self.holding} · {self.get_level_display()}"

    def get_absolute_url(self) -> str:
        return reverse("protection:application_detail", args=[self.pk])

    @property
    def institution_id(self) -> int:
        return self.holding.institution_id


def _photo_path(instance, filename: str) -> str:
    return f"protection/applications/{instance.application_id}/{filename}"


class ApplicationPhoto(models.Model):
    application = models.ForeignKey(
        ListingApplication, models.CASCADE, related_name="photos", verbose_name=_("application")
    )
    image = models.ImageField(_("photograph"), upload_to=_photo_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application photograph")
        verbose_name_plural = _("application photographs")

    def __str__(self) -> str:
        return self.caption or self.image.name


# --- key protection units ---------------------------------------------------------------------


class KeyUnitAssessment(models.Model):
    """An institution's self-assessment as a 古籍重点保护单位 against GB/T 30227."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the centre")
        RETURNED = "returned", _("Returned to the institution")
        ACCEPTED = "accepted", _("Accepted by the centre")

    institution = models.ForeignKey(
        Institution, models.PROTECT, related_name="key_unit_assessments"
    )
    level = models.CharField(_("level applied for"), max_length=16, choices=ListLevel)
    answers = models.JSONField(
        _("self-assessment"), default=dict, help_text=_("Requirement → result and note.")
    )
    staff_count = models.PositiveIntegerField(_("dedicated staff"), default=0)
    collection_summary = models.JSONField(
        _("collection at submission"), default=dict, editable=False
    )
    compliance_summary = models.JSONField(
        _("measured compliance at submission"), default=dict, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.DRAFT, editable=False
    )
    centre_comment = models.TextField(_("centre's comment"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("key-unit self-assessment")
        verbose_name_plural = _("key-unit self-assessments")

    def __str__(self) -> str:
        return f"{self.institution} · {self.get_level_display()}"

    def get_absolute_url(self) -> str:
        return reverse("protection:keyunit_detail", args=[self.pk])

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(requirement, its label, result label, note) in checklist order."""
        results = dict(Result.choices)
        out = []
        for req in Requirement:
            answer = self.answers.get(req.value, {})
            out.append(
                (
                    req.value,
                    str(req.label),
                    str(results.get(answer.get("result"), "—")),
                    answer.get("note", ""),
                )
            )
        return out


def _evidence_path(instance, filename: str) -> str:
    return f"protection/keyunits/{instance.assessment_id}/{filename}"


class KeyUnitEvidence(models.Model):
    assessment = models.ForeignKey(
        KeyUnitAssessment, models.CASCADE, related_name="evidence", verbose_name=_("assessment")
    )
    requirement = models.CharField(_("requirement"), max_length=16, choices=Requirement)
    file = models.FileField(_("file"), upload_to=_evidence_path)
    description = models.CharField(_("description"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key-unit evidence")
        verbose_name_plural = _("key-unit evidence")

    def __str__(self) -> str:
        return self.description or self.file.name
