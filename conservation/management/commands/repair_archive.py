"""python manage.py repair_archive PLAN_ID -o FILE.pdf"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from conservation.archive import build_archive
from conservation.models import RepairPlan


class Command(BaseCommand):
    help = "Write the repair archive (修复档案) of a repair plan as a PDF."

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int)
        parser.add_argument("-o", "--output", required=True, help="the PDF file to write")

    def handle(self, *args, plan_id: int, output: str, **options):
        plan = RepairPlan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise CommandError(f"There is no repair plan {plan_id}.")
        out = Path(output)

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"part {done}/{total}")

        result = build_archive(plan, out, progress=progress)
        for g in result.missing_glyphs:
            self.stderr.write(f"No glyph for {g['char']} ({g['codepoint']}) in {g['where']}")
        self.stdout.write(f"{out}: {result.pages} pages, {result.pairs} before/after pairs")
