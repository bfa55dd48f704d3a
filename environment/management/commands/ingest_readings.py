"""``manage.py ingest_readings PATH [--sensor CODE] [--format auto|…] [--dry-run] [--json]``.

With --dry-run the file is only read (no sensor needed) and --json prints one object: format,
readings (lines carrying a temperature), first and last (ISO 8601, in the file's zone where it
names one), temperature_c {min, max}, rh {min, max} or null, problems [{line, column, message}].
Without --dry-run the readings are written for the sensor (--sensor is required) through
environment.ingest.ingest_file, as an upload writes them. A bad line is reported and skipped, the
rest of the file is kept; a file refused whole exits with status 1 (with --json the reason is
printed as {"file", "error", "problems"}); exit status 2 when storing is not available.
"""

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from environment.loggers import FORMATS, LoggerFile, LoggerFileError, Problem, parse


def problems_as_dicts(problems: list[Problem]) -> list[dict]:
    return [{"line": p.line, "column": p.column, "message": str(p.message)} for p in problems]


def dry_run_report(logger_file: LoggerFile) -> dict:
    """What the file holds; nothing written. Times are in the file's zone where it is known."""
    temps = [r.temperature_c for r in logger_file.readings if r.temperature_c is not None]
    rhs = [r.rh for r in logger_file.readings if r.rh is not None]
    times = [r.time for r in logger_file.readings]  # parse() returns them in time order
    return {
        "format": logger_file.format,
        "readings": len(temps),
        "first": times[0].isoformat() if times else None,
        "last": times[-1].isoformat() if times else None,
        "temperature_c": {"min": min(temps), "max": max(temps)} if temps else None,
        "rh": {"min": min(rhs), "max": max(rhs)} if rhs else None,
        "problems": problems_as_dicts(logger_file.problems),
    }


class Command(BaseCommand):
    help = (
        "Read a logger export file; with --sensor store its readings, with --dry-run only report "
        "(no sensor needed). Exit status 1 when the file is refused, 2 when storing is not "
        "available."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--sensor", help="code of the sensor the file belongs to")
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS])
        parser.add_argument("--dry-run", action="store_true", help="read and report, write nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--user", help="username the history records (default: none)")
        parser.add_argument("--reason", default="", help="why (kept with the ingest)")
        parser.add_argument("--language", help="language of the messages (default: active)")

    def handle(self, *args: Any, **options: Any) -> None:
        language = options["language"] or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            self._handle(options)

    def _handle(self, options: dict) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            logger_file = parse(path.read_bytes(), path.name, fmt=options["format"])
        except LoggerFileError as exc:
            if options["json"]:
                refusal = {
                    "file": path.name,
                    "error": exc.message,
                    "problems": problems_as_dicts(exc.problems),
                }
                self.stdout.write(json.dumps(refusal, ensure_ascii=False))
            raise CommandError(exc.message, returncode=1) from None
        if options["dry_run"]:
            out = dry_run_report(logger_file)
        else:
            out = self._write(logger_file, path, options)
        if options["json"]:
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        for key, value in out.items():
            if key != "problems":
                self.stdout.write(f"{key}: {value}")
        for p in logger_file.problems:
            where = ", ".join(str(x) for x in (p.line and f"line {p.line}", p.column) if x)
            self.stderr.write(f"{path.name}: {where}: {p.message}" if where else p.message)

    def _write(self, logger_file: LoggerFile, path: Path, options: dict) -> dict:
        """The same service as uploads, recorded as a command ingest."""
        try:
            from environment.ingest import ingest_file
            from environment.models import Ingest, Sensor
        except ImportError:
            self.stderr.write(
                "Storing readings is not available yet; use --dry-run to check a file."
            )
            raise SystemExit(2) from None
        code = options["sensor"]
        if not code:
            raise CommandError("--sensor CODE is required unless --dry-run is given.")
        sensor = Sensor.objects.select_related("room").filter(code=code).first()
        if sensor is None:
            raise CommandError(f"No sensor has the code {code!r}.")
        user = None
        if options["user"]:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['user']!r}.")
        result = ingest_file(
            sensor,
            logger_file,
            user=user,
            reason=options["reason"] or f"manage.py ingest_readings {path.name}",
            source=Ingest.Source.COMMAND,
            filename=path.name,
        )
        return {
            "file": path.name,
            "sensor": sensor.code,
            "format": logger_file.format,
            **result.as_dict(),
            "problems": problems_as_dicts(logger_file.problems),
            "rest_of_file": "kept" if logger_file.problems else None,
        }
