"""Background work of the shared file plumbing, run by Huey (``manage.py run_huey``)."""

from huey.contrib.djhuey import task

from guji.files import images


@task()
def make_image_derivatives(original: str) -> dict[str, str]:
    """Make the missing derivatives of a stored image (see :func:`images.make_derivatives`)."""
    return images.make_derivatives(original)
