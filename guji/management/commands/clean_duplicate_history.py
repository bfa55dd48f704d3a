"""django-simple-history's clean_duplicate_history, refusing unless told that audit history is lost.

Guji's history is its audit trail (who changed what, when and why). Pruning it is irreversible:
this command runs only with --i-understand-history-is-lost (see README, "Audit history").
"""

from django.core.management.base import CommandError
from simple_history.management.commands import clean_duplicate_history

FLAG = "--i-understand-history-is-lost"


class Command(clean_duplicate_history.Command):
    help = f"{clean_duplicate_history.Command.help} Refuses without {FLAG}."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(FLAG, action="store_true", dest="history_loss_understood")

    def handle(self, *args, history_loss_understood=False, **options):
        if not history_loss_understood:
            raise CommandError(
                f"This deletes audit history for good. Back up first (manage.py backup), then "
                f"run again with {FLAG} if that is really what you want."
            )
        return super().handle(*args, **options)
