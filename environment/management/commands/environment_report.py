"""``manage.py environment_report --room CODE --start DATE --end DATE [--json]``.

The room's climate over the period from daily roll-ups: temperature and RH ranges and means,
time within limits, days over the allowed daily fluctuation, TWPI, mold risk and EMC with their
GOOD/OK/RISK ratings, and the excursions.
"""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from environment.models import Room
from environment.report import room_summary


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Summarise a room's climate over a period (from daily roll-ups)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--room", required=True, help="the room's code")
        parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="last day (included), YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        room = Room.objects.select_related("institution").filter(code=options["room"]).first()
        if room is None:
            raise CommandError(f"No room has the code {options['room']!r}.")
        start, end = _date(options["start"]), _date(options["end"])
        if start > end:
            raise CommandError("--start is after --end.")
        data = room_summary(room, start, end).as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        for key, value in data.items():
            self.stdout.write(f"{key}: {value}")
