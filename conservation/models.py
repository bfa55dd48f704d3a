"""The repair base: damage assessment, the repair queue, plans, materials, logs and acceptance.

Damage grading follows /work/shared/domain/damage.md: levels and their conditions are data
(``DamageScheme`` → ``DamageLevel`` → ``DamageCondition``) loaded from the domain CSVs by a data
migration and edited by the centre administrator in the admin; ``conservation.grading`` holds the
one function that turns an assessment's findings into a level. Repair follows repair.md (GB/T
21712-2008 and the repair-archive fields).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guji.files.jobs import Job
from guji.models import Holding, Institution, ScopedQuerySet, Vocabulary

PCT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


# --- vocabularies ---------------------------------------------------------------------------


class DamageType(Vocabulary):
    """破损类型 (damage_types.csv): 酸化, 虫蛀, 粘连 …, with the measure the domain suggests."""

    category = models.CharField(_("category"), max_length=16, blank=True)
    measure = models.CharField(_("usual measure"), max_length=32, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    status = models.CharField(_("status of the term"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("damage type")
        verbose_name_plural = _("damage types")


class RepairOperation(Vocabulary):
    """修复工序 (repair.md §5): 拆书, 除尘, 脱酸, 补, 托, 冷冻杀虫 …"""

    english = models.CharField(_("English"), max_length=100, blank=True)
    default_parameters = models.CharField(
        _("default parameters"),
        max_length=200,
        blank=True,
        help_text=_("e.g. −22 to −25 °C for about 7 days for freezing disinfestation."),
    )
    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("repair operation")
        verbose_name_plural = _("repair operations")


class QualityGrade(Vocabulary):
    """Acceptance result (GB/T 21712 §6 quality grade; names unverified, so editable data)."""

    passed = models.BooleanField(_("counts as accepted"), default=True)
    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("quality grade")
        verbose_name_plural = _("quality grades")


# --- damage-level schemes ---------------------------------------------------------------------


class DamageScheme(models.Model):
    """A table of damage levels and their conditions, e.g. WH/T 22-2006 or DA/T 64.1-2017."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(
        _("active"), default=False, help_text=_("New assessments are graded by the active scheme.")
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-active", "code"]
        verbose_name = _("damage-level scheme")
        verbose_name_plural = _("damage-level schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="one_active_damage_scheme"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.code


class DamageLevel(models.Model):
    """One level of a scheme; lower number = worse (一级破损 is the most severe)."""

    scheme = models.ForeignKey(DamageScheme, models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=32)
    trad = models.CharField(_("traditional form"), max_length=32, blank=True)
    alt_name = models.CharField(_("alternative name"), max_length=32, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "number"]
        verbose_name = _("damage level")
        verbose_name_plural = _("damage levels")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="damage_level_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Measure(models.TextChoices):
    """What a condition compares; each is read from a finding (see grading.MEASURES)."""

    PH = "ph", _("pH")
    LEAF_PCT = "leaf_pct", _("share of leaves affected (%)")
    SHEET_PCT = "sheet_pct", _("share of sheets affected (%)")
    AREA_PCT = "area_pct", _("share of the sheet's area (%)")
    LEAF_AREA_PCT = "leaf_area_pct", _("largest share of one leaf's area (%)")
    ITEM_AREA_PCT = "item_area_pct", _("share of the whole item's area (%)")
    FRACTION_OF_SHEET = "fraction_of_sheet", _("fraction of the sheet (tear)")
    PRESENT = "present", _("present at all")
    QUALITATIVE = "qualitative", _("described condition holds")


class DamageCondition(models.Model):
    """One row of a scheme's threshold table.

    Rows of one level and damage type that share ``and_group`` must all hold (an AND-group);
    rows without a group stand alone; groups and types are alternatives, and the worst level
    reached decides. Ranges are half-open, low ≤ value < high (see grading.py).
    """

    class Operator(models.TextChoices):
        LT = "<", "<"
        LE = "<=", "≤"
        GT = ">", ">"
        GE = ">=", "≥"
        EQ = "=", _("holds")
        RANGE = "range", _("from … to under …")

    level = models.ForeignKey(DamageLevel, models.CASCADE, related_name="conditions")
    damage_type = models.ForeignKey(
        DamageType, models.PROTECT, related_name="conditions", verbose_name=_("damage type")
    )
    measure = models.CharField(_("measure"), max_length=20, choices=Measure)
    and_group = models.CharField(
        _("AND-group"),
        max_length=16,
        blank=True,
        help_text=_("Rows of the same level and type with the same group must all hold."),
    )
    operator = models.CharField(_("operator"), max_length=8, choices=Operator)
    low = models.DecimalField(_("low"), max_digits=8, decimal_places=3, null=True, blank=True)
    high = models.DecimalField(_("high"), max_digits=8, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    status = models.CharField(_("source status"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["level__number", "damage_type__position", "damage_type__code", "and_group"]
        verbose_name = _("damage condition")
        verbose_name_plural = _("damage conditions")

    def __str__(self) -> str:
        from conservation.grading import describe_condition

        return describe_condition(self)


# --- assessments ------------------------------------------------------------------------------


class Assessment(models.Model):
    """破损定级 of a whole 部 (``volume`` empty) or of one 册."""

    class PhMethod(models.TextChoices):
        COLD = "cold", _("cold extraction")
        SURFACE = "surface", _("surface electrode")

    holding = models.ForeignKey(
        Holding, models.CASCADE, related_name="assessments", verbose_name=_("holding")
    )
    institution = models.ForeignKey(Institution, models.PROTECT, related_name="+")
    volume = models.PositiveIntegerField(
        _("volume (ce)"), null=True, blank=True, help_text=_("Empty for the whole 部.")
    )
    scheme = models.ForeignKey(DamageScheme, models.PROTECT, verbose_name=_("scheme"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("assessor")
    )
    assessed_on = models.DateField(_("assessed on"))
    notes = models.TextField(_("description"), blank=True)
    # The original's paper and earlier repairs (repair.md §4 B), when known.
    size_cm = models.CharField(_("format (cm)"), max_length=50, blank=True, help_text=_("开本尺寸"))
    paper_kind = models.CharField(
        _("paper"), max_length=50, blank=True, help_text=_("e.g. 竹纸, 皮纸, 宣纸, 连史纸, 开化纸")
    )
    paper_colour = models.CharField(_("paper colour"), max_length=50, blank=True)
    paper_thickness_mm = models.DecimalField(
        _("paper thickness (mm)"), max_digits=5, decimal_places=3, null=True, blank=True
    )
    chain_lines = models.CharField(
        _("chain lines"), max_length=100, blank=True, help_text=_("帘纹: spacing, orientation")
    )
    earlier_repairs = models.TextField(_("earlier repairs"), blank=True)
    computed_level = models.PositiveSmallIntegerField(_("computed level"), null=True, blank=True)
    computed_rule = models.TextField(_("deciding rule"), blank=True)
    override_level = models.PositiveSmallIntegerField(_("overriding level"), null=True, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("damage assessment")
        verbose_name_plural = _("damage assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(override_level__isnull=True) | ~Q(override_reason=""),
                name="assessment_override_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.holding} · {self.assessed_on}"

    def get_absolute_url(self) -> str:
        return reverse("conservation:assessment", args=[self.pk])

    @property
    def level(self) -> int | None:
        return self.override_level if self.override_level is not None else self.computed_level

    def level_name(self) -> str:
        number = self.level
        if number is None:
            return str(_("no damage level reached"))
        names = {lv.number: lv.name for lv in self.scheme.levels.all()}
        return names.get(number, str(number))


class Finding(models.Model):
    """One damage type observed in an assessment, with the measures the domain file lists."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="findings")
    damage_type = models.ForeignKey(DamageType, models.PROTECT, verbose_name=_("damage type"))
    ph = models.DecimalField(_("pH"), max_digits=4, decimal_places=2, null=True, blank=True)
    ph_method = models.CharField(
        _("pH method"), max_length=8, choices=Assessment.PhMethod, blank=True
    )
    leaves_affected = models.PositiveIntegerField(_("leaves affected"), null=True, blank=True)
    leaves_total = models.PositiveIntegerField(_("leaves in total"), null=True, blank=True)
    area_pct = models.DecimalField(
        _("area share (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PCT
    )
    leaf_area_pct = models.DecimalField(
        _("largest share of one leaf (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PCT,
    )
    item_area_pct = models.DecimalField(
        _("share of the whole item (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PCT,
    )
    fraction_of_sheet = models.DecimalField(
        _("fraction of the sheet"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    qualitative = models.BooleanField(
        _("described condition holds"),
        default=False,
        help_text=_("e.g. crumbles when turned; yellowed and brittle; writing illegible."),
    )
    location = models.CharField(_("location (ce / leaf / part)"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "damage_type__position", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=Q(leaves_affected__isnull=True)
                | Q(leaves_total__isnull=True)
                | Q(leaves_affected__lte=models.F("leaves_total")),
                name="finding_leaves_within_total",
            )
        ]

    def __str__(self) -> str:
        return str(self.damage_type)

    @property
    def leaf_pct(self) -> Decimal | None:
        if self.leaves_affected is None or not self.leaves_total:
            return None
        return Decimal(self.leaves_affected * 100) / Decimal(self.leaves_total)


class HoldingDamage(models.Model):
    """The holding's current damage level (services.current_damage), kept for the queue's
    filters and order; rewritten by every assessment."""

    holding = models.OneToOneField(Holding, models.CASCADE, primary_key=True, related_name="damage")
    level = models.PositiveSmallIntegerField(_("damage level"), null=True, blank=True)
    level_name = models.CharField(_("damage level"), max_length=32, blank=True)
    assessed_on = models.DateField(_("assessed on"))

    class Meta:
        verbose_name = _("current damage level")
        verbose_name_plural = _("current damage levels")

    def __str__(self) -> str:
        return f"{self.holding_id} · {self.level_name}"


# --- requests and plans ------------------------------------------------------------------------


class RepairRequest(models.Model):
    """An institution asks the repair base to repair one of its holdings."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        PLANNED = "planned", _("Planned")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    holding = models.ForeignKey(Holding, models.CASCADE, related_name="repair_requests")
    institution = models.ForeignKey(Institution, models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    description = models.TextField(_("what needs repair"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at"]
        verbose_name = _("repair request")
        verbose_name_plural = _("repair requests")

    def __str__(self) -> str:
        return f"{self.holding} · {self.get_status_display()}"


class RepairPlan(models.Model):
    """修复方案: approved by the centre before work; changes after approval are revisions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        FINISHED = "finished", _("Work finished")
        ACCEPTED = "accepted", _("Accepted")

    holding = models.ForeignKey(
        Holding, models.PROTECT, related_name="repair_plans", verbose_name=_("holding")
    )
    institution = models.ForeignKey(Institution, models.PROTECT, related_name="+")
    request = models.ForeignKey(
        RepairRequest, models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    assessment = models.ForeignKey(
        Assessment, models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    volumes = models.CharField(
        _("volumes treated"), max_length=200, blank=True, help_text=_("e.g. 1–4; empty for all.")
    )
    condition_summary = models.TextField(_("condition summary"))
    goals = models.TextField(_("goals"))
    operations = models.ManyToManyField(
        RepairOperation, related_name="plans", verbose_name=_("operations"), blank=True
    )
    methods = models.TextField(_("methods"), blank=True)
    materials = models.TextField(_("planned materials"), blank=True)
    estimated_hours = models.DecimalField(_("estimated hours"), max_digits=7, decimal_places=1)
    conservators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="repair_plans", verbose_name=_("conservators")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.DRAFT, editable=False
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=0, editable=False)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("planner")
    )
    planned_at = models.DateTimeField(_("planned"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approval_comment = models.TextField(_("approval comment"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[operations, conservators])

    class Meta:
        ordering = ["-planned_at", "-id"]
        verbose_name = _("repair plan")
        verbose_name_plural = _("repair plans")
        permissions = [
            ("assess_damage", _("Assess damage")),
            ("plan_repair", _("Draw up repair plans")),
            ("approve_repair_plan", _("Approve repair plans")),
            ("work_on_plan", _("Log work and images on a repair plan")),
            ("accept_repair", _("Accept finished repairs")),
            ("manage_materials", _("Keep the repair materials register")),
        ]

    def __str__(self) -> str:
        return f"{_('Repair plan')} #{self.pk} · {self.holding}"

    def get_absolute_url(self) -> str:
        return reverse("conservation:plan_detail", args=[self.pk])


class MaterialBatch(models.Model):
    """A batch of repair paper, paste, thread … as received: what a recall follows."""

    class Kind(models.TextChoices):
        PAPER = "paper", _("Repair paper")
        PASTE = "paste", _("Paste")
        THREAD = "thread", _("Thread")
        COVER = "cover", _("Cover paper or silk")
        CHEMICAL = "chemical", _("Chemical")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. 竹纸, 小麦淀粉浆糊."))
    batch_code = models.CharField(_("batch"), max_length=50, unique=True)
    maker = models.CharField(_("origin / maker"), max_length=200, blank=True)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    fibre = models.CharField(_("fibre"), max_length=100, blank=True)
    ph = models.DecimalField(_("pH"), max_digits=4, decimal_places=2, null=True, blank=True)
    thickness_mm = models.DecimalField(
        _("thickness (mm)"), max_digits=5, decimal_places=3, null=True, blank=True
    )
    colour = models.CharField(_("colour"), max_length=100, blank=True)
    received_on = models.DateField(_("received on"))
    quantity = models.DecimalField(_("quantity received"), max_digits=10, decimal_places=2)
    remaining = models.DecimalField(_("remaining stock"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=16, help_text=_("e.g. 张, g, m."))
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "-received_on", "batch_code"]
        verbose_name = _("material batch")
        verbose_name_plural = _("material batches")

    def __str__(self) -> str:
        return f"{self.name} · {self.batch_code}"

    def get_absolute_url(self) -> str:
        return reverse("conservation:batch_detail", args=[self.pk])


class RepairLog(models.Model):
    """One work session on a plan."""

    plan = models.ForeignKey(RepairPlan, models.CASCADE, related_name="logs")
    worked_on = models.DateField(_("date"))
    conservator = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("conservator")
    )
    volumes = models.CharField(_("volumes (ce)"), max_length=100, blank=True)
    volume_count = models.PositiveIntegerField(_("number of ce treated"), default=0)
    leaves = models.CharField(_("leaves"), max_length=200, blank=True, help_text=_("e.g. 1–24"))
    leaf_count = models.PositiveIntegerField(_("number of leaves treated"), default=0)
    operations = models.ManyToManyField(
        RepairOperation, related_name="+", verbose_name=_("operations"), blank=True
    )
    materials = models.ManyToManyField(
        MaterialBatch, related_name="logs", verbose_name=_("material batches used"), blank=True
    )
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    interruptions = models.TextField(_("interruptions"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[operations, materials])

    class Meta:
        ordering = ["plan", "worked_on", "id"]
        verbose_name = _("repair log entry")
        verbose_name_plural = _("repair log entries")

    def __str__(self) -> str:
        return f"{self.plan_id} · {self.worked_on} · {self.conservator}"


class Acceptance(models.Model):
    """验收 of a finished repair, by someone who did not work on it."""

    plan = models.ForeignKey(RepairPlan, models.PROTECT, related_name="acceptances")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    accepted_on = models.DateField(_("date"))
    result = models.ForeignKey(QualityGrade, models.PROTECT, verbose_name=_("result"))
    criteria = models.JSONField(_("criteria met"), default=list, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "accepted_on", "id"]
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")

    def __str__(self) -> str:
        return f"{self.plan} · {self.result}"


# Quality criteria checked at acceptance (repair.md §4 G: practice; unverified as the standard's).
ACCEPTANCE_CRITERIA = [
    (
        "paper_match",
        _("Repair paper matches in colour and thickness, not thicker than the original"),
    ),
    ("clean", _("No paste stains, wrinkles or hard edges")),
    ("overlap", _("Mends overlap the loss by only a few millimetres; text not covered")),
    ("flat", _("Leaves flat and aligned (书口, 栏线)")),
    ("margins", _("No trimming of margins")),
    ("binding", _("Binding tight and sewn as originally")),
    ("order", _("Leaf order correct and complete")),
    ("recorded", _("All steps and materials recorded")),
    ("photos", _("Before and after photographs present")),
]


class RepairImage(models.Model):
    """A photograph of a repair, in a set (before, during, after …), tied to 册 and 叶 when known.

    The original is kept byte for byte under its content hash (guji.files.images); the thumbnail,
    preview and large derivatives are made by the worker, at names that follow from the original.
    """

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before repair")
        DURING = "during", _("During repair")
        AFTER = "after", _("After repair")
        DETAIL = "detail", _("Detail")
        RAKING = "raking", _("Raking light")

    plan = models.ForeignKey(RepairPlan, models.CASCADE, related_name="images")
    institution = models.ForeignKey(Institution, models.PROTECT, related_name="+")
    kind = models.CharField(_("set"), max_length=16, choices=Kind)
    volume = models.PositiveIntegerField(_("volume (ce)"), null=True, blank=True)
    leaf = models.CharField(_("leaf"), max_length=20, blank=True, help_text=_("e.g. 12 or 12b"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    original = models.CharField(max_length=200)  # stored name under the default storage
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "volume", "leaf", "kind", "id"]
        verbose_name = _("repair photograph")
        verbose_name_plural = _("repair photographs")

    def __str__(self) -> str:
        where = f" {self.volume or ''}/{self.leaf}" if self.volume or self.leaf else ""
        return f"{self.get_kind_display()}{where}"


class ArchiveJob(Job):
    """The repair archive (修复档案) of one plan as a PDF, made by the worker."""

    plan = models.ForeignKey(RepairPlan, models.CASCADE, related_name="archive_jobs")
    missing_glyphs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("repair archive")
        verbose_name_plural = _("repair archives")

    def __str__(self) -> str:
        return f"{self.plan} · {self.get_status_display()}"
