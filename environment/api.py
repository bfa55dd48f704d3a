"""The ingest endpoint: ``POST /environment/api/sensors/<code>/readings/``; and, at the end, the
read API's rooms and daily climate (``/api/v1/rooms/``, ``/api/v1/daily-climate/``, registered in
hooks.py).

Authorised by the sensor's own token (``Authorization: Bearer <token>``), not by a session; a
revoked or wrong token gets 401. The body is either JSON::

    {"readings": [{"time": "2025-03-01T08:00:00+08:00", "temperature_c": 19.2, "rh": 51.0}, …]}

(values: temperature_c, rh, lux, uv, co2; a time without offset is in the project's time zone),
or the documented generic CSV (``Content-Type: text/csv``), read by environment.loggers.
Batches are idempotent: a reading already stored for that instant is skipped. A batch with any
bad reading is refused whole (400, each problem with its index or line and why), so a logger
can resend it once fixed. At most RATE_LIMIT batches per sensor per minute (429 beyond).
"""

import json
from datetime import datetime

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from environment.ingest import Batch, BatchReading, ingest_file
from environment.models import Ingest, Sensor

RATE_LIMIT = 60  # batches per sensor per minute
MAX_READINGS = 50_000  # per batch
VALUE_RANGES = {
    "temperature_c": (-50.0, 80.0),
    "rh": (0.0, 100.0),
    "lux": (0.0, 200_000.0),
    "uv": (0.0, 10_000.0),
    "co2": (0.0, 100_000.0),  # ppm
}


def _error(status: int, message: str, problems: list | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "problems": problems or []}, status=status)


def _rate_limited(sensor: Sensor) -> bool:
    minute = int(datetime.now().timestamp() // 60)
    key = f"environment:ingest-rate:{sensor.pk}:{sensor.token_hash[:12]}:{minute}"
    cache.add(key, 0, timeout=90)
    try:
        return cache.incr(key) > RATE_LIMIT
    except ValueError:
        return False


def parse_json(body: bytes) -> tuple[list[BatchReading], list[dict]]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], [{"line": None, "column": None, "message": f"not JSON: {exc}"}]
    items = data.get("readings") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return [], [{"line": None, "column": None, "message": 'expected {"readings": [...]}'}]
    readings, problems = [], []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append({"line": i, "column": None, "message": "not an object"})
            continue
        try:
            when = datetime.fromisoformat(str(item.get("time", "")))
        except ValueError:
            problems.append(
                {
                    "line": i,
                    "column": "time",
                    "message": f"not an ISO 8601 time: {item.get('time')!r}",
                }
            )
            continue
        values = {}
        for name, (lo, hi) in VALUE_RANGES.items():
            raw = item.get(name)
            if raw is None or raw == "":
                continue
            try:
                value = float(raw)
            except (TypeError, ValueError):
                problems.append({"line": i, "column": name, "message": f"not a number: {raw!r}"})
                continue
            if not lo <= value <= hi:
                problems.append(
                    {"line": i, "column": name, "message": f"{value:g} is outside {lo:g}…{hi:g}"}
                )
                continue
            values[name] = value
        unknown = set(item) - {"time", *VALUE_RANGES}
        if unknown:
            problems.append(
                {"line": i, "column": None, "message": f"unknown field(s): {sorted(unknown)}"}
            )
        if not values:
            problems.append({"line": i, "column": None, "message": "no value"})
            continue
        readings.append(BatchReading(time=when, line=i, **values))
    return readings, problems


