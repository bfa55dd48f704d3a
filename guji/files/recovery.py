"""Jobs die with their worker; files do not live for ever.

- ``reap_stale_jobs()`` marks failed every job that says it runs but whose worker has not sent a
  heartbeat for ``GUJI_JOB_STALE_MINUTES`` (the worker was killed, or the machine restarted),
  says so in the job's message (its page shows it), and removes its unfinished files. Huey runs it
  every minute (``guji.files.tasks.reap_stale_jobs_periodically``); the job can then be retried.
- ``purge_old_files()`` removes the stored files of jobs that finished more than
  ``GUJI_FILE_RETENTION_DAYS`` ago (uploaded spreadsheets, exports, archives): the job rows stay
  (the history of who imported or exported what), only the files go, and a job that is queued or
  running is never touched. Huey runs it daily; ``manage.py purge_files`` runs it by hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guji.files.jobs import Job, fail, result_path

logger = logging.getLogger(__name__)


def job_models() -> list[type[Job]]:
    """Every concrete job model of every installed app whose table exists."""
    tables = set(connection.introspection.table_names())
    return [
        m
        for m in apps.get_models()
        if issubclass(m, Job) and not m._meta.abstract and m._meta.db_table in tables
    ]


def _states(model: type[Job], *states: str) -> list[str]:
    """The statuses of ``model`` that map to the generic ``states``."""
    values = [c for c, _label in model._meta.get_field("status").choices]
    return [v for v in values if model.STATE_OF.get(v, v) in states]


def _file_names(job: Job) -> list[str]:
    """Every stored file of a job: its file fields and whatever lies under its jobs/ folder."""
    names = []
    for f in job._meta.get_fields():
        if isinstance(f, models.FileField):
            value = getattr(job, f.attname)
            if value:
                names.append(str(value))
    folder = result_path(job, "").rstrip("/")
    names.extend(_walk(folder))
    return sorted(set(names))


def _walk(folder: str) -> list[str]:
    try:
        dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    out = [f"{folder}/{name}" for name in files]
    for name in dirs:
        out.extend(_walk(f"{folder}/{name}"))
    return out


def remove_files(job: Job, *, keep_inputs: bool = False) -> list[str]:
    """Delete a job's stored files (``keep_inputs`` keeps uploads, so a retry can reuse them)."""
    inputs = set()
    if keep_inputs:
        for f in job._meta.get_fields():
            if isinstance(f, models.FileField) and f.name != "result" and getattr(job, f.attname):
                inputs.add(str(getattr(job, f.attname)))
    removed = []
    for name in _file_names(job):
        if name in inputs:
            continue
        default_storage.delete(name)
        removed.append(name)
    return removed


@dataclass
class Reaped:
    jobs: list[str] = field(default_factory=list)
    files: int = 0


def reap_stale_jobs(*, after: timedelta | None = None) -> Reaped:
    """Mark failed the running jobs whose worker has gone silent; remove their partial files."""
    after = after or timedelta(minutes=settings.GUJI_JOB_STALE_MINUTES)
    cutoff = timezone.now() - after
    out = Reaped()
    for model in job_models():
        running = _states(model, Job.State.RUNNING)
        silent = model.objects.filter(status__in=running).filter(
            models.Q(heartbeat_at__lt=cutoff)
            | models.Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        )
        for job in silent:
            with transaction.atomic():
                # Only if it is still silent: a late heartbeat wins.
                still = model.objects.select_for_update().filter(pk=job.pk, status__in=running)
                still = still.filter(
                    models.Q(heartbeat_at__lt=cutoff)
                    | models.Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
                ).first()
                if still is None:
                    continue
                minutes = int(after.total_seconds() // 60)
                fail(
                    still,
                    _(
                        "The worker running this job stopped (it was killed or the machine "
                        "restarted): nothing was heard from it for %(minutes)d minutes. Nothing "
                        "of the unfinished work was kept; retry the job."
                    )
                    % {"minutes": minutes},
                )
            out.files += len(remove_files(still, keep_inputs=True))
            out.jobs.append(f"{model._meta.label} {still.pk}")
            logger.warning("Marked %s %s failed: its worker went silent", model._meta.label, job.pk)
    return out


@dataclass
class Purged:
    jobs: int = 0
    files: list[str] = field(default_factory=list)


def purge_old_files(*, days: int | None = None, dry_run: bool = False) -> Purged:
    """Remove the files of jobs finished (done or failed) more than ``days`` ago."""
    days = settings.GUJI_FILE_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    out = Purged()
    for model in job_models():
        finished = _states(model, Job.State.DONE, Job.State.FAILED)
        old = model.objects.filter(status__in=finished).filter(
            models.Q(finished_at__lt=cutoff)
            | models.Q(finished_at__isnull=True, created_at__lt=cutoff)
        )
        for job in old.iterator():
            names = _file_names(job)
            if not names:
                continue
            out.jobs += 1
            out.files.extend(names)
            if dry_run:
                continue
            for name in names:
                default_storage.delete(name)
            cleared = {
                f.attname: ""
                for f in job._meta.get_fields()
                if isinstance(f, models.FileField) and getattr(job, f.attname)
            }
            if cleared:
                model.objects.filter(pk=job.pk).update(**cleared)
    return out
