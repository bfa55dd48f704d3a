"""Background work of the census, on Huey (``manage.py run_huey``).

The import's tasks call :func:`census.imports.jobs.run_job`, which calls
:func:`census.imports.import_spreadsheet`, the function the command calls too. Progress goes
through ``guji.files.jobs`` (Huey's key-value store, so that it shows while the import's
transaction keeps its row changes to itself).
"""

from django.conf import settings
from huey.contrib.djhuey import db_task, task


@db_task()
def check_import(job_id: int) -> None:
    """The dry run: the report of what would be created or updated and every problem."""
    from census.imports.jobs import run_job

    run_job(job_id, dry_run=True)


@db_task()
def run_import(job_id: int) -> None:
    from census.imports.jobs import run_job

    run_job(job_id, dry_run=False)


# --- the registration catalogue (census/exports.py) -------------------------------------------


@db_task()
def build_catalogue(job_id: int) -> None:
    """Make a big catalogue; the other workers help lay out its PDF (documents.render_units)."""
    from census.exports import run_export_job  # exports imports WeasyPrint: load it on use

    workers = settings.HUEY.get("consumer", {}).get("workers", 1)
    run_export_job(job_id, helpers=max(workers - 1, 0))


# --- leaf photographs (census/photos.py) ----------------------------------------------------


@task()
def make_photo_derivatives(original: str) -> dict[str, str]:
    """Make a stored photograph's thumbnail and preview, off the web process.

    Pillow decodes a JPEG at a reduced scale (draft) and shrinks other formats with reduce
    before resampling (``guji.files.images.derivative``).
    """
    from guji.files import images

    return images.make_derivatives(original)
