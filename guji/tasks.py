"""Background work of the core register, run by Huey (``manage.py run_huey``)."""

from huey.contrib.djhuey import db_task


@db_task()
def export_holdings_list(job_id: int) -> None:
    """Write a holdings list too long to export in the request (``guji.bulk.run_list_export``)."""
    from guji.bulk import run_list_export

    run_list_export(job_id)
