"""Rooms, sensors and generated readings for the environment tests."""

from datetime import UTC, datetime, timedelta
from itertools import count

from environment.ingest import Batch, BatchReading
from environment.models import Room, RoomType, Sensor
from tests.factories import make_institution

_seq = count(1)


def make_room(institution=None, *, type=RoomType.SHANBEN, **fields) -> Room:
    n = next(_seq)
    values = {"code": f"room-{n}", "name": f"书库{n}", "type": type}
    values.update(fields)
    return Room.objects.create(institution=institution or make_institution(), **values)


def make_sensor(room=None, **fields) -> Sensor:
    n = next(_seq)
    values = {
        "code": f"logger-{n}",
        "vendor": "Onset",
        "model": "HOBO MX1101",
        "serial": f"2090{n:04d}",
        "measures": ["temperature_c", "rh"],
    }
    values.update(fields)
    return Sensor.objects.create(room=room or make_room(), **values)


def steady(start=datetime(2025, 3, 1, tzinfo=UTC), *, minutes=60, every=10, t=19.0, rh=52.0):
    """Readings every ``every`` minutes for ``minutes`` minutes at constant conditions."""
    return [
        BatchReading(time=start + timedelta(minutes=i), temperature_c=t, rh=rh, line=i + 2)
        for i in range(0, minutes, every)
    ]


def batch(readings) -> Batch:
    return Batch(readings=list(readings), format="test")
