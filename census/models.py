"""The census: campaigns, entries under review, census numbers, photographs, imports.

A holding's census state is ``Holding.status`` (draft → submitted → returned/registered); the
census app keeps what the register does not: which campaign an entry belongs to, its numbered
review rounds with field comments, correction requests after acceptance, the per-institution
census-number counter, leaf photographs and spreadsheet import jobs.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guji.files.jobs import Job
from guji.models import Holding, Institution, ScopedQuerySet


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    institutions = models.ManyToManyField(
        Institution, through="Participation", related_name="campaigns"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("census campaign")
        verbose_name_plural = _("census campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="campaign_period_ordered",
                violation_error_message=_("A campaign cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("census:campaign_detail", args=[self.pk])


class Participation(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="participations")
    institution = models.ForeignKey(Institution, models.PROTECT, related_name="participations")
    estimated_holdings = models.PositiveIntegerField(_("estimated number of holdings"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["campaign", "institution__code"]
        verbose_name = _("participating institution")
        verbose_name_plural = _("participating institutions")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "institution"], name="participation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.institution}"


class CensusEntry(models.Model):
    """The census side of one holding: its campaign and review rounds."""

    holding = models.OneToOneField(Holding, models.CASCADE, related_name="census_entry")
    institution = models.ForeignKey(Institution, models.PROTECT, related_name="census_entries")
    campaign = models.ForeignKey(
        Campaign, models.PROTECT, null=True, blank=True, related_name="entries"
    )
    round = models.PositiveSmallIntegerField(_("review round"), default=0)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("census entry")
        verbose_name_plural = _("census entries")
        indexes = [
            models.Index(fields=["campaign", "institution"], name="entry_campaign_inst"),
            models.Index(fields=["submitted_at"], name="entry_queue_age"),
        ]

    def __str__(self) -> str:
        return str(self.holding)


class ReviewRound(models.Model):
    """One submission of an entry and the reviewer's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    entry = models.ForeignKey(CensusEntry, models.CASCADE, related_name="rounds")
    institution = models.ForeignKey(Institution, models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("round"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True
    )
    submitted_at = models.DateTimeField(_("submitted"))
    note = models.TextField(_("note on submission"), blank=True)
    snapshot = models.JSONField(_("record as submitted"), default=dict)
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision, blank=True, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    comment = models.TextField(_("review comment"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["entry", "number"]
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="review_round_unique")
        ]
        indexes = [models.Index(fields=["decision", "submitted_at"], name="round_queue")]

    def __str__(self) -> str:
        return f"{self.entry} #{self.number}"


class FieldComment(models.Model):
    """A reviewer's comment attached to one named field of the record."""

    round = models.ForeignKey(ReviewRound, models.CASCADE, related_name="field_comments")
    field = models.CharField(_("field"), max_length=64)
    comment = models.TextField(_("comment"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "id"]
        verbose_name = _("field comment")
        verbose_name_plural = _("field comments")

    def __str__(self) -> str:
        return f"{self.field}: {self.comment}"


class CensusCounter(models.Model):
    """The last census serial given at an institution: numbers are never reused, never skipped."""

    institution = models.OneToOneField(
        Institution, models.PROTECT, primary_key=True, related_name="census_counter"
    )
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("census number counter")
        verbose_name_plural = _("census number counters")

    def __str__(self) -> str:
        return f"{self.institution}: {self.last_serial}"


class CorrectionRequest(models.Model):
    """A change to an accepted (locked) record, applied only when a reviewer accepts it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    holding = models.ForeignKey(Holding, models.CASCADE, related_name="correction_requests")
    institution = models.ForeignKey(Institution, models.PROTECT, related_name="+")
    changes = models.JSONField(_("proposed values"), default=dict)
    previous = models.JSONField(_("values when requested"), default=dict)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status, default=Status.PENDING, editable=False
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")

    def __str__(self) -> str:
        return f"{self.holding} ({self.get_status_display()})"


class LeafPhoto(models.Model):
    """A photograph of a leaf (title page, first leaf, seals), stored by content hash."""

    class Kind(models.TextChoices):
        TITLE_PAGE = "title_page", _("Title page")
        FIRST_LEAF = "first_leaf", _("First leaf of the text")
        SEAL = "seal", _("Seal")
        COLOPHON = "colophon", _("Colophon or cartouche")
        OTHER = "other", _("Other")

    holding = models.ForeignKey(Holding, models.CASCADE, related_name="leaf_photos")
    institution = models.ForeignKey(Institution, models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.FIRST_LEAF)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    original = models.CharField(max_length=200)  # names in storage (guji.files.images)
    preview = models.CharField(max_length=200)
    thumbnail = models.CharField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    content_type = models.CharField(max_length=50)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["holding", "kind", "id"]
        verbose_name = _("leaf photograph")
        verbose_name_plural = _("leaf photographs")

    def __str__(self) -> str:
        return f"{self.holding} · {self.get_kind_display()}"


class SubmittedPhoto(models.Model):
    """A leaf photograph as it was when its record was submitted: the review round's own copy.

    The reviewer sees these, not the record's photographs of today; the files they name are kept
    while a copy refers to them (content addressed: a removed photograph's files stay).
    """

    round = models.ForeignKey(ReviewRound, models.CASCADE, related_name="photos")
    institution = models.ForeignKey(Institution, models.PROTECT, related_name="+")
    photo_id = models.PositiveIntegerField(null=True)  # the LeafPhoto copied (it may be gone)
    kind = models.CharField(_("kind"), max_length=16, choices=LeafPhoto.Kind)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    original = models.CharField(max_length=200)
    preview = models.CharField(max_length=200)
    thumbnail = models.CharField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    content_type = models.CharField(max_length=50)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords()

    COPIED = (
        "kind",
        "caption",
        "sha256",
        "original",
        "preview",
        "thumbnail",
        "width",
        "height",
        "content_type",
    )

    class Meta:
        ordering = ["round", "kind", "id"]
        verbose_name = _("photograph as submitted")
        verbose_name_plural = _("photographs as submitted")

    def __str__(self) -> str:
        return f"{self.round} · {self.get_kind_display()}"


class ImportJob(Job):
    """A spreadsheet import: validated first (dry run), then run by the task queue.

    A background job (``guji.files.jobs``) whose statuses say more than the generic states;
    its lifecycle is ``census.imports.jobs``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Validating")
        REJECTED = "rejected", _("Rejected")
        VALIDATED = "validated", _("Ready to import")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    STATE_OF = {
        Status.VALIDATING: Job.State.RUNNING,
        Status.IMPORTING: Job.State.RUNNING,
        Status.REJECTED: Job.State.DONE,
        Status.VALIDATED: Job.State.DONE,
    }

    institution = models.ForeignKey(Institution, models.PROTECT, related_name="import_jobs")
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.QUEUED)
    filename = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(max_length=300)  # the upload's name in storage
    sha256 = models.CharField(max_length=64)
    update_existing = models.BooleanField(_("update existing call numbers"), default=False)
    clear_empty = models.BooleanField(_("empty cells clear fields"), default=False)
    # Who asked for the import to run: the history user of every row it writes.
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict)  # problems, conflicts, warnings, plan

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["processed_rows", "done_units", "total_units", "heartbeat_at"]
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("census:import_detail", args=[self.pk])

    @property
    def progress(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def display_state(self) -> str:
        """queued, running, done or failed, as the page shows it: a rejected file failed."""
        return Job.State.FAILED if self.status == self.Status.REJECTED else self.state


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ExportJobQuerySet":
        """A user sees the exports they asked for (the download re-checks the scope)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(user=user)


class ExportJob(Job):
    """One export of the registration catalogue (普查登记目录), made now or by the task queue.

    Not audited with history: the row itself is the record of who exported what, and when.
    A background job (``guji.files.jobs``): the file made is its ``result``.
    """

    class Scope(models.TextChoices):
        INSTITUTION = "institution", _("One institution")
        CAMPAIGN = "campaign", _("One census campaign")
        CITY = "city", _("Citywide")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Spreadsheet (.xlsx)")
        PDF = "pdf", _("PDF")

    Status = Job.State

    scope = models.CharField(_("scope"), max_length=16, choices=Scope)
    institution = models.ForeignKey(
        Institution, models.PROTECT, null=True, blank=True, related_name="+"
    )
    campaign = models.ForeignKey(Campaign, models.PROTECT, null=True, blank=True, related_name="+")
    format = models.CharField(_("format"), max_length=8, choices=Format)
    total_entries = models.PositiveIntegerField(_("entries"), default=0)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    warnings = models.JSONField(default=list)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("catalogue export")
        verbose_name_plural = _("catalogue exports")
        indexes = [models.Index(fields=["user", "created_at"], name="exportjob_user_created")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="institution", institution__isnull=False, campaign__isnull=True)
                    | Q(scope="campaign", institution__isnull=True, campaign__isnull=False)
                    | Q(scope="city", institution__isnull=True, campaign__isnull=True)
                ),
                name="exportjob_scope_target",
            )
        ]

    def __str__(self) -> str:
        return self.filename or f"{self.get_scope_display()} ({self.get_format_display()})"

    def get_absolute_url(self) -> str:
        return reverse("census:catalogue_job", args=[self.pk])
