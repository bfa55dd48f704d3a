"""Daily roll-ups of readings, computed with pandas.

Each reading stands for the time until the next one (Δt), capped at an hour (a logger that stopped
does not speak for the gap) and at the end of its day (so a day's Δt sum never passes 24 h). PI and
days-to-mold come from :mod:`environment.metrics`, looked up once per distinct pair of temperature
and RH rounded to 0.1 (the IPI tables themselves are indexed by whole degrees and percent).
"""

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction

from environment.models import DailyRollup, Sensor
from environment.thresholds import Limit

MAX_GAP = 3600.0  # seconds
FRAME_COLUMNS = ["time", "temperature_c", "rh", "lux", "uv", "co2"]


def frame_from_rows(rows: list[tuple]) -> pd.DataFrame:
    """Rows ``(sensor_id, time, t, rh, lux, uv, co2)`` → a frame in the rows' order (UTC)."""
    epoch = np.fromiter((r[1].timestamp() for r in rows), dtype="float64", count=len(rows))
    data = {"time": pd.to_datetime(np.round(epoch * 1e6).astype("int64"), unit="us", utc=True)}
    for i, name in enumerate(FRAME_COLUMNS[1:], start=2):
        column = [r[i] for r in rows]
        if all(v is None for v in column):
            data[name] = np.full(len(rows), np.nan)
        else:
            data[name] = pd.Series(column, dtype="float64").to_numpy()
    return pd.DataFrame(data)


def frame_from_db(sensor_id: int, start: datetime, end: datetime) -> pd.DataFrame:
    """The sensor's stored readings with start ≤ time < end (one bounded query)."""
    from environment.models import Reading

    rows = Reading.objects.filter(sensor_id=sensor_id, time__gte=start, time__lt=end).order_by(
        "time"
    )
    values = list(rows.values_list("time", *FRAME_COLUMNS[1:]))
    frame = pd.DataFrame(values, columns=FRAME_COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame.astype({c: "float64" for c in FRAME_COLUMNS[1:]})


def _lookup(t: pd.Series, rh: pd.Series, fn) -> np.ndarray:
    """fn(t, rh) for every row, computed once per distinct (t, rh) rounded to 0.1."""
    ok = t.notna() & rh.notna()
    out = np.full(len(t), np.nan)
    if not ok.any():
        return out
    tk = (t[ok] * 10).round().astype("int64")
    rk = (rh[ok] * 10).round().astype("int64")
    keys = pd.DataFrame({"t": tk.to_numpy(), "r": rk.to_numpy()})
    unique = keys.drop_duplicates()
    unique["v"] = [float(fn(a / 10, b / 10)) for a, b in zip(unique["t"], unique["r"], strict=True)]
    out[ok.to_numpy()] = keys.merge(unique, on=["t", "r"], how="left")["v"].to_numpy()
    return out


def summarise(frame: pd.DataFrame, limits: dict[str, Limit]) -> pd.DataFrame:
    """One row per local day with the DailyRollup fields."""
    from environment import metrics

    if frame.empty:
        return pd.DataFrame()
    tz = settings.TIME_ZONE
    local = frame["time"].dt.tz_convert(tz)
    day = local.dt.normalize()
    day_end = day + pd.Timedelta(days=1)
    nxt = frame["time"].shift(-1)
    gap = (nxt - frame["time"]).dt.total_seconds()
    to_midnight = (day_end - local).dt.total_seconds()
    dt = np.fmin(gap.fillna(np.inf).to_numpy(), to_midnight.to_numpy())
    dt = np.minimum(dt, MAX_GAP)

    t, rh = frame["temperature_c"], frame["rh"]
    both = (t.notna() & rh.notna()).to_numpy()
    in_range = np.ones(len(frame), dtype=bool)
    measured = np.zeros(len(frame), dtype=bool)
    for column in ("temperature_c", "rh", "lux", "uv", "co2"):
        limit = limits.get(column)
        values = frame[column]
        present = values.notna().to_numpy()
        measured |= present
        if limit is None:
            continue
        lo = -np.inf if limit.minimum is None else limit.minimum
        hi = np.inf if limit.maximum is None else limit.maximum
        inside = ((values >= lo) & (values <= hi)).to_numpy()
        in_range &= inside | ~present
    pi = _lookup(t, rh, metrics.pi)
    mold_days = _lookup(t, rh, metrics.days_to_mold)
    with np.errstate(divide="ignore", invalid="ignore"):
        pi_rate = np.where(both & (pi > 0), dt / pi, 0.0)
        mold = np.where(both & (mold_days > 0), dt / 86400.0 / mold_days, 0.0)

    work = pd.DataFrame(
        {
            "day": day.dt.tz_localize(None),  # local midnight, naive: grouped as numbers
            "t": t,
            "rh": rh,
            "lux": frame["lux"],
            "uv": frame["uv"],
            "co2": frame["co2"],
            "seconds": np.where(both, dt, 0.0),
            "seconds_measured": np.where(measured, dt, 0.0),
            "seconds_in_range": np.where(in_range & measured, dt, 0.0),
            "pi_rate": pi_rate,
            "mold": mold,
        }
    )
    grouped = work.groupby("day", sort=True)
    out = grouped.agg(
        count=("t", "size"),
        t_min=("t", "min"),
        t_max=("t", "max"),
        t_mean=("t", "mean"),
        rh_min=("rh", "min"),
        rh_max=("rh", "max"),
        rh_mean=("rh", "mean"),
        lux_max=("lux", "max"),
        uv_max=("uv", "max"),
        co2_max=("co2", "max"),
        seconds=("seconds", "sum"),
        seconds_measured=("seconds_measured", "sum"),
        seconds_in_range=("seconds_in_range", "sum"),
        pi_rate=("pi_rate", "sum"),
        mold=("mold", "sum"),
    ).reset_index()
    out["day"] = out["day"].dt.date  # one date per day, not per reading
    return out


def _none(value):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


@transaction.atomic
def store(sensor: Sensor, days: pd.DataFrame) -> int:
    """Replace the sensor's roll-ups for the days in ``days``."""
    if days.empty:
        return 0
    DailyRollup.objects.filter(sensor=sensor, day__in=list(days["day"])).delete()
    fields = [f.name for f in DailyRollup._meta.concrete_fields if f.name not in ("id", "sensor")]
    objs = []
    for rec in days.to_dict("records"):
        values = {f: _none(rec.get(f)) for f in fields}
        objs.append(DailyRollup(sensor=sensor, **values))
    DailyRollup.objects.bulk_create(objs, batch_size=500)
    return len(objs)


def day_bounds(day) -> tuple[datetime, datetime]:
    """Aware start and end of a local day."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(settings.TIME_ZONE)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    return start, start + timedelta(days=1)


def recompute(sensor: Sensor, days: list, limits: dict[str, Limit]) -> int:
    """Roll-ups for ``days`` re-read from stored readings (bounded by the days asked for)."""
    written = 0
    for day in sorted(set(days)):
        start, end = day_bounds(day)
        written += store(sensor, summarise(frame_from_db(sensor.pk, start, end), limits))
    return written
