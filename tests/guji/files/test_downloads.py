"""guji.files.downloads: the one permission-checked file response."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.test import RequestFactory

from guji.files.downloads import file_response


@pytest.fixture
def stored(settings, tmp_path) -> str:
    settings.MEDIA_ROOT = tmp_path
    return default_storage.save("exports/1/目录.pdf", ContentFile(b"%PDF-1.7 test"))


def respond(name, **kwargs):
    options = {"allowed": True, "content_type": "application/pdf", "filename": "目录.pdf"}
    return file_response(RequestFactory().get("/"), name, **(options | kwargs))


def test_django_streams_the_stored_file_as_an_attachment(stored):
    response = respond(stored, cache_seconds=60, etag="abc")

    assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E7%9B%AE%E5%BD%95.pdf"
    assert (response["Cache-Control"], response["ETag"]) == ("private, max-age=60", '"abc"')


def test_a_refusal_is_permission_denied_before_the_file_is_touched(stored):
    with pytest.raises(PermissionDenied):
        respond(stored, allowed=False)
    with pytest.raises(PermissionDenied):
        respond("no/such/file", allowed=False)


def test_a_missing_file_is_not_found(stored):
    with pytest.raises(Http404):
        respond("exports/2/gone.pdf")
    with pytest.raises(Http404):
        respond("")


def test_nginx_sends_the_file_through_x_accel_redirect(stored, settings):
    settings.GUJI_SENDFILE_HEADER = "X-Accel-Redirect"
    settings.GUJI_SENDFILE_PREFIX = "/protected-media/"

    response = respond(stored, as_attachment=False)

    assert response["X-Accel-Redirect"] == "/protected-media/exports/1/%E7%9B%AE%E5%BD%95.pdf"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("inline;")


def test_apache_sends_the_file_through_x_sendfile(stored, settings, tmp_path):
    settings.GUJI_SENDFILE_HEADER = "X-Sendfile"
    name = default_storage.save("photos/ab/cd/abcd.jpg", ContentFile(b"jpeg"))

    response = respond(name)

    assert response["X-Sendfile"] == str(tmp_path / "photos" / "ab" / "cd" / "abcd.jpg")
    assert response.content == b""
