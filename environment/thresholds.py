"""The limits that apply to a room: its type's defaults, replaced parameter by parameter by the
room's own overrides."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from environment.models import Parameter, Room, RoomThreshold, Threshold
from guji.history import delete_audited, save_audited


@dataclass(frozen=True)
class Limit:
    parameter: str
    minimum: float | None
    maximum: float | None
    max_daily_change: float | None
    overridden: bool = False
    reason: str = ""

    @property
    def label(self) -> str:
        return str(Parameter(self.parameter).label)

    def breached_by(self, value: float | None) -> bool:
        if value is None:
            return False
        return (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        )


def limits_for(room: Room) -> dict[str, Limit]:
    """Parameter → Limit, in Parameter order."""
    out: dict[str, Limit] = {}
    for t in Threshold.objects.filter(room_type=room.type):
        out[t.parameter] = Limit(t.parameter, t.minimum, t.maximum, t.max_daily_change)
    for t in RoomThreshold.objects.filter(room=room):
        out[t.parameter] = Limit(
            t.parameter, t.minimum, t.maximum, t.max_daily_change, overridden=True, reason=t.reason
        )
    order = list(Parameter.values)
    return dict(sorted(out.items(), key=lambda kv: order.index(kv[0])))


@transaction.atomic
def override_limit(
    room: Room,
    parameter: str,
    *,
    minimum: float | None,
    maximum: float | None,
    max_daily_change: float | None,
    by,
    reason: str,
) -> RoomThreshold:
    """Give ``room`` its own limit for ``parameter``. The reason is required and kept."""
    if not reason.strip():
        raise ValueError("A room's own limit needs a reason.")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ValueError("The minimum is above the maximum.")
    row = RoomThreshold.objects.filter(room=room, parameter=parameter).first() or RoomThreshold(
        room=room, parameter=Parameter(parameter)
    )
    row.minimum, row.maximum, row.max_daily_change = minimum, maximum, max_daily_change
    row.reason = reason
    save_audited(row, by=by, reason=reason)
    return row


def clear_override(room: Room, parameter: str, *, by, reason: str) -> None:
    row = RoomThreshold.objects.filter(room=room, parameter=parameter).first()
    if row is not None:
        delete_audited(row, by=by, reason=reason)


# --- the shipped defaults ---------------------------------------------------------------------

DATA = Path(__file__).resolve().parent / "data" / "thresholds.csv"


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


def load_defaults(threshold_model) -> None:
    """Write the shipped defaults; ``threshold_model`` is the current or a migration's model."""
    with DATA.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            threshold_model.objects.update_or_create(
                room_type=row["room_type"],
                parameter=row["parameter"],
                defaults={
                    "minimum": _float(row["minimum"]),
                    "maximum": _float(row["maximum"]),
                    "max_daily_change": _float(row["max_daily_change"]),
                    "source": row["source"],
                    "note": row["note"],
                },
            )
