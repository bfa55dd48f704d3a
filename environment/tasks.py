"""Background ingestion of uploaded logger files (Huey), with progress in Huey's store."""

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import HUEY, db_task

from environment.models import Ingest, UploadJob
from guji.history import save_audited

logger = logging.getLogger(__name__)


def _key(job_id: int) -> str:
    return f"guji:environment-upload:{job_id}"


def set_progress(job_id: int, phase: str, done: int, total: int) -> None:
    HUEY.put(_key(job_id), {"phase": phase, "done": done, "total": total})


def read_progress(job_id: int) -> dict | None:
    return HUEY.get(_key(job_id), peek=True)


def upload_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "logger-files" / sha256


def store_upload(upload) -> str:
    """Keep the file under MEDIA_ROOT/logger-files/<sha256>; the same content is stored once."""
    folder = upload_path("x").parent
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    os.replace(out.name, upload_path(digest.hexdigest()))
    return digest.hexdigest()


def problems_as_dicts(problems, limit: int = 200) -> list[dict]:
    return [
        {"line": p.line, "column": p.column, "message": str(p.message)} for p in problems[:limit]
    ]


@db_task()
def ingest_upload(job_id: int) -> None:
    run_upload(job_id)


def run_upload(job_id: int) -> None:
    from environment import loggers
    from environment.ingest import ingest_file

    job = UploadJob.objects.select_related("sensor__room", "user").get(pk=job_id)
    with translation.override(job.result.get("language") or settings.LANGUAGE_CODE):
        job.status = UploadJob.Status.RUNNING
        save_audited(job, by=job.user, reason=str(job.get_status_display()))
        set_progress(job.pk, "reading", 0, 1)
        try:
            data = upload_path(job.sha256).read_bytes()
            parsed = loggers.parse(data, job.filename, fmt=job.format)
        except loggers.LoggerFileError as exc:
            job.status = UploadJob.Status.REJECTED
            job.message = _("%(file)s was refused and nothing was written: %(why)s") % {
                "file": job.filename,
                "why": getattr(exc, "message", str(exc)),
            }
            job.result = {**job.result, "problems": problems_as_dicts(exc.problems)}
        except Exception as exc:
            logger.exception("logger upload %s failed", job.pk)
            job.status = UploadJob.Status.FAILED
            job.message = _("The upload stopped with an error and wrote nothing: %(error)s") % {
                "error": exc
            }
        else:
            try:
                result = ingest_file(
                    job.sensor,
                    parsed,
                    user=job.user,
                    reason=job.result.get("reason") or _("Logger export uploaded"),
                    source=Ingest.Source.UPLOAD,
                    filename=job.filename,
                    progress=lambda phase, done, total: set_progress(job.pk, phase, done, total),
                )
            except Exception as exc:
                logger.exception("logger upload %s failed", job.pk)
                job.status = UploadJob.Status.FAILED
                job.message = _("The upload stopped with an error and wrote nothing: %(error)s") % {
                    "error": exc
                }
            else:
                job.status = UploadJob.Status.DONE
                job.result = {
                    **job.result,
                    **result.as_dict(),
                    "format": getattr(parsed, "format", ""),
                    "format_label": str(getattr(parsed, "format_label", "")),
                    "problems": problems_as_dicts(parsed.problems),
                    "problem_count": len(parsed.problems),
                }
                job.format = str(getattr(parsed, "format", job.format))[:32]
                job.message = summary(result, len(parsed.problems))
        job.finished_at = timezone.now()
        save_audited(job, by=job.user, reason=job.message[:500])
        set_progress(job.pk, "done", 1, 1)


def summary(result, problems: int) -> str:
    text = _(
        "%(written)d readings written, %(duplicates)d already stored; %(new)d new excursion(s)."
    ) % {
        "written": result.written,
        "duplicates": result.duplicates,
        "new": len(result.new_excursions),
    }
    if problems:
        text += " " + _(
            "%(n)d line(s) could not be read and were skipped; the rest of the file was kept."
        ) % {"n": problems}
    return text
