"""The core register: institutions, holdings and their responsibility statements, roles.

Vocabularies that the domain reference marks as unverified or open-ended (四部 classes, binding
forms, 著作方式, edition types) are tables loaded from ``guji/data/*.csv`` by a data migration, so
the centre administrator can correct them in the admin; fixed, verified structures (grades,
institution types, record status) are TextChoices.
"""

from typing import Self

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from guji.files.jobs import Job


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    institution = models.ForeignKey(
        "guji.Institution",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("home institution"),
        help_text=_("Shown beside the name; rights come from roles, not from this field."),
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


# --- vocabularies -----------------------------------------------------------------------------


class Vocabulary(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    trad = models.CharField(_("traditional form"), max_length=64, blank=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class SibuClass(Vocabulary):
    """四部 (+丛部) class; level 1 is a 部, level 2 a 类 within it."""

    bu = models.CharField(_("branch"), max_length=8)
    level = models.PositiveSmallIntegerField(_("level"), default=2)
    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("four-branch class")
        verbose_name_plural = _("four-branch classes")

    def __str__(self) -> str:
        return self.bu if self.level == 1 else f"{self.bu}·{self.name}"


class Binding(Vocabulary):
    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("binding form")
        verbose_name_plural = _("binding forms")


class AuthorRole(Vocabulary):
    """著作方式: the nature of a person's responsibility (撰, 注, 辑 …)."""

    english = models.CharField(_("English"), max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("role of responsibility")
        verbose_name_plural = _("roles of responsibility")


class EditionType(Vocabulary):
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children"
    )
    is_guji = models.BooleanField(_("a 古籍 edition type"), default=True)
    history = HistoricalRecords()

    class Meta(Vocabulary.Meta):
        verbose_name = _("edition type")
        verbose_name_plural = _("edition types")


# --- institutions -----------------------------------------------------------------------------


class Institution(models.Model):
    class Type(models.TextChoices):
        LIBRARY = "library", _("Library")
        UNIVERSITY = "university", _("University library")
        MUSEUM = "museum", _("Museum")
        ARCHIVE = "archive", _("Archive")
        RELIGIOUS = "religious", _("Religious site")
        OTHER = "other", _("Other")

    class KeyProtection(models.TextChoices):
        NONE = "", _("Not a key protection unit")
        APPLYING = "applying", _("Applying")
        MUNICIPAL = "municipal", _("Municipal key protection unit")
        PROVINCIAL = "provincial", _("Provincial key protection unit")
        NATIONAL = "national", _("National key protection unit")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    code = models.CharField(
        _("census institution code"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("Four digits, e.g. 0101."))],
        help_text=_("收藏单位代码: four digits allocated by the provincial centre."),
    )
    region_code = models.CharField(
        _("administrative division code"),
        max_length=6,
        validators=[RegexValidator(r"^\d{6}$", _("Six digits, e.g. 330000."))],
        help_text=_("行政区划代码 of the province-level region; the first part of census numbers."),
    )
    type = models.CharField(_("type"), max_length=16, choices=Type, default=Type.LIBRARY)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    key_protection = models.CharField(
        _("key protection status"), max_length=16, choices=KeyProtection, blank=True
    )
    key_protection_batch = models.CharField(
        _("key protection batch"), max_length=50, blank=True, help_text=_("e.g. 第三批 (2010)")
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("collecting institution")
        verbose_name_plural = _("collecting institutions")
        permissions = [
            ("view_holdings", _("View the institution's holdings")),
            ("catalogue_holdings", _("Catalogue the institution's holdings")),
            ("review_census", _("Review the institution's census entries")),
            ("manage_institution", _("Manage the institution's record and staff")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("institution_detail", args=[self.pk])


class InstitutionUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Institution, models.CASCADE)


class InstitutionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Institution, models.CASCADE)


class RoleAssignment(models.Model):
    """Who holds which role, where: the audited record behind guardian's permission rows."""

    class Role(models.TextChoices):
        CATALOGUER = "cataloguer", _("Cataloguer")
        MANAGER = "manager", _("Institution manager")
        REVIEWER = "reviewer", _("Census reviewer")
        CONSERVATOR = "conservator", _("Conservator")
        CENTRE_ADMIN = "centre_admin", _("Centre administrator")
        PROVINCIAL = "provincial", _("Provincial viewer")

    user = models.ForeignKey(User, models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=16, choices=Role)
    institution = models.ForeignKey(
        Institution, models.CASCADE, null=True, blank=True, related_name="role_assignments"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "institution"], name="role_assignment_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(institution__isnull=True),
                name="role_assignment_unique_centre",
            ),
        ]

    def __str__(self) -> str:
        where = f" @ {self.institution}" if self.institution_id else ""
        return f"{self.user} · {self.get_role_display()}{where}"


class ObjectGrant(models.Model):
    """One action on one object for one user (a conservator assigned to one repair plan).

    Written only through ``guji.permissions.grant``/``revoke``, which record who and why; read by
    the same ``can``/``scope_filter`` that answer institution and centre roles.
    """

    user = models.ForeignKey(User, models.CASCADE, related_name="object_grants")
    action = models.CharField(_("action"), max_length=32)
    content_type = models.ForeignKey(ContentType, models.CASCADE, verbose_name=_("kind of record"))
    object_id = models.PositiveBigIntegerField(_("record id"))
    target = GenericForeignKey("content_type", "object_id")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grant on one record")
        verbose_name_plural = _("grants on one record")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "action", "content_type", "object_id"], name="object_grant_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.action} · {self.content_type.name} {self.object_id}"


