"""Per-room, per-period summaries read from daily roll-ups (never from raw readings).

TWPI over a period is Σ Δt / Σ (Δt/PI) of its days (storage.md B.2); the mold risk factor is the
sum of the days' Σ Δt/days-to-mold (B.3); EMC is taken at the period's mean temperature and RH
(B.4). Ratings follow the Dew Point Calculator bands (storage.md, storage_thresholds.csv).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from environment.models import DailyRollup, Excursion, Room
from environment.rollups import day_bounds
from environment.thresholds import limits_for

SECONDS_PER_YEAR = 365.25 * 86400
GOOD, OK, RISK = "GOOD", "OK", "RISK"


def rate_pi(value: float | None) -> str | None:
    """PI and TWPI: GOOD ≥ 75 years, OK 45–75, RISK < 45."""
    if value is None:
        return None
    return GOOD if value >= 75 else OK if value >= 45 else RISK


def rate_emc(value: float | None) -> str | None:
    """Mechanical damage: OK when 5 ≤ EMC ≤ 12.5, RISK outside."""
    if value is None:
        return None
    return OK if 5 <= value <= 12.5 else RISK


def rate_mold(value: float | None) -> str | None:
    """Any accumulated mold risk is RISK (the Dew Point Calculator's rule); none is GOOD."""
    if value is None:
        return None
    return GOOD if value == 0 else RISK


def twpi(seconds: float | None, pi_rate: float | None) -> float | None:
    """TWPI in years from Σ Δt (seconds) and Σ Δt/PI (seconds per year)."""
    if not seconds or not pi_rate:
        return None
    return seconds / pi_rate


@dataclass
class Summary:
    room: Room
    start: date
    end: date  # inclusive
    days: int = 0
    t_min: float | None = None
    t_max: float | None = None
    t_mean: float | None = None
    rh_min: float | None = None
    rh_max: float | None = None
    rh_mean: float | None = None
    seconds_measured: float = 0
    seconds_in_range: float = 0
    twpi: float | None = None
    mold: float | None = None
    emc: float | None = None
    t_fluctuation_days: int = 0
    rh_fluctuation_days: int = 0
    excursions: int = 0
    unacknowledged: int = 0
    limits: dict = field(default_factory=dict)

    @property
    def in_range_percent(self) -> float | None:
        if not self.seconds_measured:
            return None
        return 100 * self.seconds_in_range / self.seconds_measured

    @property
    def twpi_rating(self) -> str | None:
        return rate_pi(self.twpi)

    @property
    def mold_rating(self) -> str | None:
        return rate_mold(self.mold)

    @property
    def emc_rating(self) -> str | None:
        return rate_emc(self.emc)

    def as_dict(self) -> dict:
        def r(v, n=2):
            return None if v is None else round(v, n)

        return {
            "room": self.room.code,
            "room_name": self.room.name,
            "institution": self.room.institution.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days_with_readings": self.days,
            "temperature_c": {"min": r(self.t_min), "max": r(self.t_max), "mean": r(self.t_mean)},
            "rh": {"min": r(self.rh_min), "max": r(self.rh_max), "mean": r(self.rh_mean)},
            "time_in_range_percent": r(self.in_range_percent, 1),
            "days_over_temperature_fluctuation": self.t_fluctuation_days,
            "days_over_rh_fluctuation": self.rh_fluctuation_days,
            "twpi": {"value": r(self.twpi, 1), "rating": self.twpi_rating},
            "mold_risk": {"value": r(self.mold, 4), "rating": self.mold_rating},
            "emc": {"value": r(self.emc, 1), "rating": self.emc_rating},
            "excursions": self.excursions,
            "unacknowledged_excursions": self.unacknowledged,
            "method": "IPI metrics from environment.metrics; TWPI = ΣΔt/Σ(Δt/PI) of daily roll-ups",
        }


def _aggregate(rollups):
    return rollups.aggregate(
        days=Count("day", distinct=True),
        t_min=Min("t_min"),
        t_max=Max("t_max"),
        t_sum=Sum(F("t_mean") * F("count")),
        t_n=Sum("count", filter=Q(t_mean__isnull=False)),
        rh_min=Min("rh_min"),
        rh_max=Max("rh_max"),
        rh_sum=Sum(F("rh_mean") * F("count")),
        rh_n=Sum("count", filter=Q(rh_mean__isnull=False)),
        seconds=Sum("seconds"),
        seconds_measured=Sum("seconds_measured"),
        seconds_in_range=Sum("seconds_in_range"),
        pi_rate=Sum("pi_rate"),
        mold=Sum("mold"),
    )


def room_summary(room: Room, start: date, end: date) -> Summary:
    rollups = DailyRollup.objects.filter(sensor__room=room, day__gte=start, day__lte=end)
    a = _aggregate(rollups)
    s = Summary(room=room, start=start, end=end, limits=limits_for(room))
    s.days = a["days"] or 0
    s.t_min, s.t_max, s.rh_min, s.rh_max = a["t_min"], a["t_max"], a["rh_min"], a["rh_max"]
    s.t_mean = a["t_sum"] / a["t_n"] if a["t_n"] else None
    s.rh_mean = a["rh_sum"] / a["rh_n"] if a["rh_n"] else None
    s.seconds_measured = a["seconds_measured"] or 0
    s.seconds_in_range = a["seconds_in_range"] or 0
    s.twpi = twpi(a["seconds"], a["pi_rate"])
    s.mold = a["mold"] if s.days else None
    if s.t_mean is not None and s.rh_mean is not None:
        from environment import metrics

        s.emc = float(metrics.emc(s.t_mean, s.rh_mean))
    t_limit, rh_limit = s.limits.get("temperature_c"), s.limits.get("rh")
    if t_limit and t_limit.max_daily_change is not None:
        s.t_fluctuation_days = rollups.filter(
            t_max__gt=F("t_min") + t_limit.max_daily_change
        ).count()
    if rh_limit and rh_limit.max_daily_change is not None:
        s.rh_fluctuation_days = rollups.filter(
            rh_max__gt=F("rh_min") + rh_limit.max_daily_change
        ).count()
    first, _ = day_bounds(start)
    _, last = day_bounds(end)
    excursions = Excursion.objects.filter(room=room, start__lt=last, end__gte=first)
    counts = excursions.aggregate(n=Count("id"), open=Count("id", filter=Q(acknowledged_at=None)))
    s.excursions, s.unacknowledged = counts["n"], counts["open"]
    return s


def rooms_compliance(rooms, start: date, end: date) -> list[dict]:
    """Every room's time in range and TWPI over the period, worst first (one query)."""
    rows = (
        DailyRollup.objects.filter(sensor__room__in=rooms, day__gte=start, day__lte=end)
        .values("sensor__room")
        .annotate(
            seconds=Sum("seconds"),
            seconds_measured=Sum("seconds_measured"),
            seconds_in_range=Sum("seconds_in_range"),
            pi_rate=Sum("pi_rate"),
            mold=Sum("mold"),
            days=Count("day", distinct=True),
        )
    )
    by_room = {r["sensor__room"]: r for r in rows}
    first, _ = day_bounds(start)
    _, last = day_bounds(end)
    excursions = dict(
        Excursion.objects.filter(room__in=rooms, start__lt=last, end__gte=first)
        .values("room")
        .annotate(n=Count("id"))
        .values_list("room", "n")
    )
    out = []
    for room in rooms:
        r = by_room.get(room.pk, {})
        measured = r.get("seconds_measured") or 0
        value = twpi(r.get("seconds"), r.get("pi_rate"))
        out.append(
            {
                "room": room,
                "days": r.get("days", 0),
                "in_range": 100 * (r.get("seconds_in_range") or 0) / measured if measured else None,
                "twpi": value,
                "twpi_rating": rate_pi(value),
                "mold": r.get("mold"),
                "excursions": excursions.get(room.pk, 0),
            }
        )
    out.sort(
        key=lambda x: (
            x["in_range"] is None,
            x["in_range"] if x["in_range"] is not None else 0,
            x["twpi"] if x["twpi"] is not None else float("inf"),
        )
    )
    return out


def this_month() -> tuple[date, date]:
    today = timezone.localdate()
    start = today.replace(day=1)
    return start, today


def last_days(n: int) -> tuple[date, date]:
    today = timezone.localdate()
    return today - timedelta(days=n - 1), today
