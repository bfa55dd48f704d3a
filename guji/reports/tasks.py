"""The report's background work, on Huey (``manage.py run_huey``)."""

from huey.contrib.djhuey import db_task


@db_task()
def compile_report_task(job_id: int) -> None:
    from guji.reports.jobs import run_job

    run_job(job_id)
