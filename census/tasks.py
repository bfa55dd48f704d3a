"""Background work of the spreadsheet import, on Huey (``manage.py run_huey``).

Both tasks call :func:`census.imports.import_spreadsheet`, the function the command calls too.
Progress goes to Huey's key-value store, not to the ImportJob row: during the write the
import's transaction holds SQLite's write lock, so a progress UPDATE from the same worker would
stay invisible until the end and one from elsewhere would wait for the lock.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import HUEY, db_task

from census.imports import import_spreadsheet
from census.models import ImportJob
from guji.history import save_audited

logger = logging.getLogger(__name__)
REPORT_LIMIT = 1000  # rows, problems and warnings kept on the job for its page


def _key(job_id: int) -> str:
    return f"guji:import-progress:{job_id}"


def set_progress(job_id: int, phase: str, done: int, total: int) -> None:
    HUEY.put(_key(job_id), {"phase": phase, "done": done, "total": total})


def read_progress(job_id: int) -> dict | None:
    return HUEY.get(_key(job_id), peek=True)


def upload_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / sha256


@db_task()
def check_import(job_id: int) -> None:
    """The dry run: the report of what would be created or updated and every problem."""
    _run(job_id, dry_run=True)


@db_task()
def run_import(job_id: int) -> None:
    _run(job_id, dry_run=False)


def _run(job_id: int, *, dry_run: bool) -> None:
    job = ImportJob.objects.select_related("institution", "user").get(pk=job_id)
    language = job.report.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        job.status = ImportJob.Status.VALIDATING if dry_run else ImportJob.Status.IMPORTING
        save_audited(job, by=job.user, reason=str(job.get_status_display()))
        set_progress(job.pk, "checking", 0, job.total_rows)
        try:
            report = import_spreadsheet(
                upload_path(job.sha256),
                filename=job.filename,
                institution=job.institution,
                by=job.user,
                update_existing=job.update_existing,
                dry_run=dry_run,
                progress=lambda phase, done, total: set_progress(job.pk, phase, done, total),
            )
        except PermissionDenied:
            job.status = ImportJob.Status.REJECTED
            job.message = _("%(user)s may no longer catalogue at %(institution)s.") % {
                "user": job.user,
                "institution": job.institution,
            }
        except Exception as exc:  # the job must say it failed; the log keeps the traceback
            logger.exception("import job %s failed", job.pk)
            job.status = ImportJob.Status.FAILED
            job.message = _("The import stopped with an error and wrote nothing: %(error)s") % {
                "error": exc
            }
        else:
            job.report = {**report.as_dict(limit=REPORT_LIMIT), "language": language}
            job.message = report.summary()
            job.total_rows = job.processed_rows = report.total_rows
            counts = report.counts
            job.created, job.updated = counts.get("create", 0), counts.get("update", 0)
            job.unchanged = counts.get("unchanged", 0)
            if report.rejected:
                job.status = ImportJob.Status.REJECTED
            elif dry_run:
                job.status = ImportJob.Status.VALIDATED
            else:
                job.status = ImportJob.Status.DONE
        job.finished_at = timezone.now()
        save_audited(job, by=job.user, reason=job.message[:500])


# --- the registration catalogue (census/exports.py) -------------------------------------------


@db_task()
def build_catalogue(job_id: int) -> None:
    """Make a big catalogue; the other workers help lay out its PDF (documents.render_units)."""
    from census.exports import run_export_job  # exports imports WeasyPrint: load it on use

    workers = settings.HUEY.get("consumer", {}).get("workers", 1)
    run_export_job(job_id, helpers=max(workers - 1, 0))
