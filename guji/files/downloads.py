"""The one permission-checked file response.

    return file_response(
        request, photo.preview, allowed=can(request.user, "view", photo),
        content_type="image/jpeg", filename="leaf.jpg", as_attachment=False,
    )

``allowed`` is the answer of ``guji.permissions`` for this user and file; it is a required
keyword so that no download forgets to ask. A refused download raises PermissionDenied (the
caller has already answered 404 for what the user may not even see). The file is read through
Django's storage API; in production the web server may send it instead
(``GUJI_SENDFILE_HEADER``):

- ``X-Accel-Redirect`` (nginx): ``GUJI_SENDFILE_PREFIX`` + the stored name, for an
  ``internal`` location aliasing MEDIA_ROOT;
- ``X-Sendfile`` (Apache, lighttpd): the file's path on disk;
- empty (the default): Django streams the file, from disk or from object storage.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header


def file_response(
    request: HttpRequest,
    name: str,
    *,
    allowed: bool,
    content_type: str,
    filename: str,
    as_attachment: bool = True,
    cache_seconds: int | None = None,
    etag: str | None = None,
    storage: Storage | None = None,
) -> HttpResponse:
    """The stored file ``name`` if ``allowed``, sent by the web server when configured to."""
    if not allowed:
        raise PermissionDenied
    if not name:
        raise Http404
    storage = storage or default_storage
    header = settings.GUJI_SENDFILE_HEADER
    if header:
        if not storage.exists(name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        if header.lower() == "x-accel-redirect":  # nginx: an internal location over MEDIA_ROOT
            response[header] = settings.GUJI_SENDFILE_PREFIX + quote(name)
        else:  # X-Sendfile (Apache, lighttpd): a path on disk
            response[header] = storage.path(name)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    else:
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle, content_type=content_type, as_attachment=as_attachment, filename=filename
        )
    if cache_seconds is not None:
        response["Cache-Control"] = f"private, max-age={cache_seconds}"
    if etag:
        response["ETag"] = f'"{etag}"'
    return response
