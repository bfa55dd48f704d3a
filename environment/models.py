"""Storage supervision: rooms (书库), their loggers, readings, thresholds, excursions, roll-ups.

Readings are the big table (10⁸–10⁹ rows for a province). They carry no surrogate key: the
primary key is (sensor, time), which is both the index every query uses and what makes an
overlapping upload idempotent. On PostgreSQL migration 0002 recreates the table partitioned by
month (``environment.partitions`` adds a month's partition before anything is written to it).

Pages and reports read :class:`DailyRollup` rows, never raw readings beyond a bounded window.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guji.models import Holding, Institution


class RoomType(models.TextChoices):
    SHANBEN = "shanben", _("Rare-book stack (善本库)")
    PUBEN = "puben", _("General stack (普本库)")
    REPAIR = "repair", _("Repair studio (修复室)")
    READING = "reading", _("Reading room (阅览室)")
    EXHIBITION = "exhibition", _("Exhibition hall (展厅)")
    OTHER = "other", _("Other room")


class RoomQuerySet(models.QuerySet):
    def visible_to(self, user):
        from guji.permissions import scope_filter

        return self.filter(scope_filter(user, "view", "institution"))


class Room(models.Model):
    institution = models.ForeignKey(
        Institution, models.PROTECT, related_name="rooms", verbose_name=_("institution")
    )
    code = models.SlugField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Short and unique in the city, e.g. TXL-SB1; used by commands and reports."),
    )
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=16, choices=RoomType, default=RoomType.PUBEN)
    location = models.CharField(_("location"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = RoomQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["institution_id", "code"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="room_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("environment:room_detail", args=[self.pk])


class SensorQuerySet(models.QuerySet):
    def visible_to(self, user):
        from guji.permissions import scope_filter

        return self.filter(scope_filter(user, "view", "room__institution"))


class Sensor(models.Model):
    """A data logger or sensor in a room. Its ingest token is stored hashed."""

    room = models.ForeignKey(Room, models.PROTECT, related_name="sensors", verbose_name=_("room"))
    code = models.SlugField(_("code"), max_length=32, unique=True)
    vendor = models.CharField(_("vendor"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    measures = models.JSONField(
        _("measures"),
        default=list,
        blank=True,
        help_text=_("Quantities this logger records: temperature_c, rh, lux, uv, co2."),
    )
    active = models.BooleanField(_("in use"), default=True)
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    token_issued_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SensorQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["room_id", "code"]
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")

    def __str__(self) -> str:
        return f"{self.code} ({self.vendor} {self.model})".replace(" )", ")").replace("( ", "(")

    @property
    def institution_id(self) -> int:  # read by guji.permissions.institution_of
        return self.room.institution_id

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def issue_token(self) -> str:
        """A new token (shown once); the previous one stops working. Caller saves with history."""
        token = secrets.token_urlsafe(32)
        self.token_hash = self.hash_token(token)
        self.token_issued_at = timezone.now()
        return token

    def revoke_token(self) -> None:
        self.token_hash = ""
        self.token_issued_at = None

    def token_matches(self, token: str) -> bool:
        return bool(self.token_hash) and secrets.compare_digest(
            self.token_hash, self.hash_token(token)
        )


class Reading(models.Model):
    """One logged instant. Times are stored in UTC; values in °C, %RH, lx, μW/lm, % CO₂."""

    pk = models.CompositePrimaryKey("sensor_id", "time")
    sensor = models.ForeignKey(Sensor, models.CASCADE, related_name="+", db_index=False)
    time = models.DateTimeField()
    temperature_c = models.FloatField(null=True)
    rh = models.FloatField(null=True)
    lux = models.FloatField(null=True)
    uv = models.FloatField(null=True)
    co2 = models.FloatField(null=True)

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.time:%Y-%m-%d %H:%M:%S}"


VALUE_FIELDS = ("temperature_c", "rh", "lux", "uv", "co2")


class DailyRollup(models.Model):
    """A sensor's day (in the project's time zone), summarised so periods combine exactly.

    ``seconds`` is Σ Δt over readings that carry temperature and RH; ``pi_rate`` is Σ Δt/PI
    (seconds per year of PI), so TWPI over any set of days is Σ seconds / Σ pi_rate. ``mold`` is
    Σ Δt / days_to_mold in days (the mold risk factor accumulated over the day).
    ``seconds_in_range`` of ``seconds_measured``: the time every measured value was within limits.
    """

    sensor = models.ForeignKey(Sensor, models.CASCADE, related_name="rollups")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    t_min = models.FloatField(null=True)
    t_max = models.FloatField(null=True)
    t_mean = models.FloatField(null=True)
    rh_min = models.FloatField(null=True)
    rh_max = models.FloatField(null=True)
    rh_mean = models.FloatField(null=True)
    lux_max = models.FloatField(null=True)
    uv_max = models.FloatField(null=True)
    co2_max = models.FloatField(null=True)
    seconds = models.FloatField(default=0)
    seconds_measured = models.FloatField(default=0)
    seconds_in_range = models.FloatField(default=0)
    pi_rate = models.FloatField(default=0)
    mold = models.FloatField(default=0)

    class Meta:
        ordering = ["sensor_id", "day"]
        verbose_name = _("daily roll-up")
        verbose_name_plural = _("daily roll-ups")
        constraints = [
            models.UniqueConstraint(fields=["sensor", "day"], name="rollup_sensor_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.day}"

    @property
    def t_range(self) -> float | None:
        return None if self.t_min is None else self.t_max - self.t_min

    @property
    def rh_range(self) -> float | None:
        return None if self.rh_min is None else self.rh_max - self.rh_min


class Parameter(models.TextChoices):
    TEMPERATURE = "temperature_c", _("Temperature (°C)")
    RH = "rh", _("Relative humidity (%RH)")
    LUX = "lux", _("Illuminance (lx)")
    UV = "uv", _("UV (μW/lm)")
    CO2 = "co2", _("CO₂ (%)")


class Threshold(models.Model):
    """A default limit for a room type (GB/T 30227 values, loaded as data and editable)."""

    room_type = models.CharField(_("room type"), max_length=16, choices=RoomType)
    parameter = models.CharField(_("parameter"), max_length=16, choices=Parameter)
    minimum = models.FloatField(_("minimum"), null=True, blank=True)
    maximum = models.FloatField(_("maximum"), null=True, blank=True)
    max_daily_change = models.FloatField(
        _("allowed daily fluctuation"), null=True, blank=True, help_text=_("max − min in a day")
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["room_type", "parameter"]
        verbose_name = _("default threshold")
        verbose_name_plural = _("default thresholds")
        constraints = [
            models.UniqueConstraint(
                fields=["room_type", "parameter"], name="threshold_type_parameter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_room_type_display()} · {self.get_parameter_display()}"


class RoomThreshold(models.Model):
    """A room's own limit for one parameter, replacing its type's default; says why."""

    room = models.ForeignKey(Room, models.CASCADE, related_name="thresholds")
    parameter = models.CharField(_("parameter"), max_length=16, choices=Parameter)
    minimum = models.FloatField(_("minimum"), null=True, blank=True)
    maximum = models.FloatField(_("maximum"), null=True, blank=True)
    max_daily_change = models.FloatField(_("allowed daily fluctuation"), null=True, blank=True)
    reason = models.TextField(_("reason"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("room threshold")
        verbose_name_plural = _("room thresholds")
        constraints = [
            models.UniqueConstraint(
                fields=["room", "parameter"], name="room_threshold_parameter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.room} · {self.get_parameter_display()}"


class ExcursionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from guji.permissions import scope_filter

        return self.filter(scope_filter(user, "view", "room__institution"))


class Excursion(models.Model):
    """A run of readings outside a room's limits for one parameter."""

    room = models.ForeignKey(Room, models.CASCADE, related_name="excursions")
    sensor = models.ForeignKey(Sensor, models.CASCADE, related_name="excursions")
    parameter = models.CharField(_("parameter"), max_length=16, choices=Parameter)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    peak = models.FloatField(_("peak"))
    limit = models.FloatField(_("limit crossed"))
    high = models.BooleanField(_("above the limit"), default=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)

    objects = ExcursionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("excursion")
        verbose_name_plural = _("excursions")
        indexes = [
            models.Index(fields=["room", "start"], name="excursion_room_start"),
            models.Index(fields=["sensor", "parameter", "end"], name="excursion_sensor_end"),
        ]

    def __str__(self) -> str:
        return f"{self.room} · {self.get_parameter_display()} · {self.start:%Y-%m-%d %H:%M}"

    @property
    def institution_id(self) -> int:
        return self.room.institution_id

    @property
    def duration(self):
        return self.end - self.start

    @property
    def duration_hm(self) -> str:
        """Hours and minutes, e.g. 30:05 (hours may pass 24)."""
        minutes = int(self.duration.total_seconds() // 60)
        return f"{minutes // 60}:{minutes % 60:02d}"


class Notification(models.Model):
    """An in-app message to one user (excursions for now)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="environment_notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.title


class Placement(models.Model):
    """Which room a holding is kept in (guji's Holding knows nothing of rooms)."""

    holding = models.OneToOneField(Holding, models.CASCADE, related_name="placement")
    room = models.ForeignKey(Room, models.PROTECT, related_name="placements")
    shelf = models.CharField(_("shelf"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.holding} → {self.room}"

    @property
    def institution_id(self) -> int:
        return self.room.institution_id


class Ingest(models.Model):
    """Who wrote which readings, when and why: the audit row of every ingest (file, API, command).

    Readings themselves keep no per-row history (10⁸ of them); this row stands for them.
    """

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Upload")
        API = "api", _("Ingest endpoint")
        COMMAND = "command", _("Command")
        DEMO = "demo", _("Demo data")

    sensor = models.ForeignKey(Sensor, models.CASCADE, related_name="ingests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=16, choices=Source)
    reason = models.TextField(_("reason"), blank=True)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    format = models.CharField(_("format"), max_length=32, blank=True)
    received = models.PositiveIntegerField(_("readings received"), default=0)
    written = models.PositiveIntegerField(_("readings written"), default=0)
    first = models.DateTimeField(_("first reading"), null=True, blank=True)
    last = models.DateTimeField(_("last reading"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ingest")
        verbose_name_plural = _("ingests")

    def __str__(self) -> str:
        return f"{self.sensor_id} · {self.created_at:%Y-%m-%d %H:%M} · {self.written}"


class UploadJob(models.Model):
    """A logger file uploaded through the page, ingested on Huey."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Ingesting")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    sensor = models.ForeignKey(Sensor, models.CASCADE, related_name="uploads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(_("format"), max_length=32, default="auto")
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.QUEUED)
    message = models.TextField(_("message"), blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("logger file upload")
        verbose_name_plural = _("logger file uploads")

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("environment:upload_detail", args=[self.pk])

    @property
    def institution_id(self) -> int:
        return self.sensor.room.institution_id


__all__ = [
    "VALUE_FIELDS",
    "DailyRollup",
    "Excursion",
    "Ingest",
    "Notification",
    "Parameter",
    "Placement",
    "Reading",
    "Room",
    "RoomThreshold",
    "RoomType",
    "Sensor",
    "Threshold",
    "UploadJob",
]