# --- holdings ---------------------------------------------------------------------------------


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> Self:
        from guji.permissions import scope_filter  # permissions imports models

        return self.filter(scope_filter(user, "view", "institution"))


class HoldingQuerySet(ScopedQuerySet):
    def for_list(self) -> Self:
        return self.select_related("institution", "sibu_class").only(
            "id",
            "institution__id",
            "institution__name",
            "institution__short_name",
            "call_number",
            "census_number",
            "title_juan",
            "authors_text",
            "edition_statement",
            "volumes",
            "extant",
            "grade",
            "status",
            "sibu_class__name",
            "sibu_class__bu",
            "sibu_class__level",
        )


class Grade(models.TextChoices):
    """WH/T 20-2006: levels 1–3 (善本) with 甲/乙/丙, level 4 (普本) undivided."""

    L1A = "1A", _("Level 1, grade A (一级甲等)")
    L1B = "1B", _("Level 1, grade B (一级乙等)")
    L1C = "1C", _("Level 1, grade C (一级丙等)")
    L2A = "2A", _("Level 2, grade A (二级甲等)")
    L2B = "2B", _("Level 2, grade B (二级乙等)")
    L2C = "2C", _("Level 2, grade C (二级丙等)")
    L3A = "3A", _("Level 3, grade A (三级甲等)")
    L3B = "3B", _("Level 3, grade B (三级乙等)")
    L3C = "3C", _("Level 3, grade C (三级丙等)")
    L4 = "4", _("Level 4 (四级, 普本)")


class VolumeUnit(models.TextChoices):
    """What a holding's extent counts (guji.cataloguing.VOLUME_UNITS)."""

    CE = "册", _("ce (册)")
    ZHE = "折", _("folds (折)")
    ZHOU = "轴", _("scrolls (轴)")
    FU = "幅", _("sheets (幅)")
    ZHANG = "张", _("leaves (张)")
    JIAN = "件", _("items (件)")
    YE = "叶", _("folios (叶)")


