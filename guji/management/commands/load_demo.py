from typing import Any

from django.core.management.base import BaseCommand

from guji.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo city: six institutions, one user per role and about 400 holdings "
        "(fixtures/demo/), then each app's part of it. Running it again adds only what is missing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_demo()
        existing = report.existing
        if report.nothing_new:
            self.stdout.write(
                f"Demo data already loaded: {existing['institutions']} institutions, "
                f"{existing['users']} users, {existing['holdings']} holdings."
            )
        else:
            created = report.created
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded demo data: {created['institutions']} institutions, "
                    f"{created['users']} users, {created['holdings']} holdings."
                )
            )
            for key, made in report.parts.items():
                if any(made.values()):
                    figures = ", ".join(f"{count} {name}" for name, count in made.items())
                    self.stdout.write(f"  {key}: {figures}.")
            if any(existing.values()):
                self.stdout.write(
                    f"Already present: {existing['institutions']} institutions, "
                    f"{existing['users']} users, {existing['holdings']} holdings."
                )
        self.stdout.write("\nDemo accounts:")
        width = max(len(username) for username, _, _ in report.accounts)
        for username, password, role in report.accounts:
            self.stdout.write(f"  {username:<{width}}  {password}  {role}")
