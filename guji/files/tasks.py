"""Background work of the shared file plumbing, run by Huey (``manage.py run_huey``)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, task

from guji.files import images


@task()
def make_image_derivatives(original: str) -> dict[str, str]:
    """Make the missing derivatives of a stored image (see :func:`images.make_derivatives`)."""
    return images.make_derivatives(original)


@db_task()
def render_document_units(base: str) -> int:
    """Help lay out a document whose units another worker handed out (documents.render_units)."""
    from guji.files.documents import work_on_units

    return work_on_units(base)


@db_periodic_task(crontab(minute="*"))
def reap_stale_jobs_periodically() -> int:
    """Every minute: jobs whose worker died are marked failed (guji.files.recovery)."""
    from guji.files.recovery import reap_stale_jobs

    return len(reap_stale_jobs().jobs)


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_old_files_daily() -> int:
    """Every night: files of jobs finished GUJI_FILE_RETENTION_DAYS ago are removed."""
    from guji.files.recovery import purge_old_files

    return len(purge_old_files().files)
