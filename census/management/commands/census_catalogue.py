from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from census.exports import Scope, export_catalogue
from census.models import Campaign, ExportJob
from guji.models import Institution


class Command(BaseCommand):
    help = (
        "Write the census registration catalogue (普查登记目录) of one institution, one census "
        "campaign, or the whole city (neither given) as .xlsx or PDF."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group()
        where.add_argument(
            "--institution", metavar="CODE", help="census institution code, e.g. 0101"
        )
        where.add_argument("--campaign", metavar="ID", type=int, help="census campaign id")
        parser.add_argument("--format", choices=ExportJob.Format.values, required=True)
        parser.add_argument("-o", "--output", metavar="FILE", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> str:
        scope = self._scope(options)
        out: Path = options["output"]
        if out.is_dir():
            raise CommandError(f"{out} is a directory; name the file to write.")
        verbose = options["verbosity"] > 1

        def progress(done: int, total: int) -> None:
            if verbose:
                self.stderr.write(f"{done}/{total}")

        result = export_catalogue(scope, options["format"], out, progress=progress)
        for missing in result.missing_glyphs:
            self.stderr.write(
                f"No glyph for {missing['char']} ({missing['codepoint']})"
                + (f" in {missing['census_number']}" if missing["census_number"] else "")
                + ": it prints as a box."
            )
        pages = f", {result.pages} pages" if result.pages else ""
        return f"Wrote {result.entries} entries{pages} to {out}."

    def _scope(self, options: dict) -> Scope:
        if code := options["institution"]:
            try:
                return Scope(
                    ExportJob.Scope.INSTITUTION, institution=Institution.objects.get(code=code)
                )
            except Institution.DoesNotExist:
                raise CommandError(f"No institution with the census code {code!r}.") from None
        if (campaign_id := options["campaign"]) is not None:
            try:
                return Scope(
                    ExportJob.Scope.CAMPAIGN, campaign=Campaign.objects.get(pk=campaign_id)
                )
            except Campaign.DoesNotExist:
                raise CommandError(f"No census campaign with id {campaign_id}.") from None
        return Scope(ExportJob.Scope.CITY)