class Holding(models.Model):
    """One 部 held by one institution: the census unit."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        REGISTERED = "registered", _("Registered")

    institution = models.ForeignKey(
        Institution, models.PROTECT, related_name="holdings", verbose_name=_("institution")
    )
    call_number = models.CharField(_("call number"), max_length=64)
    census_number = models.CharField(
        _("census number"),
        max_length=19,
        blank=True,
        validators=[RegexValidator(r"^\d{6}-\d{4}-\d{7}$", _("Format RRRRRR-IIII-NNNNNNN."))],
    )
    sibu_class = models.ForeignKey(
        SibuClass,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="holdings",
        verbose_name=_("classification"),
    )
    sibu_subdivision = models.CharField(
        _("class subdivision"),
        max_length=50,
        blank=True,
        help_text=_("属 written after the class, e.g. 方志 in 史部·地理类·方志."),
    )
    title = models.CharField(_("title"), max_length=300, help_text=_("题名, as on the 卷端."))
    juan_count = models.PositiveIntegerField(
        _("number of juan"), null=True, blank=True, help_text=_("Empty when unknown or 不分卷.")
    )
    juan_unit = models.CharField(
        _("unit of the count"),
        max_length=4,
        default="卷",
        blank=True,
        editable=False,
        help_text=_("What the number after the title counts: 卷, or 回, 种, 篇, 则, 册, 出."),
    )
    title_juan = models.CharField(
        _("title and juan"),
        max_length=400,
        help_text=_("题名卷数 as catalogued, e.g. 史記一百三十卷."),
    )
    authors_text = models.CharField(
        _("responsibility"),
        max_length=600,
        blank=True,
        editable=False,
        help_text=_("Catalogue form of the responsibility statements, kept in step with them."),
    )
    edition_statement = models.CharField(_("edition statement"), max_length=300, blank=True)
    edition_dynasty = models.CharField(_("edition dynasty"), max_length=16, blank=True)
    edition_era = models.CharField(_("reign era"), max_length=16, blank=True)
    edition_era_year = models.PositiveSmallIntegerField(_("year of reign"), null=True, blank=True)
    edition_year = models.SmallIntegerField(_("Gregorian year"), null=True, blank=True)
    edition_type = models.CharField(_("edition type"), max_length=32, blank=True)
    edition_warnings = models.TextField(_("edition warnings"), blank=True)
    cataloguing_warnings = models.TextField(
        _("cataloguing warnings"),
        blank=True,
        editable=False,
        help_text=_("What the readers of 题名卷数, 著者 and 册数 were unsure of."),
    )
    layout = models.CharField(_("layout"), max_length=400, blank=True, help_text=_("版式"))
    binding = models.ForeignKey(
        Binding,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="holdings",
        verbose_name=_("binding"),
    )
    series = models.CharField(_("series"), max_length=300, blank=True, help_text=_("丛书"))
    volumes = models.PositiveIntegerField(_("number of ce"), help_text=_("册数"))
    volume_unit = models.CharField(
        _("unit of the extent"),
        max_length=4,
        choices=VolumeUnit,
        default=VolumeUnit.CE,
        help_text=_("What the number of ce counts: 册, or 折, 轴, 幅, 张, 件, 叶 for other items."),
    )
    extent_note = models.CharField(
        _("other extent"),
        max_length=100,
        blank=True,
        help_text=_("The rest of the extent as written, e.g. 1夾 or 無函套."),
    )
    cases = models.PositiveIntegerField(_("number of cases"), null=True, blank=True)
    extant = models.CharField(
        _("extant / missing juan"),
        max_length=300,
        blank=True,
        help_text=_("存缺卷, e.g. 存四卷（十六至十九）; empty when complete."),
    )
    annotations = models.TextField(_("annotations and colophons"), blank=True, help_text="批校题跋")
    seals = models.TextField(_("seals"), blank=True, help_text=_("钤印, one per line, page order."))
    notes = models.TextField(_("notes"), blank=True)
    storage_location = models.CharField(_("storage location"), max_length=200, blank=True)
    grade = models.CharField(_("grade"), max_length=2, choices=Grade, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.DRAFT, editable=False
    )
    search_key = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = HoldingQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_key", "updated_at"])

    class Meta:
        ordering = ["institution_id", "id"]
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        indexes = [
            models.Index(fields=["institution", "id"], name="holding_inst_id"),
            models.Index(fields=["edition_dynasty", "id"], name="holding_dynasty"),
            models.Index(fields=["edition_type", "id"], name="holding_edtype"),
            models.Index(fields=["sibu_class", "id"], name="holding_sibu"),
            models.Index(fields=["grade", "id"], name="holding_grade"),
            models.Index(fields=["status", "id"], name="holding_status"),
            models.Index(fields=["call_number"], name="holding_call_number"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "call_number"], name="holding_call_number_unique"
            ),
            models.UniqueConstraint(
                fields=["census_number"],
                condition=~Q(census_number=""),
                name="holding_census_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(volumes__gte=1),
                name="holding_volumes_positive",
                violation_error_message=_("The number of ce must be at least 1."),
            ),
        ]

    def __str__(self) -> str:
        return self.title_juan or self.title

    def get_absolute_url(self) -> str:
        return reverse("holding_detail", args=[self.pk])

    @property
    def is_shanben(self) -> bool:
        return bool(self.grade) and self.grade[0] in "123"


class Responsibility(models.Model):
    """One statement of responsibility: (朝代)姓名著作方式, in catalogue order."""

    holding = models.ForeignKey(Holding, models.CASCADE, related_name="responsibilities")
    seq = models.PositiveSmallIntegerField(_("order"), default=1)
    dynasty = models.CharField(_("dynasty"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    role = models.CharField(
        _("role"),
        max_length=16,
        blank=True,
        help_text=_("著作方式; empty when shared with the next."),
    )
    attributed = models.BooleanField(_("attributed (题)"), default=False)
    supplied = models.BooleanField(
        _("supplied by the cataloguer"), default=False, help_text=_("Written in ［ ］.")
    )
    written = models.CharField(
        _("as written"),
        max_length=200,
        blank=True,
        help_text=_("A statement that could not be read with confidence, kept as written."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["holding_id", "seq", "id"]
        verbose_name = _("responsibility statement")
        verbose_name_plural = _("responsibility statements")

    def __str__(self) -> str:
        return self.catalogue_form()

    def catalogue_form(self) -> str:
        return self.statement().text()

    def statement(self):
        from guji.cataloguing import Statement

        return Statement(
            self.dynasty, self.name, self.role, self.attributed, self.supplied, self.written
        )


# --- a user's own things: saved searches, notifications -----------------------------------


class SavedSearch(models.Model):
    """A holdings list a user keeps: its filters and search as a query string."""

    user = models.ForeignKey(User, models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=1000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["user_id", "name"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_search_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('holding_list')}?{self.query}"


class Notification(models.Model):
    """A message to one user, shown in their inbox (and sent by e-mail where they have an
    address); made by ``guji.notifications.notify``, which any app may call."""

    user = models.ForeignKey(User, models.CASCADE, related_name="notifications")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed = models.BooleanField(_("sent by e-mail"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.subject


class ListExportJob(Job):
    """The holdings list, as filtered, written to .xlsx in the background (past
    ``settings.GUJI_EXPORT_INLINE_ROWS`` rows). The row records who exported which list, and when;
    the rows are chosen again, as the owner may see them, when the job runs."""

    results = models.CharField(_("filters"), max_length=1000, blank=True)  # the list's query
    ids = models.JSONField(default=list, blank=True)  # the ticked rows, unless all matching
    all_matching = models.BooleanField(default=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    download_name = models.CharField(_("file name"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("holdings export")
        verbose_name_plural = _("holdings exports")

    def __str__(self) -> str:
        return self.download_name or str(self._meta.verbose_name)

    def get_absolute_url(self) -> str:
        return reverse("holding_export_job", args=[self.pk])
