"""Writing readings: one function for uploads, the ingest endpoint, the command and the demo.

``ingest_file(sensor, logger_file, user=…, reason=…)`` takes what ``environment.loggers.parse``
returns (or any object with ``readings`` carrying ``time`` and the value attributes) and:

1. keeps the readings that carry a time and at least one value, sorted, one per instant (the
   file's first wins); times without a zone are read in the project's time zone;
2. creates the PostgreSQL month partitions they need;
3. writes them in bulk: straight COPY/executemany when the sensor has nothing stored between the
   first and last reading (the usual case), otherwise skipping instants already stored, so an
   overlapping upload never duplicates readings;
4. finds excursions in the new readings and notifies the institution's managers of new ones;
5. recomputes the daily roll-ups of the days touched.

All of it in one transaction: a failure writes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from environment import bulk, excursions, partitions, rollups
from environment.models import Ingest, Reading, Sensor
from environment.thresholds import limits_for

VALUES = ("temperature_c", "rh", "lux", "uv", "co2")


@dataclass
class IngestResult:
    received: int = 0
    written: int = 0
    first: datetime | None = None
    last: datetime | None = None
    new_excursions: list = field(default_factory=list)
    extended_excursions: int = 0
    days: int = 0
    notified: int = 0
    ingest_id: int | None = None

    @property
    def duplicates(self) -> int:
        return self.received - self.written

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "written": self.written,
            "duplicates": self.duplicates,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "new_excursions": len(self.new_excursions),
            "extended_excursions": self.extended_excursions,
            "days": self.days,
            "notified": self.notified,
        }


@dataclass
class BatchReading:
    """One reading of an ingest-endpoint batch (the same attributes as a parsed file's)."""

    time: datetime
    temperature_c: float | None = None
    rh: float | None = None
    lux: float | None = None
    uv: float | None = None
    co2: float | None = None
    line: int = 0


@dataclass
class Batch:
    readings: list[BatchReading]
    format: str = "json"
    problems: list = field(default_factory=list)


def rows_of(sensor_id: int, readings) -> list[tuple]:
    """(sensor_id, time, values…) per reading with a time and a value, sorted by time, one per
    instant (the first wins). Naive times are read in the project's time zone."""
    rows = []
    append = rows.append
    zone = timezone.get_default_timezone()
    for r in readings:
        when = r.time
        if when is None:
            continue
        t, rh = r.temperature_c, r.rh
        lux, uv, co2 = getattr(r, "lux", None), getattr(r, "uv", None), getattr(r, "co2", None)
        if t is None and rh is None and lux is None and uv is None and co2 is None:
            continue
        if when.tzinfo is None:
            when = timezone.make_aware(when, zone)
        append((sensor_id, when, t, rh, lux, uv, co2))
    if all(a[1] < b[1] for a, b in pairwise(rows)):
        return rows  # the usual case: a logger writes in order, once per instant
    seen: dict[datetime, tuple] = {}
    for row in rows:
        seen.setdefault(row[1].astimezone(UTC), row)
    return [seen[k] for k in sorted(seen)]


def ingest_file(
    sensor: Sensor,
    logger_file,
    *,
    user,
    reason: str,
    source: str = Ingest.Source.UPLOAD,
    filename: str = "",
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestResult:
    rows = rows_of(sensor.pk, logger_file.readings)
    result = IngestResult(received=len(rows))
    tell = progress or (lambda phase, done, total: None)
    with transaction.atomic():
        if rows:
            result.first, result.last = rows[0][1], rows[-1][1]
            partitions.ensure_partitions(partitions.months_between(result.first, result.last))
            overlap = Reading.objects.filter(
                sensor=sensor, time__gte=result.first, time__lte=result.last
            ).exists()
            tell("writing", 0, len(rows))
            result.written = bulk.write_readings(rows, skip_existing=overlap)
            tell("writing", len(rows), len(rows))
            limits = limits_for(sensor.room)
            frame = rollups.frame_from_rows(rows)
            tell("excursions", 0, 1)
            runs = excursions.find_runs(frame, limits)
            result.new_excursions, result.extended_excursions = excursions.record_runs(
                sensor, runs, by=user
            )
            tell("roll-ups", 0, 1)
            result.days = _roll_up(sensor, frame, limits, fresh=not overlap)
        ingest = Ingest.objects.create(
            sensor=sensor,
            user=user,
            source=source,
            reason=reason,
            filename=filename[:255],
            format=str(getattr(logger_file, "format", "") or "")[:32],
            received=result.received,
            written=result.written,
            first=result.first,
            last=result.last,
        )
        result.ingest_id = ingest.pk
        result.notified = excursions.notify(sensor, result.new_excursions)
    tell("done", 1, 1)
    return result


def _roll_up(sensor: Sensor, frame, limits, *, fresh: bool) -> int:
    """Roll up the days the rows touch. When nothing was stored in their span, the days strictly
    inside it hold only these rows: summarise them from memory. The first and last days (and
    every day after an overlapping upload) are re-read from the database, one day at a time."""
    # Local midnights as naive datetime64, so that the per-reading work stays in numpy.
    local_days = (
        frame["time"].dt.tz_convert(timezone.get_default_timezone_name()).dt.normalize()
    ).dt.tz_localize(None)
    stamps = np.unique(local_days.to_numpy())
    days = [pd.Timestamp(s).date() for s in stamps]
    edge = {days[0], days[-1]}
    inner = [d for d in days if d not in edge] if fresh else []
    if inner:
        part = frame[local_days.isin(stamps[1:-1]).to_numpy()]
        rollups.store(sensor, rollups.summarise(part.reset_index(drop=True), limits))
    rest = [d for d in days if d not in set(inner)]
    rollups.recompute(sensor, rest, limits)
    return len(days)
