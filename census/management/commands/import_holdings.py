import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from census.imports import import_spreadsheet
from guji.models import Institution, User


class Command(BaseCommand):
    help = (
        "Check a census spreadsheet (.xlsx, .xls, .csv) and import it for one institution. "
        "Exits 0 when imported (with --dry-run: when it would import), 1 when rejected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--institution", required=True, help="census institution code")
        parser.add_argument("--user", required=True, help="username of the importing cataloguer")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--update", action="store_true", help="update existing call numbers")
        parser.add_argument(
            "--clear-empty",
            action="store_true",
            help="when updating, an empty cell empties its field (else it is left as it is)",
        )
        parser.add_argument("--report", type=Path, help="write the report as JSON here")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            institution = Institution.objects.get(code=options["institution"])
        except Institution.DoesNotExist:
            raise CommandError(f"No institution with code {options['institution']!r}.") from None
        try:
            user = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {options['user']!r}.") from None

        with translation.override(options["language"]):
            try:
                report = import_spreadsheet(
                    path,
                    institution=institution,
                    by=user,
                    update_existing=options["update"],
                    clear_empty=options["clear_empty"],
                    dry_run=options["dry_run"],
                )
            except PermissionDenied:
                raise CommandError(f"{user.username} may not catalogue at {institution}.") from None
            data = report.as_dict()
            summary = report.summary()
        if options["report"]:
            options["report"].write_text(
                json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        for problem in data["problems"]:
            where = ", ".join(
                str(p) for p in (problem["row"], problem["column"]) if p not in (None, "")
            )
            value = f" [{problem['value']}]" if problem["value"] else ""
            self.stderr.write(f"{where or problem['file']}: {problem['message']}{value}")
        if report.rejected:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
