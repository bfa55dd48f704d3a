"""Background work of the shared file plumbing, run by Huey (``manage.py run_huey``)."""

from huey.contrib.djhuey import db_task, task

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
