"""The repair base's background work (Huey)."""

from huey.contrib.djhuey import db_task, task


@task()
def make_repair_derivatives(original: str) -> dict[str, str]:
    """Thumbnail, preview and large copies of a repair photograph."""
    from conservation.images import make_derivatives

    return make_derivatives(original)


@db_task()
def build_archive(job_id: int) -> None:
    from conservation.archive import run_archive_job

    run_archive_job(job_id)
