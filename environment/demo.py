"""The demo city's rooms, loggers, a year of generated readings and the holdings in each room.

Rooms and loggers come from fixtures/demo/rooms.csv. Readings are generated (seeded, every half
hour over the last 365 days) from a profile per room: ``steady`` holds the band with a small
daily swing; ``seasonal`` follows the weather more; ``damp`` drifts above 60 %RH in the plum-rain
season (梅雨, June–July) — excursions; ``ac_failure`` loses its air conditioning for a few
afternoons — temperature excursions. All of it goes through environment.ingest.ingest_file, so
excursions, notifications and roll-ups are produced as for real uploads.
"""

import csv
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from environment.ingest import Batch, BatchReading, ingest_file
from environment.models import Ingest, Room, Sensor
from environment.placements import assign
from guji.models import Holding, Institution, User

ROOMS = Path(settings.BASE_DIR) / "fixtures" / "demo" / "rooms.csv"
REASON = "演示数据载入：书库与温湿度记录仪"
STEP = timedelta(minutes=30)
PER_DAY = 48
DAYS = 365


def _rows() -> list[dict]:
    with ROOMS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def generate(profile: str, start, n: int, seed: int) -> list[BatchReading]:
    """``n`` readings every half hour from ``start`` for a room of ``profile``."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    hours = i * STEP.total_seconds() / 3600
    local = [timezone.localtime(start + STEP * int(k)) for k in range(0, n, PER_DAY)]
    day_of_year = np.repeat([d.timetuple().tm_yday for d in local], PER_DAY)[:n]
    season = np.cos(2 * np.pi * (day_of_year - 200) / 365)  # +1 in mid-July, −1 in January
    daily = np.sin(2 * np.pi * (hours % 24 - 9) / 24)
    t = 19 + 0.6 * daily + 1.2 * season + rng.normal(0, 0.08, n)
    rh = 52 + 1.2 * daily + 3 * season + rng.normal(0, 0.3, n)
    if profile == "seasonal":  # a reading room: warmer, following the seasons (18–28 °C allowed)
        t += 3.0 + 1.0 * season + 0.4 * daily
        rh += 2 + 2 * season
    if profile == "damp":
        plum = (day_of_year >= 160) & (day_of_year <= 195)
        rh += np.where(plum, 9 + 2 * np.sin(np.pi * (day_of_year - 160) / 35), 0)
    if profile == "ac_failure":
        for day in (45, 190, 205, 330):
            window = (hours >= day * 24 + 12) & (hours < day * 24 + 18)
            t += np.where(window, 4.5 * np.sin(np.pi * (hours - day * 24 - 12) / 6), 0)
    times = [start + STEP * int(k) for k in i]
    return [
        BatchReading(time=w, temperature_c=round(float(a), 2), rh=round(float(b), 1))
        for w, a, b in zip(times, t, rh, strict=True)
    ]


@transaction.atomic
def load_demo_part() -> dict:
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    created = {"rooms": 0, "sensors": 0, "readings": 0, "excursions": 0, "placements": 0}
    institutions = {i.code: i for i in Institution.objects.all()}
    end = timezone.now().replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=DAYS)
    for n, row in enumerate(_rows()):
        institution = institutions.get(row["institution_code"])
        if institution is None:
            continue
        room = Room.objects.filter(code=row["code"]).first()
        if room is None:
            room = Room(
                institution=institution,
                code=row["code"],
                name=row["name"],
                type=row["type"],
                location=row["location"],
            )
            room.full_clean()
            room._history_user, room._change_reason = admin, REASON
            room.save()
            created["rooms"] += 1
        sensor = Sensor.objects.filter(code=row["sensor_code"]).first()
        if sensor is None:
            sensor = Sensor(
                room=room,
                code=row["sensor_code"],
                vendor=row["vendor"],
                model=row["model"],
                serial=row["serial"],
                measures=row["measures"].split(),
            )
            sensor._history_user, sensor._change_reason = admin, REASON
            sensor.save()
            created["sensors"] += 1
        if not Ingest.objects.filter(sensor=sensor, source=Ingest.Source.DEMO).exists():
            readings = generate(row["profile"], start, DAYS * PER_DAY, seed=n)
            result = ingest_file(
                sensor, Batch(readings), user=admin, reason=REASON, source=Ingest.Source.DEMO
            )
            created["readings"] += result.written
            created["excursions"] += len(result.new_excursions)
        created["placements"] += _place(room, admin)
    return created


def _place(room: Room, admin) -> int:
    """Graded 善本 go to the institution's 善本 room, the rest to its general stack."""
    if room.type not in ("shanben", "puben"):
        return 0
    holdings = Holding.objects.filter(institution=room.institution, placement__isnull=True)
    others = Room.objects.filter(institution=room.institution).exclude(pk=room.pk)
    has_shanben_room = room.type == "shanben" or others.filter(type="shanben").exists()
    if room.type == "shanben":
        holdings = holdings.filter(grade__regex=r"^[123]")
    elif has_shanben_room:
        holdings = holdings.exclude(grade__regex=r"^[123]")
    holdings = list(holdings)
    return assign(holdings, room, by=admin, reason=REASON)
