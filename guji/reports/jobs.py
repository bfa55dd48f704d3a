"""Running a report compilation as a ``guji.files.jobs`` job (progress, heartbeat, failure)."""

import logging

from guji.files import jobs
from guji.reports.models import ReportJob

logger = logging.getLogger(__name__)


def run_job(job_id: int) -> None:
    job = ReportJob.objects.select_related("report", "user").get(pk=job_id)
    if not jobs.start(job):
        return
    from guji.reports.services import compile_report

    try:
        compile_report(
            job.report,
            by=job.user,
            progress=lambda done, total, phase: jobs.progress(job, done, total, phase=phase),
        )
    except Exception as exc:
        logger.exception("Report %s could not be compiled", job.report_id)
        jobs.fail(job, exc)
    else:
        jobs.finish(job)
