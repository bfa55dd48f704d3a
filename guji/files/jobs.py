"""Background jobs: one abstract model and its lifecycle, for every app's long work.

    class ReportJob(Job):                       # a concrete job adds what it is about
        region = models.CharField(max_length=6)

    job = ReportJob.objects.create(user=request.user, region="330100")
    transaction.on_commit(lambda: build_report(job.pk))    # a Huey task

    @db_task()
    def build_report(job_id):
        job = ReportJob.objects.get(pk=job_id)
        if not jobs.start(job):                 # another worker has it, or it is finished
            return
        try:
            for done, row in enumerate(rows, 1):
                jobs.progress(job, done, total)      # cheap: call it as often as you like
            jobs.finish(job, content=pdf_bytes, filename="report.pdf")
        except Exception as exc:
            jobs.fail(job, exc)

States are queued → running → done or failed. A subclass may refine them (an import is
"validating" or "importing" while it runs) by overriding ``status`` with its own choices and
mapping each to a generic state in ``STATE_OF``. Progress goes to Huey's key-value store, which
any process reads at once (``read_progress``), and to the row at most every
``ROW_EVERY_SECONDS`` together with the heartbeat, so a page can tell a job that is working from
one whose worker died (``is_stale``). The result file is stored through the storage API
(``FileField``), so it may live on disk or on S3-compatible storage.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import DatabaseError, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

ROW_EVERY_SECONDS = 5.0  # progress is written to the row at most this often
STALE_AFTER = timedelta(minutes=10)  # a running job without a heartbeat this long has died


def result_path(job: "Job", filename: str) -> str:
    """``jobs/<app>.<model>/<pk>/<filename>``; the pk exists because jobs are created first."""
    return f"jobs/{job._meta.label_lower}/{job.pk}/{filename}"


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    # A subclass whose status has more values maps each to a State here (identity by default).
    STATE_OF: dict[str, str] = {}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    status = models.CharField(_("status"), max_length=16, choices=State, default=State.QUEUED)
    done_units = models.PositiveIntegerField(default=0)  # progress, in units of total_units
    total_units = models.PositiveIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)  # the error when it failed
    result = models.FileField(_("result"), upload_to=result_path, max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def state(self) -> str:
        """The generic state (queued, running, done, failed) of whatever status the job has."""
        return self.STATE_OF.get(self.status, self.status)

    @property
    def is_running(self) -> bool:
        return self.state in (Job.State.QUEUED, Job.State.RUNNING)

    @property
    def progress(self) -> int:
        """Per cent done, as the row last recorded it (see read_progress for the live figure)."""
        if self.state == Job.State.DONE:
            return 100
        return min(100, int(100 * self.done_units / self.total_units)) if self.total_units else 0


# --- lifecycle --------------------------------------------------------------------------------


def _update(job: Job, **fields) -> int:
    for name, value in fields.items():
        setattr(job, name, value)
    return type(job).objects.filter(pk=job.pk).update(**fields)


def start(
    job: Job,
    *,
    status: str = Job.State.RUNNING,
    from_statuses: tuple[str, ...] = (Job.State.QUEUED, Job.State.FAILED),
) -> bool:
    """Claim the job for this worker: True if it was waiting (queued, or failed before) and is
    now running; False if another worker has it or it is finished (then leave it alone)."""
    now = timezone.now()
    claimed = (
        type(job)
        .objects.filter(pk=job.pk, status__in=from_statuses)
        .update(status=status, started_at=now, heartbeat_at=now, message="", finished_at=None)
    )
    if claimed:
        job.status, job.started_at, job.heartbeat_at, job.message = status, now, now, ""
        job.finished_at = None
        _last_row_write[_key(job)] = time.monotonic()
    return bool(claimed)


_last_row_write: dict[str, float] = {}


def _key(job: Job) -> str:
    return f"guji:job-progress:{job._meta.label_lower}:{job.pk}"


def progress(job: Job, done: int, total: int, *, phase: str = "") -> None:
    """Record how far the job is. Goes to the key-value store every time (any process sees it at
    once, even while the job's own transaction keeps its row changes invisible) and to the row,
    with the heartbeat, at most every ROW_EVERY_SECONDS."""
    from huey.contrib.djhuey import HUEY

    key = _key(job)
    HUEY.put(key, {"phase": phase, "done": done, "total": total})
    job.done_units, job.total_units = done, total
    now = time.monotonic()
    if now - _last_row_write.get(key, 0) >= ROW_EVERY_SECONDS:
        _last_row_write[key] = now
        _quietly(job, done_units=done, total_units=total, heartbeat_at=timezone.now())


def heartbeat(job: Job) -> None:
    """Say the worker is alive (long steps without progress to report call this)."""
    _quietly(job, heartbeat_at=timezone.now())


def _quietly(job: Job, **fields) -> None:
    try:
        _update(job, **fields)
    except DatabaseError:  # e.g. SQLite busy with another writer: the next update will do
        logger.warning("Could not record the progress of %s %s", job._meta.label, job.pk)


def live_progress(job: Job) -> dict | None:
    """{phase, done, total} as last reported while the job runs; None when there is none."""
    from huey.contrib.djhuey import HUEY

    return HUEY.get(_key(job), peek=True) if job.is_running else None


def read_progress(job: Job) -> dict:
    """{phase, done, total, percent}: live while the job runs, else as the row has it."""
    live = live_progress(job)
    if live:
        phase, done, total = live["phase"], live["done"], live["total"]
    else:
        phase, done, total = ("" if job.is_running else "done"), job.done_units, job.total_units
    percent = int(100 * done / total) if total else (0 if job.is_running else 100)
    return {"phase": phase, "done": done, "total": total, "percent": min(percent, 100)}


def finish(
    job: Job,
    *,
    content: bytes | File | None = None,
    filename: str = "",
    status: str = Job.State.DONE,
    **fields,
) -> None:
    """Mark the job done (or another finished status), storing ``content`` as its result file
    and setting any other ``fields`` of the row."""
    if content is not None:
        if isinstance(content, bytes):
            content = ContentFile(content)
        job.result.save(filename or "result", content, save=False)
        fields["result"] = job.result.name
    done = fields.pop("done_units", job.total_units or job.done_units)
    _update(job, status=status, done_units=done, finished_at=timezone.now(), **fields)
    _forget(job)


def fail(job: Job, error: BaseException | str, *, status: str = Job.State.FAILED) -> None:
    """Mark the job failed with a message saying why (the log keeps any traceback)."""
    message = str(error) or type(error).__name__
    _update(job, status=status, message=message, finished_at=timezone.now())
    _forget(job)


def forget_progress(job: Job) -> None:
    """Drop the live progress of a job that has finished (finish and fail do it themselves)."""
    _forget(job)


def _forget(job: Job) -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.get(_key(job))  # a read without peek removes the key
    _last_row_write.pop(_key(job), None)


def is_stale(job: Job, *, after: timedelta = STALE_AFTER) -> bool:
    """A job that says it runs but whose worker has not been heard of for ``after``."""
    if job.state != Job.State.RUNNING:
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    return last is not None and timezone.now() - last > after


def result_file(job: Job) -> str:
    """The stored name of the result, for ``downloads.file_response``; empty if none."""
    return job.result.name if job.result else ""
