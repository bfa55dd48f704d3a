import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from environment.loggers import FORMATS, LoggerFile, LoggerFileError, parse


def summary(logger_file: LoggerFile) -> dict:
    """The one JSON object ``--dry-run --json`` prints (times in the file's zone where known)."""
    with_t = [r for r in logger_file.readings if r.temperature_c is not None]
    temps = [r.temperature_c for r in with_t]
    rhs = [r.rh for r in logger_file.readings if r.rh is not None]
    times = [r.time for r in logger_file.readings]
    return {
        "format": logger_file.format,
        "readings": len(with_t),
        "first": times[0].isoformat() if times else None,
        "last": times[-1].isoformat() if times else None,
        "temperature_c": {"min": min(temps), "max": max(temps)} if temps else None,
        "rh": {"min": min(rhs), "max": max(rhs)} if rhs else None,
        "problems": [p.as_dict() for p in logger_file.problems],
    }


class Command(BaseCommand):
    help = (
        "Read a logger export file and store its readings for one sensor. With --dry-run only "
        "check the file (no sensor needed). Exits 0 when read, 1 when the file is refused, "
        "2 when storing is not possible."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--sensor", help="code of the sensor the readings belong to")
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS])
        parser.add_argument("--dry-run", action="store_true", help="read and check, store nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--user", help="username recorded in the history (writing path)")
        parser.add_argument("--reason", default="", help="reason recorded in the history")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="of the messages")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options: dict) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            logger_file = parse(path.read_bytes(), path.name, fmt=options["format"])
        except LoggerFileError as exc:
            if options["json"]:
                problems = [p.as_dict() for p in exc.problems]
                self.stdout.write(
                    json.dumps({"error": exc.message, "problems": problems}, ensure_ascii=False)
                )
                raise SystemExit(1) from None
            raise CommandError(exc.message, returncode=1) from None
        if options["dry_run"]:
            data = summary(logger_file)
            if options["json"]:
                self.stdout.write(json.dumps(data, ensure_ascii=False))
                return
            self._print_summary(path, logger_file, data)
            return
        self._write(logger_file, options)

    def _print_summary(self, path: Path, logger_file: LoggerFile, data: dict) -> None:
        self.stdout.write(
            f"{path.name}: {logger_file.format_label}, {data['readings']} readings with a "
            f"temperature, {data['first']} … {data['last']}"
        )
        for p in logger_file.problems:
            where = ", ".join(
                part for part in (f"line {p.line}" if p.line else "", p.column or "") if part
            )
            self.stderr.write(f"{path.name}: {where}: {p.message}" if where else p.message)

    def _write(self, logger_file: LoggerFile, options: dict) -> None:
        try:
            from environment.ingest import ingest_file
        except ImportError:
            ingest_file = None
        if ingest_file is None:
            self.stderr.write(
                "Storing readings is not available yet; use --dry-run to check a file."
            )
            raise SystemExit(2)
        if not options["sensor"]:
            raise CommandError("--sensor is required unless --dry-run is given.")
        from django.contrib.auth import get_user_model

        from environment.models import Sensor

        try:
            sensor = Sensor.objects.get(code=options["sensor"])
        except Sensor.DoesNotExist:
            raise CommandError(f"No sensor with code {options['sensor']!r}.") from None
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"], is_active=True)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No active user {options['user']!r}.") from None
        result = ingest_file(sensor, logger_file, user=user, reason=options["reason"])
        if options["json"]:
            self.stdout.write(
                json.dumps(summary(logger_file) | {"stored": _jsonable(result)}, ensure_ascii=False)
            )
        else:
            self.stdout.write(f"Stored: {result}")


def _jsonable(value):
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)
