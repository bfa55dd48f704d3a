"""A holdings list too long to write in the request is exported by a background job."""

import pytest
from django.urls import reverse

from guji.files.spreadsheets import read_table
from guji.models import Holding, ListExportJob
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limit(settings):
    settings.GUJI_EXPORT_INLINE_ROWS = 2


@pytest.fixture(autouse=True)
def _worker_at_once(huey_immediate):
    """The export job's task runs as soon as it is queued."""


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a, b = make_institution(), make_institution()
    for i in range(4):
        make_holding(institution=a, title_juan=f"甲書{i}一卷")
    make_holding(institution=b, title_juan="乙書一卷")
    return a, b


def test_past_the_limit_the_export_is_a_job_whose_file_has_every_row(
    client, world, small_limit, django_capture_on_commit_callbacks, tmp_path
):
    a, _b = world
    cataloguer = make_user("cataloguer", institution=a)
    client.force_login(cataloguer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("holding_export"), {"q": "書"})

    job = ListExportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.state == "done" and job.total_rows == 4  # only what the cataloguer may see
    page = client.get(job.get_absolute_url())
    assert reverse("holding_export_download", args=[job.pk]) in page.content.decode()
    download = client.get(reverse("holding_export_download", args=[job.pk]))
    assert download.status_code == 200
    path = tmp_path / "download.xlsx"
    path.write_bytes(b"".join(download.streaming_content))
    table = read_table(path, "x.xlsx")
    titles = sorted(row[3] for row in table.cells[1:])
    mine = Holding.objects.filter(institution=a).values_list("title_juan", flat=True)
    assert titles == sorted(mine)


def test_within_the_limit_the_file_comes_at_once(client, world):
    a, _b = world
    client.force_login(make_user("cataloguer", institution=a))

    response = client.get(reverse("holding_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not ListExportJob.objects.exists()


def test_someone_elses_export_is_not_found(client, world, small_limit):
    a, _b = world
    job = ListExportJob.objects.create(user=make_user("cataloguer", institution=a))
    client.force_login(make_user("cataloguer", institution=a))

    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("holding_export_download", args=[job.pk])).status_code == 404
    assert client.post(reverse("holding_export_retry", args=[job.pk])).status_code == 404


def test_a_failed_export_says_why_and_can_be_retried(
    client, world, django_capture_on_commit_callbacks
):
    a, _b = world
    owner = make_user("cataloguer", institution=a)
    job = ListExportJob.objects.create(user=owner, status="failed", message="磁盘已满")
    client.force_login(owner)

    page = client.get(job.get_absolute_url()).content.decode()
    assert "磁盘已满" in page and "job-failed" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("holding_export_retry", args=[job.pk]))

    job.refresh_from_db()
    assert job.state == "done" and job.total_rows == 4 and job.message == ""
