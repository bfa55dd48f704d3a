"""python manage.py backup OUT: the database, the media files and a manifest, in one archive."""

from django.core.management.base import BaseCommand, CommandError

from guji.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write one archive (tar, or tar.gz when OUT ends in .gz): database, media, manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "out", help="the archive to write, e.g. /backups/guji-2026-12-01.tar.gz"
        )

    def handle(self, *args, out, **options):
        try:
            manifest = backup(out)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["tables"].values())
        return (
            f"Backed up {manifest['engine']}: {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['files'])} files to {out}"
        )
