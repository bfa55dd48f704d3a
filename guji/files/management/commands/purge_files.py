"""manage.py purge_files [--days N] [--dry-run]: remove the files of long-finished jobs."""

from django.conf import settings
from django.core.management.base import BaseCommand

from guji.files.recovery import purge_old_files, reap_stale_jobs


class Command(BaseCommand):
    help = (
        "Remove the stored files (uploads, exports, archives) of jobs that finished more than "
        "--days ago (default GUJI_FILE_RETENTION_DAYS); queued and running jobs are never touched, "
        "and the job rows stay. Also marks failed the jobs whose worker went silent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.GUJI_FILE_RETENTION_DAYS)
        parser.add_argument("--dry-run", action="store_true", help="list, remove nothing")

    def handle(self, *args, days, dry_run, **options):
        reaped = reap_stale_jobs() if not dry_run else None
        purged = purge_old_files(days=days, dry_run=dry_run)
        for name in purged.files:
            self.stdout.write(("would remove " if dry_run else "removed ") + name)
        verb = "Would remove" if dry_run else "Removed"
        dead = f"; marked {len(reaped.jobs)} silent jobs failed" if reaped else ""
        return (
            f"{verb} {len(purged.files)} files of {purged.jobs} jobs older than {days} days{dead}"
        )
