"""The measured side of the GB/T 30227 checklist: each room's share of the last year's time
within limits and its TWPI, from the environment's daily roll-ups. Offered to graded protection
(key-unit self-assessments) as the registry provider ``room_compliance``."""

from environment.models import Room
from environment.report import last_days, rooms_compliance


def room_compliance(institution) -> list[dict]:
    """[{"room", "compliance" (% of measured time in range), "twpi" (years), "days"}] for the
    institution's rooms with readings in the last 365 days, worst first (JSON-safe)."""
    rooms = list(Room.objects.filter(institution=institution))
    if not rooms:
        return []
    start, end = last_days(365)
    return [
        {
            "room": str(row["room"]),
            "compliance": row["in_range"],
            "twpi": row["twpi"],
            "days": row["days"],
        }
        for row in rooms_compliance(rooms, start, end)
        if row["days"]
    ]