@csrf_exempt
@login_not_required
@require_POST
def ingest_readings(request: HttpRequest, code: str) -> JsonResponse:
    sensor = Sensor.objects.select_related("room").filter(code=code, active=True).first()
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else ""
    if sensor is None or not token or not sensor.token_matches(token):
        return _error(401, "unknown sensor or wrong, missing or revoked token")
    if _rate_limited(sensor):
        return _error(429, f"more than {RATE_LIMIT} batches a minute for this sensor")
    content_type = request.content_type or ""
    if content_type in ("text/csv", "application/csv", "text/plain"):
        from environment import loggers

        try:
            parsed = loggers.parse(request.body, f"{sensor.code}.csv", fmt="generic")
        except loggers.LoggerFileError as exc:
            problems = [
                {"line": p.line, "column": p.column, "message": str(p.message)}
                for p in exc.problems
            ]
            return _error(400, getattr(exc, "message", str(exc)), problems)
        problems = [
            {"line": p.line, "column": p.column, "message": str(p.message)} for p in parsed.problems
        ]
        readings = parsed.readings
    elif content_type == "application/json":
        readings, problems = parse_json(request.body)
    else:
        return _error(415, "send application/json or text/csv")
    if problems:
        return _error(400, "the batch was refused whole; nothing was written", problems[:200])
    if not readings:
        return _error(400, "the batch holds no readings")
    if len(readings) > MAX_READINGS:
        return _error(413, f"at most {MAX_READINGS} readings a batch")
    result = ingest_file(
        sensor,
        Batch(readings=list(readings), format="api"),
        user=None,
        reason=f"Ingest endpoint, token issued {sensor.token_issued_at:%Y-%m-%d %H:%M}",
        source=Ingest.Source.API,
    )
    return JsonResponse(result.as_dict(), status=200)


# --- the read API: rooms and their daily climate ------------------------------------------------

import django_filters  # noqa: E402 -- the read API's part of the module
from django.utils.translation import gettext_lazy as _  # noqa: E402
from rest_framework import serializers  # noqa: E402

from environment.models import DailyRollup, Room, RoomType  # noqa: E402
from environment.report import twpi  # noqa: E402
from guji.api.framework import IdFilter, ReadOnlyApi, institution_filter  # noqa: E402


class RoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "institution", "code", "name", "type", "location"]


class RoomFilter(django_filters.FilterSet):
    institution = institution_filter()
    type = django_filters.ChoiceFilter(choices=RoomType.choices)

    class Meta:
        model = Room
        fields = []


class RoomViewSet(ReadOnlyApi):
    """Storage rooms of the institutions the caller may see."""

    serializer_class = RoomSerializer
    filterset_class = RoomFilter

    def get_queryset(self):
        return Room.objects.visible_to(self.request.user)


class DailyClimateSerializer(serializers.ModelSerializer):
    room = serializers.IntegerField(source="sensor.room_id", read_only=True)
    sensor = serializers.CharField(source="sensor.code", read_only=True)
    twpi_years = serializers.SerializerMethodField(
        help_text=_("Time-weighted preservation index of the day, in years.")
    )

    class Meta:
        model = DailyRollup
        fields = [
            "id",
            "room",
            "sensor",
            "day",
            "count",
            "t_min",
            "t_max",
            "t_mean",
            "rh_min",
            "rh_max",
            "rh_mean",
            "lux_max",
            "uv_max",
            "co2_max",
            "seconds",
            "seconds_measured",
            "seconds_in_range",
            "twpi_years",
        ]

    def get_twpi_years(self, rollup) -> float | None:
        return twpi(rollup.seconds, rollup.pi_rate)


class DailyClimateFilter(django_filters.FilterSet):
    room = IdFilter(field_name="sensor__room_id")
    institution = institution_filter()
    institution.field_name = "sensor__room__institution"
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = DailyRollup
        fields = []


class DailyClimateViewSet(ReadOnlyApi):
    """Each sensor's daily roll-up (temperature, RH, light, TWPI) in the rooms the caller may
    see."""

    serializer_class = DailyClimateSerializer
    filterset_class = DailyClimateFilter

    def get_queryset(self):
        rooms = Room.objects.visible_to(self.request.user).values("pk")
        return DailyRollup.objects.filter(sensor__room__in=rooms).select_related("sensor")
