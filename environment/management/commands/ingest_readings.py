"""``manage.py ingest_readings PATH [--sensor CODE] [--format auto|…] [--dry-run] [--json]``.

Without --dry-run the readings are written for the sensor (--sensor is required), exactly as an
upload through the page writes them (environment.ingest.ingest_file): overlapping files never
duplicate readings; unreadable lines are reported and skipped, the rest of the file is kept; a
file in no known format is refused whole (exit status 1). --json prints one JSON object.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from environment.models import Ingest, Sensor


class Command(BaseCommand):
    help = "Read a logger export file; with --sensor write its readings, with --dry-run report."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--sensor", help="code of the sensor the file belongs to")
        parser.add_argument("--format", default="auto", help="auto (default) or a format name")
        parser.add_argument("--dry-run", action="store_true", help="read and report, write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--reason", default="", help="why (kept with the ingest)")

    def handle(self, *args: Any, **options: Any) -> None:
        from environment import loggers

        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            parsed = loggers.parse(path.read_bytes(), path.name, fmt=options["format"])
        except loggers.LoggerFileError as exc:
            if options["json"]:
                self.stdout.write(json.dumps(_refusal(path, exc), ensure_ascii=False))
            raise CommandError(f"{path.name}: {getattr(exc, 'message', exc)}") from None
        out = dry_run_report(parsed) if options["dry_run"] else write(parsed, path, options)
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            for key, value in out.items():
                self.stdout.write(f"{key}: {value}")


def _problems(problems) -> list[dict]:
    return [{"line": p.line, "column": p.column, "message": str(p.message)} for p in problems]


def _refusal(path: Path, exc) -> dict:
    return {
        "file": path.name,
        "error": str(getattr(exc, "message", exc)),
        "problems": _problems(getattr(exc, "problems", [])),
    }


def dry_run_report(parsed) -> dict:
    """What the file holds (format, count, first/last, ranges, problems); nothing written."""
    with_t = [r for r in parsed.readings if r.temperature_c is not None]
    times = sorted(r.time for r in parsed.readings if r.time is not None)
    ts = [r.temperature_c for r in with_t]
    rhs = [r.rh for r in parsed.readings if r.rh is not None]
    return {
        "format": parsed.format,
        "readings": len(with_t),
        "first": times[0].isoformat() if times else None,
        "last": times[-1].isoformat() if times else None,
        "temperature_c": {"min": min(ts), "max": max(ts)} if ts else None,
        "rh": {"min": min(rhs), "max": max(rhs)} if rhs else None,
        "problems": _problems(parsed.problems),
    }


def write(parsed, path: Path, options: dict) -> dict:
    """The write path: the same service as uploads, recorded as a command ingest."""
    from environment.ingest import ingest_file

    code = options.get("sensor")
    if not code:
        raise CommandError("--sensor CODE is required unless --dry-run is given.")
    sensor = Sensor.objects.select_related("room").filter(code=code).first()
    if sensor is None:
        raise CommandError(f"No sensor has the code {code!r}.")
    result = ingest_file(
        sensor,
        parsed,
        user=None,
        reason=options.get("reason") or f"manage.py ingest_readings {path.name}",
        source=Ingest.Source.COMMAND,
        filename=path.name,
    )
    return {
        "file": path.name,
        "sensor": sensor.code,
        "format": parsed.format,
        **result.as_dict(),
        "problems": _problems(parsed.problems),
        "rest_of_file": "kept" if parsed.problems else None,
    }
