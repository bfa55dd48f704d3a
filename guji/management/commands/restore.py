"""python manage.py restore ARCHIVE: load a backup into an empty database and media store."""

from django.core.management.base import BaseCommand, CommandError

from guji.backup import BackupError, Target, default_media_storage, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an EMPTY database and media store "
        "(this site's, or --database-url/--media-root), then verify row counts and file hashes."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--database-url", help="restore into this database instead")
        parser.add_argument("--media-root", help="restore the files into this folder instead")

    def handle(self, *args, archive, database_url=None, media_root=None, **options):
        storage = default_media_storage(media_root)
        try:
            target = (
                Target.from_url(database_url, storage)
                if database_url
                else Target.from_settings(storage=storage)
            )
            report = restore(archive, target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Restored, but {len(report.problems)} checks against the manifest failed."
            )
        return (
            f"Restored and verified {report.tables} tables, {report.rows} rows and "
            f"{report.files} files from {archive}"
        )
