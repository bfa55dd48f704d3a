from typing import Any

from django.core.management.base import BaseCommand, CommandError

from guji.models import Holding, User
from guji.rederive import rederive

DEFAULT_REASON = "解析规则更新后重新推导（rederive）"


class Command(BaseCommand):
    help = (
        "Re-derive the structure read from each holding's catalogue text (title and count, "
        "responsibility statements, edition dating and type, warnings) with the current "
        "parsers; report what changes and write it with history. --dry-run writes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report; change nothing.")
        parser.add_argument(
            "--user", help="Username the history records (required unless --dry-run)."
        )
        parser.add_argument("--reason", default=DEFAULT_REASON, help="Reason kept in history.")
        parser.add_argument("--institution", help="Only this institution (census code).")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        user = None
        if options["user"]:
            try:
                user = User.objects.get(username=options["user"])
            except User.DoesNotExist as exc:
                raise CommandError(f"No user {options['user']!r}.") from exc
        elif not dry_run:
            raise CommandError("Say who re-derives: --user USERNAME (history records it).")
        reason = (options["reason"] or "").strip()
        if not reason:
            raise CommandError("The reason must not be empty.")
        holdings = Holding.objects.all()
        if options["institution"]:
            holdings = holdings.filter(institution__code=options["institution"])

        def show(change) -> None:
            for line in change.lines():
                self.stdout.write(line)

        report = rederive(by=user, reason=reason, dry_run=dry_run, holdings=holdings, progress=show)
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.examined} holdings examined; {len(report.changed)} {verb}."
            )
        )
