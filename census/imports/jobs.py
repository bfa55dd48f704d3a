"""The import job's lifecycle: upload, dry run, the user's go-ahead, the import, its progress.

The pages call :func:`start_import`, :func:`request_run`, :func:`retry` and :func:`progress_of`;
the Huey tasks in ``census/tasks.py`` call :func:`run_job`. The dry run acts for the uploader; the
import for the user who asked for it (``run_by``), checked against the dry run's versions.

An ImportJob is a ``guji.files.jobs`` job whose statuses say more (validating, rejected, ready to
import, importing); each change of status is saved with history (who, and why), progress goes
through ``guji.files.jobs.progress``.
"""

import hashlib
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from census.imports import import_spreadsheet
from census.imports.reading import local_path
from census.models import ImportJob
from guji.files import jobs
from guji.files.recovery import remove_files
from guji.history import save_audited
from guji.models import Institution, User
from guji.permissions import can, require

logger = logging.getLogger(__name__)
REPORT_LIMIT = 1000  # rows, problems and warnings kept on the job for its page
UPLOADS = "imports"


def store_upload(upload: UploadedFile) -> tuple[str, str]:
    """Keep the upload in storage as ``imports/<sha256>``; the same content is stored once."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    name = f"{UPLOADS}/{sha256}"
    if not default_storage.exists(name):
        upload.seek(0)
        saved = default_storage.save(name, upload)
        if saved != name:  # the same bytes arrived twice at once: keep one copy
            default_storage.delete(saved)
    return name, sha256


def start_import(
    upload: UploadedFile,
    *,
    institution: Institution,
    by: User,
    update_existing: bool,
    clear_empty: bool = False,
    language: str | None = None,
) -> ImportJob:
    """Store the upload and queue its dry run (the report of what would change)."""
    require(by, "catalogue", institution)
    name, sha256 = store_upload(upload)
    job = ImportJob(
        institution=institution,
        user=by,
        filename=os.path.basename(upload.name or "")[:255],
        stored_path=name,
        sha256=sha256,
        update_existing=update_existing,
        clear_empty=clear_empty,
        report={"language": language or translation.get_language() or settings.LANGUAGE_CODE},
    )
    save_audited(job, by=by, reason=_("Uploaded for checking"))
    from census import tasks

    transaction.on_commit(lambda: tasks.check_import(job.pk))
    return job


def may_run(job: ImportJob, user: User) -> bool:
    """A checked file with something to write, and a user who may catalogue there."""
    counts = job.report.get("counts", {})
    return (
        job.status == ImportJob.Status.VALIDATED
        and bool(counts.get("create") or counts.get("update"))
        and can(user, "catalogue", job.institution)
    )


def request_run(job: ImportJob, *, by: User) -> bool:
    """Queue the import of a checked file; False when it is not waiting to be imported."""
    require(by, "catalogue", job.institution)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        counts = job.report.get("counts", {})
        if job.status != ImportJob.Status.VALIDATED or not (
            counts.get("create") or counts.get("update")
        ):
            return False
        job.status = ImportJob.Status.QUEUED
        job.processed_rows = 0
        job.run_by = by  # the history user of what the import writes
        save_audited(job, by=by, reason=_("Import requested"))
        from census import tasks

        transaction.on_commit(lambda: tasks.run_import(job.pk))
    return True


def may_retry(job: ImportJob, user: User) -> bool:
    """A job that failed (its worker stopped, or an error) and a user who may catalogue there."""
    return job.status == ImportJob.Status.FAILED and can(user, "catalogue", job.institution)


def retry(job: ImportJob, *, by: User) -> bool:
    """Check the failed job's file again, as a new attempt: the files of the failed attempt are
    removed, the upload is kept, and the import waits for the user's go-ahead once more (the
    register may have changed since). False when the job has not failed or its file is gone."""
    require(by, "catalogue", job.institution)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportJob.Status.FAILED or not default_storage.exists(job.stored_path):
            return False
        remove_files(job, keep_inputs=True)
        language = job.report.get("language") or settings.LANGUAGE_CODE
        job.status = ImportJob.Status.QUEUED
        job.report = {"language": language}
        job.message = ""
        job.run_by = None
        job.total_rows = job.processed_rows = job.done_units = job.total_units = 0
        job.created = job.updated = job.unchanged = 0
        job.started_at = job.heartbeat_at = job.finished_at = None
        save_audited(job, by=by, reason=_("Retried after a failure"))
        from census import tasks

        transaction.on_commit(lambda: tasks.check_import(job.pk))
    return True


def progress_of(job: ImportJob) -> dict:
    """{phase, done, total, percent} for the job's page: live while it runs."""
    live = jobs.live_progress(job)
    done, total, phase = job.processed_rows, job.total_rows, "done"
    if live:
        phase, done, total = live["phase"], live["done"], live["total"]
    percent = int(100 * done / total) if total else (0 if job.is_running else 100)
    return {"phase": phase, "done": done, "total": total, "percent": min(percent, 100)}


def run_job(job_id: int, *, dry_run: bool) -> None:
    """Check (``dry_run``) or import the job's file, recording the outcome on the job."""
    job = ImportJob.objects.select_related("institution", "user", "run_by").get(pk=job_id)
    language = job.report.get("language") or settings.LANGUAGE_CODE
    # The dry run acts for the uploader; the import for whoever asked for it to run.
    by = job.user if dry_run else (job.run_by or job.user)
    expected = None if dry_run else job.report.get("versions", {})
    with translation.override(language):
        job.status = ImportJob.Status.VALIDATING if dry_run else ImportJob.Status.IMPORTING
        job.started_at = job.heartbeat_at = timezone.now()
        save_audited(job, by=by, reason=str(job.get_status_display()))
        jobs.progress(job, 0, job.total_rows, phase="checking")
        try:
            with local_path(job.stored_path, suffix=Path(job.filename).suffix) as path:
                report = import_spreadsheet(
                    path,
                    filename=job.filename,
                    institution=job.institution,
                    by=by,
                    update_existing=job.update_existing,
                    clear_empty=job.clear_empty,
                    dry_run=dry_run,
                    expected_versions=expected,
                    uploaded_by=job.user,
                    progress=lambda phase, done, total: jobs.progress(
                        job, done, total, phase=phase
                    ),
                )
        except PermissionDenied:
            job.status = ImportJob.Status.REJECTED
            job.message = _("%(user)s may no longer catalogue at %(institution)s.") % {
                "user": by,
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
        save_audited(job, by=by, reason=job.message[:500])
        jobs.forget_progress(job)
